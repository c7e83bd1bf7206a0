#!/usr/bin/env python3
"""Runs commands alternately and prints the median wall and CPU time of each.

usage: timeit.py RUNS WARMUP NAME=COMMAND...   (COMMAND is split on spaces)

Each round runs every command once, in the given order, so that both tools
see the same machine state; exit codes 0 and 1 (findings) are accepted.
CPU time (user + system of the process and its children, from getrusage)
is what a busy machine distorts least; wall time is what a user waits.
"""
import resource
import statistics
import subprocess
import sys
import time

runs, warmup = int(sys.argv[1]), int(sys.argv[2])
cmds = []
for arg in sys.argv[3:]:
    name, _, cmd = arg.partition("=")
    cmds.append((name, cmd.split()))
times = {name: [] for name, _ in cmds}
cpus = {name: [] for name, _ in cmds}
codes = {name: set() for name, _ in cmds}
for i in range(warmup + runs):
    for name, cmd in cmds:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter_ns()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dt = (time.perf_counter_ns() - t0) / 1e6
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1e3
        if p.returncode not in (0, 1):
            sys.exit(f"{name}: exit code {p.returncode}: {' '.join(cmd)}")
        codes[name].add(p.returncode)
        if i >= warmup:
            times[name].append(dt)
            cpus[name].append(cpu)
for name, _ in cmds:
    t = sorted(times[name])
    p90 = t[int(len(t) * 0.9) - 1] if len(t) >= 10 else t[-1]
    print(f"{name:<28} wall median {statistics.median(t):6.1f} ms  min {t[0]:6.1f}  p90 {p90:6.1f}   "
          f"cpu median {statistics.median(cpus[name]):6.1f} ms   runs {len(t)}  exit {sorted(codes[name])}")

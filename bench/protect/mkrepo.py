#!/usr/bin/env python3
"""Writes a git fast-import stream for the protect benchmark to stdout.

COMMITS commits on branch main, each rewriting one line of one of
DIRS*FILES small Go-like files, with fixed authors and dates: the same
arguments always give the same repository, byte for byte.
"""
import sys

commits = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
dirs = int(sys.argv[2]) if len(sys.argv) > 2 else 100
files = int(sys.argv[3]) if len(sys.argv) > 3 else 20
lines_per_file = 30
out = sys.stdout.buffer


def content(d, f, version):
    """File d/f where line (version % lines) carries the version number."""
    rows = [f"package dir{d:03d}\n", "\n"]
    for i in range(lines_per_file):
        v = version if i == version % lines_per_file else 0
        rows.append(f"// line {i} of file {f} in dir {d}: value {v} {'x' * (i % 7)}\n")
    rows.append(f"func F{f}() int {{ return {version} }}\n")
    return "".join(rows).encode()


base = 1577836800  # 2020-01-01T00:00:00Z
nfiles = dirs * files
for n in range(commits):
    when = base + n * 3600
    idx = n % nfiles
    d, f = divmod(idx, files)
    path = f"src/dir{d:03d}/file{f:02d}.go"
    data = content(d, f, n)
    msg = f"change {n}: {path}\n".encode()
    out.write(b"commit refs/heads/main\n")
    out.write(f"mark :{n + 1}\n".encode())
    out.write(f"author Bench <bench@example.com> {when} +0000\n".encode())
    out.write(f"committer Bench <bench@example.com> {when} +0000\n".encode())
    out.write(f"data {len(msg)}\n".encode() + msg)
    if n > 0:
        out.write(f"from :{n}\n".encode())
    if n == 0:
        # The first commit creates every file.
        for i in range(nfiles):
            dd, ff = divmod(i, files)
            c = content(dd, ff, 0)
            out.write(f"M 100644 inline src/dir{dd:03d}/file{ff:02d}.go\n".encode())
            out.write(f"data {len(c)}\n".encode() + c + b"\n")
    out.write(f"M 100644 inline {path}\n".encode())
    out.write(f"data {len(data)}\n".encode() + data + b"\n")
    out.write(b"\n")

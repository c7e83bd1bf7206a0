// Command mkhistory builds a deterministic benchmark repository: successive
// released versions of a real Go module, taken from the module proxy,
// committed file by file, with known fake secrets injected and later
// deleted. The same arguments always give the same commits (fixed authors
// and dates), so timings from different runs compare the same history.
//
//	go run ./bench/mkhistory -out /tmp/bench-repo -module golang.org/x/tools -versions 40
//
// It writes the list of injected fake secrets to OUT.secrets.txt, one per
// line, for the comparison script.
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"sort"
	"strings"
	"time"
)

func main() {
	out := flag.String("out", "", "repository directory to create (must not exist)")
	module := flag.String("module", "golang.org/x/tools", "module whose released versions make the history")
	versions := flag.Int("versions", 40, "number of successive versions, the latest ones")
	every := flag.Int("inject-every", 400, "inject a fake secret every this many commits")
	keep := flag.Int("keep-for", 150, "delete an injected secret this many commits later")
	flag.Parse()
	// A stand-alone tool: Ctrl-C reaches the child processes through the
	// terminal, so there is nothing to cancel.
	ctx := context.Background()
	if *out == "" {
		log.Fatal("-out is required")
	}
	if _, err := os.Stat(*out); err == nil {
		log.Fatalf("%s exists", *out)
	}
	vers, err := listVersions(ctx, *module)
	if err != nil {
		log.Fatal(err)
	}
	if len(vers) > *versions {
		vers = vers[len(vers)-*versions:]
	}
	if err := run(ctx, "git", "init", "-q", "-b", "main", *out); err != nil {
		log.Fatal(err)
	}
	fi := exec.CommandContext(ctx, "git", "-C", *out, "fast-import", "--quiet")
	stdin, err := fi.StdinPipe()
	if err != nil {
		log.Fatal(err)
	}
	fi.Stdout, fi.Stderr = os.Stdout, os.Stderr
	if err := fi.Start(); err != nil {
		log.Fatal(err)
	}
	b := &builder{
		w: bufio.NewWriterSize(stdin, 1<<20), rng: rand.New(rand.NewPCG(42, 7)), every: *every, keep: *keep,
		when: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), files: map[string][]byte{},
	}
	for _, v := range vers {
		files, err := moduleFiles(ctx, *module, v)
		if err != nil {
			log.Fatal(err)
		}
		b.version(v, files)
	}
	b.finish()
	if err := b.w.Flush(); err != nil {
		log.Fatal(err)
	}
	stdin.Close()
	if err := fi.Wait(); err != nil {
		log.Fatal(err)
	}
	if err := run(ctx, "git", "-C", *out, "checkout", "-q", "-f", "main"); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out+".secrets.txt", []byte(strings.Join(b.injected, "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%s: %d versions, %d commits, %d fake secrets injected", *out, len(vers), b.commits, len(b.injected))
}

func run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

func listVersions(ctx context.Context, module string) ([]string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-versions", module).Output()
	if err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", module, err)
	}
	fields := strings.Fields(string(out))
	var vers []string
	for _, v := range fields[1:] {
		if !strings.Contains(v, "-") { // releases only
			vers = append(vers, v)
		}
	}
	return vers, nil
}

// moduleFiles downloads module@version through the module proxy and returns
// its files by path.
func moduleFiles(ctx context.Context, module, version string) (map[string][]byte, error) {
	out, err := exec.CommandContext(ctx, "go", "mod", "download", "-json", module+"@"+version).Output()
	if err != nil {
		return nil, fmt.Errorf("download %s@%s: %w", module, version, err)
	}
	var info struct{ Zip string }
	if err := json.Unmarshal(out, &info); err != nil {
		return nil, err
	}
	zr, err := zip.OpenReader(info.Zip)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	prefix := module + "@" + version + "/"
	files := map[string][]byte{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		files[strings.TrimPrefix(f.Name, prefix)] = data
	}
	return files, nil
}

type builder struct {
	w        *bufio.Writer
	rng      *rand.Rand
	every    int
	keep     int
	when     time.Time
	commits  int
	files    map[string][]byte
	injected []string
	// pending deletions: commit number -> path whose injected line goes
	pending map[int]string
	mark    int
}

func (b *builder) commit(msg string, ops func()) {
	b.commits++
	b.when = b.when.Add(7 * time.Minute)
	fmt.Fprintf(b.w, "commit refs/heads/main\nauthor Bench Author <bench@example.com> %d +0000\ncommitter Bench Author <bench@example.com> %d +0000\n", b.when.Unix(), b.when.Unix())
	fmt.Fprintf(b.w, "data %d\n%s\n", len(msg), msg)
	ops()
	fmt.Fprintln(b.w)
}

func (b *builder) modify(p string, data []byte) {
	fmt.Fprintf(b.w, "M 100644 inline %s\ndata %d\n", p, len(data))
	_, _ = b.w.Write(data) // bufio.Writer keeps the error; main checks Flush
	fmt.Fprintln(b.w)
	b.files[p] = data
}

func (b *builder) remove(p string) {
	fmt.Fprintf(b.w, "D %s\n", p)
	delete(b.files, p)
}

// version commits, one file per commit, what changed since the previous
// version, injecting and deleting fake secrets along the way.
func (b *builder) version(v string, files map[string][]byte) {
	var paths []string
	for p, data := range files {
		if old, ok := b.files[p]; !ok || !bytes.Equal(sum(old), sum(data)) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		data := files[p]
		b.commit(fmt.Sprintf("%s: update %s", v, p), func() { b.modify(p, data) })
		b.maybeInject()
	}
	var gone []string
	for p := range b.files {
		if _, ok := files[p]; !ok && !strings.HasPrefix(p, "secrets/") {
			gone = append(gone, p)
		}
	}
	sort.Strings(gone)
	for _, p := range gone {
		b.commit(fmt.Sprintf("%s: remove %s", v, p), func() { b.remove(p) })
	}
	fmt.Fprintf(b.w, "reset refs/tags/%s\nfrom refs/heads/main\n\n", v)
}

func sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// maybeInject adds a fake secret to a random Go file every b.every commits
// and removes it b.keep commits later.
func (b *builder) maybeInject() {
	if b.pending == nil {
		b.pending = map[int]string{}
	}
	if p, ok := b.pending[b.commits]; ok {
		delete(b.pending, b.commits)
		if data, ok := b.files[p]; ok {
			if i := bytes.LastIndex(data, []byte("\n// injected: ")); i >= 0 {
				clean := append([]byte(nil), data[:i+1]...)
				b.commit("remove leaked credential from "+p, func() { b.modify(p, clean) })
			}
		}
	}
	if b.commits%b.every != 0 {
		return
	}
	var goFiles []string
	for p := range b.files {
		if strings.HasSuffix(p, ".go") && !strings.Contains(p, "testdata") {
			goFiles = append(goFiles, p)
		}
	}
	if len(goFiles) == 0 {
		return
	}
	sort.Strings(goFiles)
	p := goFiles[b.rng.IntN(len(goFiles))]
	secret := fakeSecret(b.rng, len(b.injected))
	b.injected = append(b.injected, secret)
	data := append(append([]byte(nil), b.files[p]...), []byte("\n// injected: "+secretLine(len(b.injected)-1, secret)+"\n")...)
	b.commit("debug "+path.Base(p), func() { b.modify(p, data) })
	b.pending[b.commits+b.keep] = p
}

func (b *builder) finish() {}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomString(rng *rand.Rand, alphabet string, n int) string {
	var sb strings.Builder
	for range n {
		sb.WriteByte(alphabet[rng.IntN(len(alphabet))])
	}
	return sb.String()
}

// fakeSecret makes a token of one of several shapes gitleaks' rules know,
// from a fixed-seed generator: values are random, never real.
func fakeSecret(rng *rand.Rand, i int) string {
	switch i % 6 {
	case 0:
		return "AKIA" + randomString(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	case 1:
		return "ghp_" + randomString(rng, base62, 36)
	case 2:
		return "glpat-" + randomString(rng, base62, 20)
	case 3:
		return "xoxb-" + randomString(rng, "0123456789", 11) + "-" + randomString(rng, "0123456789", 12) + "-" + randomString(rng, base62, 24)
	case 4:
		return "sk_live_" + randomString(rng, base62, 32)
	default:
		return "npm_" + randomString(rng, base62, 36)
	}
}

func secretLine(i int, s string) string {
	switch i % 6 {
	case 0:
		return "aws_access_key_id = " + s
	case 1:
		return "GITHUB_TOKEN=" + s
	default:
		return "token := \"" + s + "\""
	}
}

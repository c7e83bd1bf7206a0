package scanner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// cliBackend reads history through the git binary's plumbing commands:
// rev-list for the commit graph, diff-tree --stdin for tree differences and
// cat-file --batch for blobs, each one long-running process streaming in
// bulk. It honours refs/replace/ and grafts as git does.
type cliBackend struct {
	bin  string
	dir  string
	g    *gitRepo
	opts *Options
	c    *counters
}

func newCLIBackend(bin string, g *gitRepo, opts *Options, c *counters) (*cliBackend, error) {
	b := &cliBackend{bin: bin, dir: opts.Root, g: g, opts: opts, c: c}
	// git refuses repositories it deems unsafe (another user's) and old
	// versions lack what is used here: any failure means go-git instead.
	out, err := b.command(context.Background(), "rev-parse", "--git-dir").Output()
	if err != nil {
		return nil, fmt.Errorf("git rev-parse in %q: %w", b.dir, err)
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, errors.New("git rev-parse printed nothing")
	}
	return b, nil
}

func (b *cliBackend) close() {}

// command prepares a git command in the repository: no prompts, no pager, no
// fsmonitor, C locale.
func (b *cliBackend) command(ctx context.Context, args ...string) *exec.Cmd {
	full := append([]string{"-C", b.dir, "-c", "core.fsmonitor=false", "-c", "core.quotePath=false"}, args...)
	cmd := exec.CommandContext(ctx, b.bin, full...) //nolint:gosec // G204: git found on PATH, arguments as argv, no shell
	cmd.Env = append(cmd.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_PAGER=cat")
	cmd.WaitDelay = time.Second
	return cmd
}

// startPiped starts cmd, a long-running git sub (diff-tree, cat-file) fed
// through stdin and read through stdout; stderr collects its complaints.
func (b *cliBackend) startPiped(cmd *exec.Cmd, sub string) (io.WriteCloser, io.ReadCloser, *bytes.Buffer, error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	stderr := new(bytes.Buffer)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, fmt.Errorf("start git %s in %q: %w", sub, b.g.name, err)
	}
	return stdin, stdout, stderr, nil
}

func (b *cliBackend) commits(ctx context.Context, since string) (map[plumbing.Hash]*commitInfo, error) {
	args := []string{"rev-list", "--all", "--format=%x1f%H%x1f%P%x1f%at%x1f%an%x1f%T"}
	if since != "" {
		out, err := b.command(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", since+"^{commit}").Output()
		if err != nil {
			return nil, fmt.Errorf("resolve --since %q in %q: not a commit", since, b.g.name)
		}
		args = append(args, "^"+strings.TrimSpace(string(out)))
	}
	cmd := b.command(ctx, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("list commits of %q: %w: %s", b.g.name, err, strings.TrimSpace(stderr.String()))
	}
	byHash := map[plumbing.Hash]*commitInfo{}
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "\x1f") {
			continue // "commit <hash>" header lines
		}
		f := strings.Split(line[1:], "\x1f")
		if len(f) != 5 {
			return nil, fmt.Errorf("list commits of %q: unexpected line %q", b.g.name, line)
		}
		secs, _ := strconv.ParseInt(f[2], 10, 64)
		c := &commitInfo{hash: plumbing.NewHash(f[0]), tree: plumbing.NewHash(f[4]), author: f[3], when: time.Unix(secs, 0).UTC()}
		for _, p := range strings.Fields(f[1]) {
			c.parents = append(c.parents, plumbing.NewHash(p))
		}
		byHash[c.hash] = c
	}
	return byHash, nil
}

func (b *cliBackend) changes(ctx context.Context, commits []*commitInfo, skip func(*commitInfo) bool, out chan<- commitChanges) error {
	cmd := b.command(ctx, "diff-tree", "--stdin", "-r", "-z", "--raw", "--no-renames", "--root", "--always")
	stdin, stdout, stderr, err := b.startPiped(cmd, "diff-tree")
	if err != nil {
		return err
	}
	var sent []*commitInfo
	for _, c := range commits {
		if !skip(c) {
			sent = append(sent, c)
		}
	}
	var werr error
	var wg sync.WaitGroup
	wg.Go(func() {
		bw := bufio.NewWriterSize(stdin, 64<<10)
		for _, c := range sent {
			line := c.hash.String()
			if len(c.parents) > 0 {
				line += " " + c.parents[0].String()
			}
			if _, werr = bw.WriteString(line + "\n"); werr != nil {
				break
			}
		}
		if werr == nil {
			werr = bw.Flush()
		}
		stdin.Close()
	})
	perr := b.parseDiffs(ctx, bufio.NewReaderSize(stdout, 256<<10), commits, skip, out)
	if perr != nil {
		_ = cmd.Process.Kill()
	}
	wg.Wait()
	if err := cmd.Wait(); err != nil && perr == nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("git diff-tree in %q: %w: %s", b.g.name, err, strings.TrimSpace(stderr.String()))
	}
	if perr != nil {
		return perr
	}
	return nil
}

// parseDiffs reads diff-tree -z output: for each commit a header (its
// hash) then ":<old mode> <new mode> <old> <new> <status>" and path records.
func (b *cliBackend) parseDiffs(ctx context.Context, r *bufio.Reader, commits []*commitInfo, skip func(*commitInfo) bool, out chan<- commitChanges) error {
	i := 0
	// next sends every skipped commit up to the next one diffed, and
	// returns that one.
	next := func() (*commitInfo, error) {
		for ; i < len(commits); i++ {
			if !skip(commits[i]) {
				c := commits[i]
				i++
				return c, nil
			}
			if err := sendTo(ctx, out, commitChanges{commit: commits[i]}); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	var cur *commitChanges
	flush := func() error {
		if cur == nil {
			return nil
		}
		err := sendTo(ctx, out, *cur)
		cur = nil
		return err
	}
	for {
		tok, err := r.ReadString(0)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read git diff-tree output of %q: %w", b.g.name, err)
		}
		tok = tok[:len(tok)-1]
		if !strings.HasPrefix(tok, ":") {
			if err := flush(); err != nil {
				return err
			}
			c, err := next()
			if err != nil {
				return err
			}
			if c == nil || c.hash.String() != tok {
				return fmt.Errorf("read git diff-tree output of %q: unexpected commit %q", b.g.name, tok)
			}
			cur = &commitChanges{commit: c}
			continue
		}
		path, err := r.ReadString(0)
		if err != nil {
			return fmt.Errorf("read git diff-tree output of %q: %w", b.g.name, err)
		}
		path = path[:len(path)-1]
		f := strings.Fields(tok[1:])
		if len(f) < 5 || cur == nil {
			return fmt.Errorf("read git diff-tree output of %q: unexpected record %q", b.g.name, tok)
		}
		newMode, newHash, status := f[1], f[3], f[4]
		if status == "D" || (newMode != "100644" && newMode != "100755" && newMode != "100664") {
			continue
		}
		cur.changes = append(cur.changes, change{path: path, blob: plumbing.NewHash(newHash)})
	}
	if err := flush(); err != nil {
		return err
	}
	// Commits after the last one diffed, all skipped.
	for ; i < len(commits); i++ {
		if !skip(commits[i]) {
			return fmt.Errorf("read git diff-tree output of %q: no output for commit %s", b.g.name, commits[i].hash)
		}
		if err := sendTo(ctx, out, commitChanges{commit: commits[i]}); err != nil {
			return err
		}
	}
	return nil
}

func (b *cliBackend) blobs(ctx context.Context, reqs <-chan plumbing.Hash, out chan<- blobData) error {
	cmd := b.command(ctx, "cat-file", "--batch")
	stdin, stdout, stderr, err := b.startPiped(cmd, "cat-file")
	if err != nil {
		return err
	}
	// The writer forwards requests as they come; the reader answers them in
	// order. pending carries each request to the reader.
	pending := make(chan plumbing.Hash, 1024)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(pending)
		defer stdin.Close()
		for h := range reqs {
			select {
			case pending <- h:
			case <-ctx.Done():
				return
			}
			if _, err := io.WriteString(stdin, h.String()+"\n"); err != nil {
				return
			}
		}
	})
	r := bufio.NewReaderSize(stdout, 256<<10)
	var rerr error
	for h := range pending {
		bd := b.readOne(r, h)
		if bd.err != nil {
			rerr = bd.err
			_ = sendTo(ctx, out, bd)
			break
		}
		if err := sendTo(ctx, out, bd); err != nil {
			rerr = err
			break
		}
	}
	if rerr != nil {
		_ = cmd.Process.Kill()
		for range pending {
		}
	}
	wg.Wait()
	werr := cmd.Wait()
	switch {
	case rerr != nil:
		return rerr
	case ctx.Err() != nil:
		return ctx.Err()
	case werr != nil:
		return fmt.Errorf("git cat-file in %q: %w: %s", b.g.name, werr, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// readOne reads one cat-file --batch answer for h.
func (b *cliBackend) readOne(r *bufio.Reader, h plumbing.Hash) blobData {
	bd := blobData{hash: h}
	header, err := r.ReadString('\n')
	if err != nil {
		bd.err = fmt.Errorf("read blob %s of %q: %w", h, b.g.name, err)
		return bd
	}
	f := strings.Fields(header)
	if len(f) == 2 && f[1] == "missing" {
		b.c.missing.Add(1)
		bd.skip = skipMissing
		return bd
	}
	if len(f) != 3 || f[0] != h.String() {
		bd.err = fmt.Errorf("read blob %s of %q: unexpected answer %q", h, b.g.name, strings.TrimSpace(header))
		return bd
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 {
		bd.err = fmt.Errorf("read blob %s of %q: unexpected size in %q", h, b.g.name, strings.TrimSpace(header))
		return bd
	}
	if max := b.opts.maxFileSize(); max > 0 && size > max {
		if _, err := io.CopyN(io.Discard, r, size+1); err != nil {
			bd.err = fmt.Errorf("read blob %s of %q: %w", h, b.g.name, err)
		}
		bd.skip = skipTooBig
		return bd
	}
	content := make([]byte, size+1)
	if _, err := io.ReadFull(r, content); err != nil {
		bd.err = fmt.Errorf("read blob %s of %q: %w", h, b.g.name, err)
		return bd
	}
	bd.content = content[:size]
	if f[1] != "blob" {
		bd.err = fmt.Errorf("read blob %s of %q: object is a %s", h, b.g.name, f[1])
		return bd
	}
	bd.skip = classifyContent(bd.content, size, 0)
	return bd
}

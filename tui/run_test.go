package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionize/sessionize/scanner"
)

// syncBuffer is an output the test reads while the program writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitOutput waits until out holds text.
func waitOutput(t *testing.T, out *syncBuffer, text string) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(out.String(), text) {
		select {
		case <-deadline.C:
			t.Fatalf("output never showed %q", text)
		case <-tick.C:
		}
	}
}

// runAsync starts Run and returns its result channel.
func runAsync(ctx context.Context, cfg Config) <-chan error {
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	return done
}

func waitRun(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	t.Run("quit", func(t *testing.T) {
		t.Parallel()
		in, w := io.Pipe()
		defer w.Close()
		out := &syncBuffer{}
		done := runAsync(t.Context(), Config{Scan: reportScan(fixtureReport(newSecrets())), Input: in, Output: out, NoColor: true})
		waitOutput(t, out, "6 credentials")
		_, _ = w.Write([]byte("q"))
		if err := waitRun(t, done); err != nil {
			t.Errorf("Run after q = %v, want nil", err)
		}
		if strings.Contains(out.String(), "\x1b[3") {
			t.Error("NoColor output carries colour codes")
		}
	})
	t.Run("scan failure is returned after the user saw it", func(t *testing.T) {
		t.Parallel()
		in, w := io.Pipe()
		defer w.Close()
		out := &syncBuffer{}
		errScan := errors.New(`open repository "x": no such directory`)
		scan := func(context.Context, func(scanner.Progress)) (*scanner.Report, error) { return nil, errScan }
		done := runAsync(t.Context(), Config{Scan: scan, Input: in, Output: out})
		waitOutput(t, out, "The scan failed")
		_, _ = w.Write([]byte("q"))
		if err := waitRun(t, done); !errors.Is(err, errScan) {
			t.Errorf("Run after a failed scan = %v, want the scan's error", err)
		}
	})
	t.Run("cancelled: the scan is stopped and waited for", func(t *testing.T) {
		t.Parallel()
		in, w := io.Pipe()
		defer w.Close()
		out := &syncBuffer{}
		var returned atomic.Bool
		started := make(chan struct{})
		scan := func(ctx context.Context, progress func(scanner.Progress)) (*scanner.Report, error) {
			close(started)
			<-ctx.Done()
			returned.Store(true)
			return nil, ctx.Err()
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := runAsync(ctx, Config{Scan: scan, Input: in, Output: out})
		<-started
		cancel()
		if err := waitRun(t, done); !errors.Is(err, context.Canceled) {
			t.Errorf("Run after cancel = %v, want context.Canceled", err)
		}
		if !returned.Load() {
			t.Error("Run returned before the scan did")
		}
	})
	t.Run("quit during the scan stops it", func(t *testing.T) {
		t.Parallel()
		in, w := io.Pipe()
		defer w.Close()
		out := &syncBuffer{}
		var returned atomic.Bool
		scan := func(ctx context.Context, progress func(scanner.Progress)) (*scanner.Report, error) {
			progress(scanner.Progress{Phase: scanner.PhaseHistory, Commits: 1, CommitsTotal: 10})
			<-ctx.Done()
			returned.Store(true)
			return nil, ctx.Err()
		}
		done := runAsync(t.Context(), Config{Scan: scan, Input: in, Output: out})
		waitOutput(t, out, "Scanning history")
		_, _ = w.Write([]byte("q"))
		if err := waitRun(t, done); err != nil {
			t.Errorf("Run after q during the scan = %v, want nil", err)
		}
		if !returned.Load() {
			t.Error("Run returned before the scan did")
		}
	})
}

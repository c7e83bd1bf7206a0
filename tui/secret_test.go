package tui

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestNoRawSecretOnScreen renders every screen, at every size, with a
// report holding known secrets (also in a fix preview and in an action's
// error): no raw value may appear. Then it reveals one: it appears in the
// detail pane's Secret line only, and nowhere once the pane is left.
func TestNoRawSecretOnScreen(t *testing.T) {
	for _, sc := range scenarios {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				s := newSecrets()
				m := newTestModel(t, fullConfig(s), sz.w, sz.h)
				sc.setup(t, m, s)
				assertNoSecret(t, m.View(), s, "")
				// Scrolled to the end too, where long panes hide lines.
				press(m, "G")
				assertNoSecret(t, m.View(), s, "")
			})
		}
	}

	t.Run("revealed only in the detail pane", func(t *testing.T) {
		s := newSecrets()
		m := newTestModel(t, fullConfig(s), 160, 48)
		scanned(m, fixtureReport(s))
		openDetailAt(t, m, fpAWSID)
		press(m, "r")
		v := m.View()
		assertNoSecret(t, v, s, s.awsKey)
		var at []string
		for _, l := range strings.Split(v, "\n") {
			if strings.Contains(l, s.awsKey) {
				at = append(at, l)
			}
		}
		if len(at) != 1 || !strings.HasPrefix(at[0], "Secret") {
			t.Errorf("revealed value on lines %q, want exactly the Secret line", at)
		}
		// The help screen, reached from here, does not show it; the pane,
		// once left, does not either, nor when opened again.
		press(m, "?")
		assertNoSecret(t, m.View(), s, "")
		press(m, "?", "i")
		assertNoSecret(t, m.View(), s, s.awsKey)
		press(m, "n", "esc")
		assertNoSecret(t, m.View(), s, "")
		press(m, "enter")
		assertNoSecret(t, m.View(), s, "")
	})

	t.Run("a colour terminal changes nothing", func(t *testing.T) {
		s := newSecrets()
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.TrueColor)
		m := newModel(Config{Scan: reportScan(fixtureReport(s)), Fixer: fullConfig(s).Fixer}, newStyles(r), newRunner(t.Context()))
		scanned(m, fixtureReport(s))
		openDetailAt(t, m, fpCI)
		assertNoSecret(t, m.View(), s, "")
		if !strings.Contains(m.View(), "\x1b[") {
			t.Error("true-colour view carries no escape codes: the profile was not used")
		}
	})
}

// assertNoSecret fails when v holds a raw value other than allowed.
func assertNoSecret(t *testing.T, v string, s secrets, allowed string) {
	t.Helper()
	for _, raw := range s.all() {
		if raw == allowed {
			if !strings.Contains(v, raw) {
				t.Errorf("revealed value missing from the view")
			}
			continue
		}
		// Also look for a good part of the value, in case it was cut.
		for _, part := range []string{raw, raw[:len(raw)*3/4], raw[len(raw)/4:]} {
			if strings.Contains(v, part) {
				t.Fatalf("view shows a raw secret (%d characters of a %d-character value)", len(part), len(raw))
			}
		}
	}
}

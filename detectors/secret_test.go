package detectors_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "***"},
		{"AKIA" + "QYLPMN5HHHFPZAM2", "AKIA************ZAM2"},
		{"hunter22", "h******2"},
		{"line1\nline2-with-more-text-here", "line" + strings.Repeat("*", 23) + "here"},
		{"a\ncdefghij", "a*******ij"}, // kept ends never carry control characters
		{strings.Repeat("x", 200), "xxxx" + strings.Repeat("*", 32) + "xxxx"},
	}
	for _, tt := range tests {
		if got := detectors.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(len %d) = %q, want %q", len(tt.in), got, tt.want)
		}
	}
}

func TestSecret_NeverPrinted(t *testing.T) {
	t.Parallel()
	raw := "ghp_" + "8kGxVr0QmXcN4tLb2WzYp7Hs1JdFa6Ue9RiO"
	s := detectors.NewSecret(raw)
	j, err := json.Marshal(struct{ S detectors.Secret }{s})
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x", s, s, s, s, s, s), string(j), s.String()} {
		if strings.Contains(out, raw) {
			t.Fatalf("a printed form carries the raw secret")
		}
	}
	if s.Reveal() != raw {
		t.Error("Reveal() does not return the raw value")
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("AKIA" + "QYLPMN5HHHFPZAM2")
	f.Add("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----")
	f.Fuzz(func(t *testing.T, raw string) {
		got := detectors.Redact(raw)
		if len(raw) >= 10 && strings.Contains(got, raw) {
			t.Fatalf("Redact leaks the value")
		}
		for i := 0; i < len(got); i++ {
			if got[i] < 0x20 || got[i] > 0x7e {
				t.Fatalf("Redact output has byte %#x", got[i])
			}
		}
		// The visible ends never exceed a fifth of the value each.
		if visible := len(got) - strings.Count(got, "*"); visible > 2*(len(raw)/5)+strings.Count(raw, "*") {
			t.Fatalf("Redact shows %d characters of a %d-byte value", visible, len(raw))
		}
	})
}

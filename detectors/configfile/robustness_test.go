package configfile_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/sessionize/sessionize/detectors/configfile"
)

func TestDetectors_Malformed(t *testing.T) {
	t.Parallel()
	pat := fakeGitHubPAT()
	tests := []struct {
		name, path, content string
		wantErr             string
		wantFindings        int
	}{
		{"truncated json keeps earlier findings", ".docker/config.json", `{"auths": {"ghcr.io": {"auth": "` + b64("ci:"+pat) + `"}, "x": {"auth": "ab`, "unexpected end of file in a string", 1},
		{"invalid yaml", ".kube/config", "users:\n- name: a\n  user:\n    token: [\n", "invalid kubeconfig YAML", 0},
		{"invalid xml", "settings.xml", "<settings><servers><server><password>" + pat + "</servers>", "invalid Maven settings XML", 0},
		{"invalid hcl", "main.tf", "provider \"github\" {\n  token = \"" + pat + "\"\n  x = \"open\n", "invalid HCL", 1},
		{"stray word in hcl", "main.tf", "provider \"github\" {\n  " + pat + "\n}\n", "invalid HCL", 0},
		{"unknown xml entity", "settings.xml", "<settings><servers><server><password>x&" + pat + ";</password></server></servers></settings>", "invalid Maven settings XML", 0},
		{"binary", ".env", "A=1\x00\x01\x02", "binary content", 0},
		{"utf-16", ".npmrc", "\xff\xfe_\x00a\x00", "UTF-16", 0},
		{"huge", ".env", strings.Repeat("A=1\n", configfile.MaxSize/4+1), "more than the", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs, err := detectAll(t, tt.path, tt.content)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("Detect(%s) error = %v, want one naming the file and %q", tt.path, err, tt.wantErr)
			}
			if strings.Contains(err.Error(), pat) {
				t.Errorf("Detect(%s) error holds the secret", tt.path)
			}
			var pe *configfile.ParseError
			if !errors.As(err, &pe) {
				t.Errorf("Detect(%s) error is %T, want *configfile.ParseError", tt.path, err)
			}
			if len(fs) != tt.wantFindings {
				t.Errorf("Detect(%s) = %d findings, want %d", tt.path, len(fs), tt.wantFindings)
			}
		})
	}
}

func TestDetectors_Sentinels(t *testing.T) {
	t.Parallel()
	_, err := detectAll(t, ".env", "A=1\x00")
	if !errors.Is(err, configfile.ErrBinary) {
		t.Errorf("Detect(binary) error = %v, want ErrBinary", err)
	}
	_, err = detectAll(t, ".env", strings.Repeat("#", configfile.MaxSize+1))
	if !errors.Is(err, configfile.ErrTooLarge) {
		t.Errorf("Detect(huge) error = %v, want ErrTooLarge", err)
	}
}

func TestDetectors_Cancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, d := range configfile.Detectors(kb(t)) {
		if _, err := d.Detect(ctx, ".env", []byte("A=1\n")); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Detect(cancelled) error = %v, want context.Canceled", d.Name(), err)
		}
	}
}

// TestDetectors_Concurrent shares the detectors across goroutines; run with
// -race.
func TestDetectors_Concurrent(t *testing.T) {
	t.Parallel()
	ds := configfile.Detectors(kb(t))
	content := []byte("JWT_SECRET=" + fill(32) + "\nGITHUB_TOKEN=" + fakeGitHubPAT() + "\n")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Go(func() {
			for _, d := range ds {
				if !d.Match(".env") {
					continue
				}
				if fs, err := d.Detect(t.Context(), ".env", content); err != nil || len(fs) != 2 {
					t.Errorf("Detect() = %d findings, %v; want 2, nil", len(fs), err)
				}
			}
		})
	}
	wg.Wait()
}

// TestDetectors_LargeInputs feeds inputs built to trip quadratic work
// (unterminated quotes on every line, long continuation chains, values full
// of "://", thousands of key IDs in one scope, deep nesting): each must
// finish promptly; a quadratic algorithm would take minutes here.
func TestDetectors_LargeInputs(t *testing.T) {
	t.Parallel()
	const n = 10000
	id, secret := fakeAWSKeyID(), fakeAWSSecret()
	tests := []struct{ name, path, content string }{
		{"unterminated quotes", ".env", strings.Repeat("A=\"x\n", n)},
		{"continuations", "gradle.properties", "a=" + strings.Repeat("b\\\n", n) + "c\n"},
		{"many schemes in one value", ".env", "URL=" + strings.Repeat("://", 20*n) + "\n"},
		{"many password parameters", ".env", "DSN=" + strings.Repeat("password=", 10*n) + "\n"},
		{"many key pairs", ".env", strings.Repeat("AWS_ACCESS_KEY_ID="+id+"\nAWS_SECRET_ACCESS_KEY="+secret+"\n", n/4)},
		{"deep json", ".mcp.json", strings.Repeat("[", 5*n) + strings.Repeat("]", 5*n)},
		{"deep hcl", "main.tf", "a = " + strings.Repeat("{b = ", n) + strings.Repeat("}", n) + "\n"},
		{"long line of findings", ".npmrc", strings.Repeat("//r/:_authToken="+fakeNPMToken()+" ", n/10)},
		{"many docker auths", ".docker/config.json", `{"auths": {` + strings.Repeat(`"r": {"auth": "`+b64("u:"+fakeGitHubPAT())+`"}, `, n/10) + `"x": {}}}`},
		{"netrc macdefs", ".netrc", strings.Repeat("macdef m\nx\n", n)},
		{"xml nesting", "settings.xml", "<settings>" + strings.Repeat("<a>", n) + strings.Repeat("</a>", n) + "</settings>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _ = detectAll(t, tt.path, tt.content)
		})
	}
}

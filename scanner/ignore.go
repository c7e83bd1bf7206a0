package scanner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// IgnoreFile is the name of sessionize's ignore file at the target root: one
// credential fingerprint per line (the 16 hex digits reports show, or the
// full 64), optionally followed by a comment; lines starting with # are
// comments. An entry ignores that credential everywhere and only it, however
// its lines move.
const IgnoreFile = ".sessionizeignore"

// GitleaksIgnoreFile is gitleaks' ignore file, read for compatibility: lines
// "file:rule-id:line" or "commit:file:rule-id:line".
const GitleaksIgnoreFile = ".gitleaksignore"

// Ignores is the set of ignore entries a scan honours. The zero value
// ignores nothing.
type Ignores struct {
	fingerprints map[string]bool
	gitleaks     map[string]bool
}

// LoadIgnores reads the ignore files at root; missing files are fine.
func LoadIgnores(root string) (*Ignores, error) {
	ig := &Ignores{}
	for _, name := range []string{IgnoreFile, GitleaksIgnoreFile} {
		p := filepath.Join(root, name)
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %q: %w", p, err)
		}
		var perr error
		if name == IgnoreFile {
			perr = ig.AddSessionizeIgnore(p, data)
		} else {
			ig.AddGitleaksIgnore(data)
		}
		if perr != nil {
			return nil, perr
		}
	}
	return ig, nil
}

// AddSessionizeIgnore adds the entries of a .sessionizeignore file; name is
// used in errors, which give the line of an entry that is not a fingerprint.
func (ig *Ignores) AddSessionizeIgnore(name string, data []byte) error {
	if ig.fingerprints == nil {
		ig.fingerprints = map[string]bool{}
	}
	var errs []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fp, _, _ := strings.Cut(line, " ")
		fp, _, _ = strings.Cut(fp, "\t")
		fp = strings.ToLower(fp)
		if !isHex(fp) || (len(fp) != 16 && len(fp) != 64) {
			errs = append(errs, fmt.Sprintf("%s:%d: %q is not a fingerprint (16 or 64 hex digits)", name, n, truncate(fp, 70)))
			continue
		}
		ig.fingerprints[fp[:16]] = true
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// AddGitleaksIgnore adds the entries of a .gitleaksignore file. Entries that
// are not of gitleaks' forms are skipped, as gitleaks does.
func (ig *Ignores) AddGitleaksIgnore(data []byte) {
	if ig.gitleaks == nil {
		ig.gitleaks = map[string]bool{}
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ":")
		switch len(parts) {
		case 3:
			parts[0] = strings.ReplaceAll(parts[0], "\\", "/")
		case 4:
			parts[1] = strings.ReplaceAll(parts[1], "\\", "/")
		default:
			continue
		}
		ig.gitleaks[strings.Join(parts, ":")] = true
	}
}

// Ignored reports whether an occurrence of the credential with fingerprint
// fp is ignored.
func (ig *Ignores) Ignored(fp string, o Occurrence) bool {
	if ig == nil {
		return false
	}
	if len(fp) >= 16 && ig.fingerprints[fp[:16]] {
		return true
	}
	if len(ig.gitleaks) == 0 {
		return false
	}
	global := o.Path + ":" + o.Finding.RuleID + ":" + strconv.Itoa(o.Line)
	if ig.gitleaks[global] {
		return true
	}
	return o.Commit != "" && ig.gitleaks[o.Commit+":"+global]
}

// Apply removes ignored occurrences, and credentials left without any, and
// returns how many credentials were removed. The removed occurrences are kept
// in r.Ignored.
func (ig *Ignores) Apply(r *Report) int {
	return r.filter(func(c *Credential, o Occurrence) bool {
		if ig.Ignored(c.Fingerprint, o) {
			r.Ignored = append(r.Ignored, o)
			return false
		}
		return true
	})
}

// filter keeps the occurrences keep accepts and drops credentials left empty.
func (r *Report) filter(keep func(*Credential, Occurrence) bool) int {
	removed := 0
	out := r.Credentials[:0]
	for _, c := range r.Credentials {
		occ := c.Occurrences[:0]
		for _, o := range c.Occurrences {
			if keep(&c, o) {
				occ = append(occ, o)
			}
		}
		c.Occurrences = occ
		if len(occ) == 0 {
			removed++
			continue
		}
		out = append(out, c)
	}
	r.Credentials = out
	r.Finalize()
	return removed
}

// Baseline is an earlier JSON report: what it lists is not reported again.
type Baseline struct {
	known map[occKey]bool
	creds map[string]bool
}

// ParseBaseline reads a JSON report written by `sessionize scan --format
// json`. name is used in errors.
func ParseBaseline(name string, data []byte) (*Baseline, error) {
	var doc struct {
		Version     int `json:"version"`
		Credentials []struct {
			Fingerprint string `json:"fingerprint"`
			Occurrences []struct {
				Path string `json:"path"`
			} `json:"occurrences"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read baseline %q: not a sessionize JSON report: %w", name, err)
	}
	if doc.Version != ReportVersion {
		return nil, fmt.Errorf("read baseline %q: report version %d, want %d", name, doc.Version, ReportVersion)
	}
	b := &Baseline{known: map[occKey]bool{}, creds: map[string]bool{}}
	for _, c := range doc.Credentials {
		b.creds[c.Fingerprint] = true
		for _, o := range c.Occurrences {
			b.known[occKey{fp: c.Fingerprint, path: o.Path}] = true
		}
	}
	return b, nil
}

// Apply removes what the baseline already lists: occurrences of a known
// credential at a known path. A known credential found at a new path is
// still reported, with only its new occurrences: that is new sprawl.
func (b *Baseline) Apply(r *Report) int {
	return r.filter(func(c *Credential, o Occurrence) bool {
		return !b.known[occKey{fp: c.Fingerprint, path: o.Path}]
	})
}

func isHex(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

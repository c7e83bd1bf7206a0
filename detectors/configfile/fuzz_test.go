package configfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/rules"
)

// fuzzPaths are one path per detector; a fuzz input picks one by index.
var fuzzPaths = []string{
	".npmrc", ".yarnrc.yml", ".pypirc", ".netrc", ".git-credentials", ".docker/config.json", ".kube/config",
	".aws/credentials", "keys/sa.json", "main.tf", "prod.tfvars", ".env", "settings.xml", "gradle.properties",
	"application.yml", "application.properties", ".mcp.json", ".terraformrc", "secrets.tfvars.json",
}

// corpusSeeds returns the corpus files with the index of the fuzz path
// whose detectors match them.
func corpusSeeds(f *testing.F) (idx []uint8, data [][]byte) {
	f.Helper()
	ds := Detectors(nil)
	root := filepath.Join("..", "..", "testdata", "corpus", "config")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		i := seedPath(ds, rel)
		if i < 0 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		idx, data = append(idx, uint8(i)), append(data, b)
		return nil
	})
	if err != nil {
		f.Fatalf("read corpus: %v", err)
	}
	return idx, data
}

// seedPath returns the index of the fuzz path handled by the detector of
// rel (the GCP detector, which matches any JSON file, last), -1 if none.
func seedPath(ds []detectors.FileDetector, rel string) int {
	for pass := 0; pass < 2; pass++ {
		for _, det := range ds {
			if (det.Name() == "gcp-credentials") != (pass == 1) || !det.Match(rel) {
				continue
			}
			for i, fp := range fuzzPaths {
				if det.Match(fp) {
					return i
				}
			}
		}
	}
	return -1
}

// FuzzDetect runs the detectors of one kind of file on arbitrary content:
// no panic (a recovered one shows as an internal error), findings inside
// the input, redacted forms and errors free of the secret, work bounded by
// the input's size.
func FuzzDetect(f *testing.F) {
	idx, data := corpusSeeds(f)
	for i := range idx {
		f.Add(idx[i], data[i])
	}
	f.Add(uint8(11), []byte("A=\"unterminated\nB=${X}\nexport C='x"))
	f.Add(uint8(9), []byte("provider \"aws\" {\n access_key = <<EOT\nAKIA\nEOT\n"))
	f.Add(uint8(5), []byte(`{"auths":{"x":{"auth":"Og=="}}}`))
	kb, err := rules.DefaultKB()
	if err != nil {
		f.Fatalf("DefaultKB() error: %v", err)
	}
	ds := Detectors(kb)
	f.Fuzz(func(t *testing.T, kind uint8, content []byte) {
		path := fuzzPaths[int(kind)%len(fuzzPaths)]
		text := string(content)
		lines := strings.Split(text, "\n")
		for _, d := range ds {
			if !d.Match(path) {
				continue
			}
			fs, err := d.Detect(t.Context(), path, content)
			if err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatalf("%s: %v", d.Name(), err)
			}
			if len(fs) > len(content)+1 {
				t.Fatalf("%s: %d findings in %d bytes", d.Name(), len(fs), len(content))
			}
			for _, fd := range fs {
				if fd.Line < 1 || fd.Line > len(lines) || fd.Column < 1 || fd.Column > len(lines[fd.Line-1])+1 ||
					fd.EndLine < fd.Line || fd.EndLine > len(lines) {
					t.Fatalf("%s: finding %s at %d:%d-%d:%d outside the input (%d lines)", d.Name(), fd.RuleID, fd.Line, fd.Column, fd.EndLine, fd.EndColumn, len(lines))
				}
				secret := fd.Secret.Reveal()
				if secret == "" {
					t.Fatalf("%s: finding %s with an empty secret", d.Name(), fd.RuleID)
				}
				if strings.Trim(secret, "*") != "" && strings.Contains(fd.Secret.Redacted(), secret) {
					t.Fatalf("%s: redacted form of %s holds the secret", d.Name(), fd.RuleID)
				}
				if err != nil && len(secret) >= 8 && strings.Contains(err.Error(), secret) {
					t.Fatalf("%s: error holds the secret of %s", d.Name(), fd.RuleID)
				}
			}
		}
	})
}

// FuzzParseJSON checks that the JSON parser never panics, keeps every
// value's span inside the input and builds at most one node per byte.
func FuzzParseJSON(f *testing.F) {
	idx, data := corpusSeeds(f)
	for i := range idx {
		f.Add(data[i])
	}
	f.Add([]byte(`{"a":"\ud800\u0041", "b": [1,2,{"c":/*x*/null},], // y` + "\n}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		n, _ := parseJSON(string(src))
		count := 0
		var walk func(*jnode)
		walk = func(n *jnode) {
			if n == nil {
				return
			}
			count++
			if n.off < 0 || n.off > len(src) || (n.end != 0 && (n.end < n.off || n.end > len(src))) {
				t.Fatalf("node span %d:%d outside %d bytes", n.off, n.end, len(src))
			}
			if n.kind == jString && n.raw && string(src[n.off:n.end]) != n.str {
				t.Fatalf("raw string %d:%d differs from its text", n.off, n.end)
			}
			for _, m := range n.members {
				walk(m.val)
			}
			for _, e := range n.elems {
				walk(e)
			}
		}
		walk(n)
		if count > len(src)+1 {
			t.Fatalf("%d nodes from %d bytes", count, len(src))
		}
	})
}

// FuzzParseHCL checks that the HCL reader never panics, keeps literal
// spans inside the input and reads at most one token per byte.
func FuzzParseHCL(f *testing.F) {
	idx, data := corpusSeeds(f)
	for i := range idx {
		if fuzzPaths[idx[i]] == "main.tf" || fuzzPaths[idx[i]] == "prod.tfvars" || fuzzPaths[idx[i]] == ".terraformrc" {
			f.Add(data[i])
		}
	}
	f.Add([]byte("a = \"${b(\"}\")}\"\nc = <<-X\n  y\n  X\nd { e = [for x in y : x] }\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		toks, _ := hclLex(t.Context(), string(src))
		if len(toks) > len(src)+1 {
			t.Fatalf("%d tokens from %d bytes", len(toks), len(src))
		}
		attrs, _ := parseHCL(t.Context(), string(src))
		for _, a := range attrs {
			if a.tok.off < 0 || a.tok.end > len(src) || a.tok.end < a.tok.off {
				t.Fatalf("attribute %q span %d:%d outside %d bytes", a.name, a.tok.off, a.tok.end, len(src))
			}
			if a.tok.raw && a.tok.lit && string(src[a.tok.off:a.tok.end]) != a.tok.text {
				t.Fatalf("raw literal %d:%d differs from its text", a.tok.off, a.tok.end)
			}
		}
	})
}

// FuzzLineParsers checks the line-based parsers (INI, .env, properties,
// netrc): no panic, every value's text inside the input, and raw values
// equal to their text.
func FuzzLineParsers(f *testing.F) {
	idx, data := corpusSeeds(f)
	for i := range idx {
		f.Add(data[i])
	}
	f.Add([]byte("a=\"b\\\"\nc\\\nd=e\r\nmachine \"x y\" password \"p\\\"\nmacdef m\nz\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s := string(src)
		check := func(what string, es []entry) {
			for _, e := range es {
				if e.off < 0 || e.off > len(s) || e.span() > len(s) && e.raw {
					t.Fatalf("%s: value of %q at %d (+%d) outside %d bytes", what, e.key, e.off, len(e.value), len(s))
				}
				if e.raw && s[e.off:e.span()] != e.value {
					t.Fatalf("%s: raw value of %q differs from its text", what, e.key)
				}
			}
		}
		es, _ := dotenvEntries(t.Context(), s)
		check("dotenv", es)
		es, _ = propertiesEntries(t.Context(), s)
		check("properties", es)
		ls, _ := iniLines(t.Context(), s, iniOptions{seps: "=:", inlineComments: true})
		for _, l := range ls {
			if l.off < 0 || l.off+len(l.value) > len(s) || s[l.off:l.off+len(l.value)] != l.value {
				t.Fatalf("ini: value of %q at %d differs from its text", l.key, l.off)
			}
		}
		toks, _ := netrcTokens(t.Context(), s)
		for _, tk := range toks {
			if tk.off < 0 || tk.off > len(s) || tk.raw && (tk.off+len(tk.text) > len(s) || s[tk.off:tk.off+len(tk.text)] != tk.text) {
				t.Fatalf("netrc: token at %d differs from its text", tk.off)
			}
		}
	})
}

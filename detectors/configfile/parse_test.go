package configfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// jflat flattens a JSON tree to "path=value@off:end" strings for
// comparison.
func jflat(n *jnode, path string, out *[]string) {
	if n == nil {
		return
	}
	switch n.kind {
	case jObject:
		for _, m := range n.members {
			jflat(m.val, path+"."+m.key, out)
		}
	case jArray:
		for _, e := range n.elems {
			jflat(e, path+"[]", out)
		}
	default:
		*out = append(*out, path+"="+n.str+"@"+itoa(n.off)+":"+itoa(n.end))
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestParseJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr string
	}{
		{"object", `{"a": "xy", "b": [1, true, null]}`, []string{".a=xy@7:9", ".b[]=1@18:19", ".b[]=true@21:25", ".b[]=null@27:31"}, ""},
		{"escapes", `{"k": "a\nb\u00e9\"c"}`, []string{".k=a\nbé\"c@7:20"}, ""},
		{"surrogate pair", `{"k": "\ud83d\ude00"}`, []string{".k=😀@7:19"}, ""},
		{"jsonc comments and trailing commas", "{\n // c\n \"a\": \"x\", /* b */\n \"b\": [\"y\",],\n}", []string{".a=x@15:16", ".b[]=y@35:36"}, ""},
		{"byte order mark", "\ufeff{\"a\": \"x\"}", []string{".a=x@10:11"}, ""},
		{"truncated keeps what came before", `{"a": "x", "b": {"c": "y", "d": "z`, []string{".a=x@7:8", ".b.c=y@23:24"}, "unexpected end of file in a string"},
		{"missing comma", `{"a": "x" "b": "y"}`, []string{".a=x@7:8"}, "expected ',' or '}'"},
		{"line break in string", "{\"a\": \"x\ny\"}", nil, "line break inside a string"},
		{"bad escape", `{"a": "\q"}`, nil, "invalid escape sequence"},
		{"trailing content", `{} {}`, nil, "after the JSON value"},
		{"empty", ``, nil, "empty document"},
		{"unterminated comment", `{/* x`, nil, "unterminated /* comment"},
		{"bare word", `{"a": nope}`, nil, "expected a value"},
		{"too deep", strings.Repeat("[", maxJSONDepth+1), nil, "nesting deeper than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := parseJSON(tt.in)
			var got []string
			jflat(n, "", &got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseJSON(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("parseJSON(%q) error = %v, want none", tt.in, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("parseJSON(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

// hflat describes the attributes parseHCL returns.
func hflat(attrs []hclAttr) []string {
	var out []string
	for _, a := range attrs {
		var ctx []string
		for _, b := range a.blocks {
			ctx = append(ctx, strings.Join(append([]string{b.typ}, b.labels...), " "))
		}
		ctx = append(ctx, a.keys...)
		s := strings.Join(append(ctx, a.name), "/")
		if a.ok {
			s += "=" + a.tok.text + "@" + itoa(a.tok.off)
			if !a.tok.lit {
				s += " (template)"
			}
		}
		out = append(out, s)
	}
	return out
}

func TestParseHCL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr string
	}{
		{
			"provider block", "provider \"aws\" {\n  region = \"us-east-1\"\n  access_key = var.key\n}\n",
			[]string{"provider aws/region=us-east-1@29"},
			"",
		},
		{
			"nested blocks and one-line block", "terraform {\n  backend \"s3\" { bucket = \"b\" }\n}\n",
			[]string{"terraform/backend s3/bucket=b@39"},
			"",
		},
		{
			"interpolation is a template", "x = \"${var.a}-suffix\"\ny = \"$${literal}\"\n",
			[]string{"x=${var.a}-suffix@5 (template)", "y=${literal}@27"},
			"",
		},
		{"heredoc", "k = <<-EOT\n  body\n  EOT\nz = 1\n", []string{"k=  body\n@11"}, ""},
		{
			"object and tuple values", "m = {\n  a = \"1\"\n  \"b\": \"2\", c = [\"3\", \"4\"]\n}\n",
			[]string{"m/a=1@13", "m/b=2@24", "m/c=3@34", "m/c=4@39"},
			"",
		},
		{"comments", "# c\n// d\n/* e\n*/ a = \"x\"\n", []string{"a=x@22"}, ""},
		{"escapes", `a = "q\"\u00e9"` + "\n", []string{"a=q\"é@5"}, ""},
		{"expressions skipped", "a = var.x == \"y\" ? \"p\" : \"q\"\nb = file(\"k.json\")\nc = \"v\"\n", []string{"c=v@53"}, ""},
		{"unterminated string", "a = \"x\nb = \"y\"\n", nil, "unterminated string"},
		{"missing brace keeps earlier attributes", "provider \"x\" {\n  a = \"1\"\n", []string{"provider x/a=1@22"}, "missing '}'"},
		{"heredoc without end", "a = <<EOT\nx\n", nil, "heredoc without its closing EOT line"},
		{"stray token", "= 1\n", nil, "expected an attribute or a block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			attrs, err := parseHCL(t.Context(), tt.in)
			if diff := cmp.Diff(tt.want, hflat(attrs)); diff != "" {
				t.Errorf("parseHCL(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			var he *hclError
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("parseHCL(%q) error = %v, want none", tt.in, err)
			case tt.wantErr != "" && (!errors.As(err, &he) || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("parseHCL(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestDotenvEntries(t *testing.T) {
	t.Parallel()
	type e struct {
		Key, Value string
		Off        int
		Raw        bool
	}
	in := "# c\nA=1\nexport B = \"two\\nlines\" # c\nC='x # y'\nD=plain # comment\nE=\"multi\nline\"\nnot a line\n9X=bad\nF=\"open\n"
	want := []e{
		{"A", "1", 6, true},
		{"B", "two\nlines", 20, false},
		{"C", "x # y", 39, true},
		{"D", "plain", 48, true},
		{"E", "multi\nline", 67, true},
		{"F", "open", 100, true},
	}
	es, err := dotenvEntries(t.Context(), in)
	if err != nil {
		t.Fatalf("dotenvEntries() error: %v", err)
	}
	var got []e
	for _, x := range es {
		got = append(got, e{x.key, x.value, x.off, x.raw})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dotenvEntries() mismatch (-want +got):\n%s", diff)
	}
}

func TestPropertiesEntries(t *testing.T) {
	t.Parallel()
	type e struct {
		Key, Value string
		Off        int
		Raw        bool
	}
	in := "# c\n! c\na=1\nb : two\nc three\nd=con\\\n   tinued\ne=esc\\u0041\\t\nkey\\ with\\ space=v\n"
	want := []e{
		{"a", "1", 10, true},
		{"b", "two", 16, true},
		{"c", "three", 22, true},
		{"d", "continued", 30, false},
		{"e", "escA\t", 47, false},
		{"key with space", "v", 76, true},
	}
	es, err := propertiesEntries(t.Context(), in)
	if err != nil {
		t.Fatalf("propertiesEntries() error: %v", err)
	}
	var got []e
	for _, x := range es {
		got = append(got, e{x.key, x.value, x.off, x.raw})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("propertiesEntries() mismatch (-want +got):\n%s", diff)
	}
}

func TestNetrcTokens(t *testing.T) {
	t.Parallel()
	in := "machine a login \"b c\" password p\\\"q # comment\nmacdef init\ncd x\n\nmachine d"
	toks, err := netrcTokens(t.Context(), in)
	if err != nil {
		t.Fatalf("netrcTokens() error: %v", err)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, tk.text+"@"+itoa(tk.off))
	}
	want := []string{"machine@0", "a@8", "login@10", "b c@17", "password@22", "p\\\"q@31", "macdef@46", "machine@64", "d@72"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("netrcTokens() mismatch (-want +got):\n%s", diff)
	}
}

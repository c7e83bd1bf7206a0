package configfile

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
)

// Rules of the maven-settings detector.
const (
	ruleMavenPassword = "maven-settings-password"
	ruleMavenProxy    = "maven-settings-proxy-password"
	ruleMavenHeader   = "maven-settings-http-header"
	maxXMLDepth       = 64
)

// matchMavenSettings: settings.xml and named variants (ci-settings.xml,
// maven-settings.xml). Other tools' settings.xml files are told apart by
// their root element, in Detect.
func matchMavenSettings(p string) bool {
	b := baseName(p)
	return hasSuffixFold(b, "settings.xml") && !strings.EqualFold(b, "settings-security.xml")
}

// mavenEncrypted matches values Maven decrypts with the master password:
// static secrets still, but not readable from the file alone.
var mavenEncrypted = regexp.MustCompile(`^\{[A-Za-z0-9+/=]{8,}\}$`)

// xmlText is an element's character data and where it sits.
type xmlText struct {
	value    string
	off, end int
}

// mavenServer is what a <server> or <proxy> element holds.
type mavenServer struct {
	kind     string // server or proxy
	id       string
	password xmlText
	pass     xmlText // passphrase
	header   string  // the <name> of the header property being read
	headers  []xmlText
}

// xmlCapture collects the character data of one element.
type xmlCapture struct {
	name  string
	depth int
	b     strings.Builder
	start int
	end   int
}

// scanMavenSettings reports literal passwords and passphrases of <server>
// elements, proxy passwords, and tokens sent as HTTP headers (GitLab's
// Private-Token). ${env.X} values are references; {...} values are
// encrypted with the master password and left out.
func scanMavenSettings(ctx context.Context, f *file) error {
	d := xml.NewDecoder(strings.NewReader(f.src))
	d.Entity = xml.HTMLEntity
	var stack []string
	var cur *mavenServer
	var capt *xmlCapture
	for n := 0; ; n++ {
		if n%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if len(stack) > 0 {
				return &ParseError{Path: f.path, Msg: "invalid Maven settings XML: unexpected end of file"}
			}
			return nil
		}
		if err != nil {
			return f.xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if len(stack) == 0 && name != "settings" {
				return nil // another tool's settings.xml
			}
			stack = append(stack, name)
			if len(stack) > maxXMLDepth {
				return &ParseError{Path: f.path, Msg: "invalid Maven settings XML: elements nested too deeply"}
			}
			capt = nil
			switch {
			case (name == "server" || name == "proxy") && len(stack) == 3:
				cur = &mavenServer{kind: name}
			case cur != nil && mavenCaptures(stack):
				off := int(d.InputOffset())
				capt = &xmlCapture{name: name, depth: len(stack), start: off, end: off}
			}
		case xml.CharData:
			if capt != nil {
				capt.b.Write(t)
				capt.end = int(d.InputOffset())
			}
		case xml.EndElement:
			if capt != nil && capt.depth == len(stack) {
				cur.set(stack, f.textAt(capt))
			}
			capt = nil
			if len(stack) == 0 {
				continue
			}
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if (name == "server" || name == "proxy") && cur != nil && len(stack) == 2 {
				f.mavenReport(cur)
				cur = nil
			}
		}
	}
}

// mavenCaptures reports whether the element at the top of stack (inside a
// server or proxy) holds a value the detector reads.
func mavenCaptures(stack []string) bool {
	name, parent := stack[len(stack)-1], stack[len(stack)-2]
	switch {
	case len(stack) == 4:
		return name == "id" || name == "password" || name == "passphrase"
	case parent == "property":
		return name == "name" || name == "value"
	}
	return false
}

// set stores a captured value.
func (s *mavenServer) set(stack []string, t xmlText) {
	name := stack[len(stack)-1]
	switch {
	case len(stack) == 4 && name == "id":
		s.id = t.value
	case len(stack) == 4 && name == "password":
		s.password = t
	case len(stack) == 4 && name == "passphrase":
		s.pass = t
	case name == "name":
		s.header = t.value
	case name == "value" && isAuthHeader(s.header):
		s.headers = append(s.headers, t)
	}
}

// isAuthHeader reports header names that carry credentials.
func isAuthHeader(name string) bool {
	return equalsAny(name, "Private-Token", "Job-Token", "Deploy-Token", "Authorization", "X-JFrog-Art-Api", "X-Api-Key") ||
		keyClass(name) != classNone
}

// textAt returns a capture's trimmed value and the offsets of its text.
func (f *file) textAt(c *xmlCapture) xmlText {
	v := strings.TrimSpace(c.b.String())
	t := xmlText{value: v, off: c.start, end: c.end}
	if c.start >= 0 && c.end <= len(f.src) && c.start <= c.end {
		raw := f.src[c.start:c.end]
		if i := strings.Index(raw, v); i >= 0 && v != "" {
			t.off, t.end = c.start+i, c.start+i+len(v)
		} else {
			lead := len(raw) - len(strings.TrimLeft(raw, " \t\r\n"))
			t.off = c.start + lead
		}
	}
	return t
}

// mavenReport reports the credentials of one server or proxy.
func (f *file) mavenReport(s *mavenServer) {
	note := s.kind
	if s.id != "" {
		note += " " + s.id
	}
	rule := ruleMavenPassword
	if s.kind == "proxy" {
		rule = ruleMavenProxy
	}
	for _, t := range []xmlText{s.password, s.pass} {
		if t.value == "" || mavenEncrypted.MatchString(t.value) || !acceptable(classPassword, t.value) {
			continue
		}
		f.addIn(entry{value: t.value, off: t.off, end: t.end, raw: true}, t.value, -1, cand{rule: rule, notes: []string{note}})
	}
	for _, t := range s.headers {
		v := strings.TrimSpace(t.value)
		if scheme, rest, ok := strings.Cut(v, " "); ok && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "token")) {
			v = strings.TrimSpace(rest)
		}
		if !acceptable(classSecret, v) {
			continue
		}
		f.addIn(entry{value: t.value, off: t.off, end: t.end, raw: true}, v, -1, cand{rule: ruleMavenHeader, notes: []string{note}})
	}
}

// xmlError turns a decoder error into a *ParseError. encoding/xml's
// syntax errors carry a line; their messages name tags, not content.
func (f *file) xmlError(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &ParseError{Path: f.path, Line: se.Line, Msg: "invalid Maven settings XML: " + entityRE.ReplaceAllString(se.Msg, "&...;")}
	}
	return &ParseError{Path: f.path, Msg: "invalid Maven settings XML: " + entityRE.ReplaceAllString(err.Error(), "&...;")}
}

// entityRE matches character entities quoted in decoder errors: an
// unknown "entity" may be part of a password written without escaping.
var entityRE = regexp.MustCompile(`&[^;\s]*;?`)

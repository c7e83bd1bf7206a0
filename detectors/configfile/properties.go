package configfile

import (
	"context"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Rule prefixes of the gradle-properties and spring-config detectors.
const (
	prefixGradle = "gradle"
	prefixSpring = "spring"
)

// matchGradleProperties: gradle.properties (project or ~/.gradle) and the
// properties files Android and Gradle builds keep signing and repository
// credentials in.
func matchGradleProperties(p string) bool {
	return equalsAny(baseName(p), "gradle.properties", "local.properties", "keystore.properties", "signing.properties",
		"secrets.properties", "secret.properties", "credentials.properties", "release.properties")
}

var springNameRE = regexp.MustCompile(`(?i)^(?:application|bootstrap)(?:[-_.][\w.-]+)?\.(?:ya?ml|properties)$`)

// matchSpringConfig: Spring Boot (and Micronaut, Quarkus) configuration:
// application.yml, application-prod.properties, bootstrap.yaml...
func matchSpringConfig(p string) bool {
	b := baseName(p)
	return (hasPrefixFold(b, "application") || hasPrefixFold(b, "bootstrap")) && springNameRE.MatchString(b)
}

// propLine is the key, raw value and value offset of a logical line.
type propLine struct {
	key, value string
	off        int
}

// propertiesEntries parses a Java properties file: # and ! comments, '=',
// ':' or white space between key and value, backslash line continuations
// and escapes (\uXXXX, \t, \n...).
func propertiesEntries(ctx context.Context, src string) ([]entry, error) {
	var out []entry
	ls := lines(src)
	for i := 0; i < len(ls); i++ {
		if i%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return out, err
			}
		}
		t := strings.TrimLeft(ls[i].text, " \t\f")
		if t == "" || t[0] == '#' || t[0] == '!' {
			continue
		}
		start := ls[i].off + len(ls[i].text) - len(t)
		// Join continuation lines.
		logical, end := t, ls[i].off+len(ls[i].text)
		if continues(t) && i+1 < len(ls) {
			var b strings.Builder
			b.WriteString(t[:len(t)-1])
			for i+1 < len(ls) {
				i++
				next := strings.TrimLeft(ls[i].text, " \t\f")
				end = ls[i].off + len(ls[i].text)
				if !continues(next) {
					b.WriteString(next)
					break
				}
				b.WriteString(next[:len(next)-1])
			}
			logical = b.String()
		}
		p := splitProperty(logical)
		if p.key == "" {
			continue
		}
		e := entry{key: unescapeProperty(p.key), value: unescapeProperty(p.value), off: start + p.off, end: end}
		if e.value == p.value && end == start+len(logical) {
			e.raw, e.end = true, e.off+len(e.value)
		}
		out = append(out, e)
	}
	return out, nil
}

// continues reports whether a line ends with an odd number of backslashes.
func continues(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitProperty splits a logical line into its key and raw value.
func splitProperty(s string) propLine {
	i := 0
	for i < len(s) {
		c := s[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			break
		}
		i++
	}
	key := s[:min(i, len(s))]
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\f') {
		j++
	}
	if j < len(s) && (s[j] == '=' || s[j] == ':') {
		j++
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\f') {
			j++
		}
	}
	j = min(j, len(s))
	return propLine{key: key, value: strings.TrimRight(s[j:], " \t"), off: j}
}

// unescapeProperty resolves the escapes of a properties key or value.
func unescapeProperty(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+5 <= len(s) {
				if r, err := strconv.ParseUint(s[i+1:i+5], 16, 32); err == nil {
					b.WriteRune(rune(r)) //nolint:gosec // G115: four hex digits, at most 0xFFFF
					i += 4
					continue
				}
			}
			b.WriteByte('u')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// scanGradleProperties reports signing and repository credentials:
// signing.password, ossrhPassword, gpr.key, storePassword and the like.
func scanGradleProperties(ctx context.Context, f *file) error {
	es, err := propertiesEntries(ctx, f.src)
	r := rulesFor(prefixGradle)
	f.scanEntries(es, &r)
	return err
}

// scanSpringConfig reports credentials in Spring configuration, as
// properties or YAML: spring.datasource.password, *.secret, *.password,
// jwt secrets, client secrets, database URLs with passwords. ${X} and
// ${X:default} placeholders, @x@ build filtering and {cipher} values are
// not literals.
func scanSpringConfig(ctx context.Context, f *file) error {
	r := rulesFor(prefixSpring)
	if strings.EqualFold(path.Ext(f.path), ".properties") {
		es, err := propertiesEntries(ctx, f.src)
		for i := range es {
			if j := strings.LastIndexByte(es[i].key, '.'); j >= 0 {
				es[i].ctx, es[i].key = es[i].key[:j], es[i].key[j+1:]
			}
		}
		f.scanSpringEntries(es, &r)
		return err
	}
	docs, err := f.yamlDocs(ctx, "YAML")
	for _, d := range docs {
		var es []entry
		f.flattenYAML(d, "", &es, 0)
		f.scanSpringEntries(es, &r)
	}
	return err
}

// scanSpringEntries groups flattened entries by their parent path (the
// scope of an AWS key pair) and reports them.
func (f *file) scanSpringEntries(es []entry, r *scopeRules) {
	var order []string
	groups := map[string][]entry{}
	for _, e := range es {
		if _, ok := groups[e.ctx]; !ok {
			order = append(order, e.ctx)
		}
		groups[e.ctx] = append(groups[e.ctx], e)
	}
	for _, ctx := range order {
		rr := *r
		for _, w := range keyWords(ctx) {
			if w == "aws" || w == "s3" {
				rr.inAWS = true
			}
		}
		f.scanEntries(groups[ctx], &rr)
	}
}

package remediate

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// jval is a JSON value with its byte range, for splicing.
type jval struct {
	start, end int
	kind       byte // '{', '[', '"', 'v'
	members    []jmember
	str        string
}

type jmember struct {
	keyStart int
	key      string
	val      *jval
}

// parseJSON parses src keeping byte ranges; it accepts what encoding/json
// accepts (it is only called on valid JSON).
func parseJSON(src []byte) (*jval, error) {
	if !json.Valid(src) {
		return nil, errors.New("the file is not valid JSON")
	}
	p := &jparser{s: src}
	v := p.value()
	return v, nil
}

type jparser struct {
	s []byte
	i int
}

func (p *jparser) ws() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *jparser) value() *jval {
	p.ws()
	v := &jval{start: p.i}
	switch p.s[p.i] {
	case '{':
		v.kind = '{'
		p.i++
		for {
			p.ws()
			if p.s[p.i] == '}' {
				p.i++
				break
			}
			ks := p.i
			k := p.value()
			p.ws()
			p.i++ // ':'
			val := p.value()
			v.members = append(v.members, jmember{keyStart: ks, key: k.str, val: val})
			p.ws()
			if p.s[p.i] == ',' {
				p.i++
			}
		}
	case '[':
		v.kind = '['
		p.i++
		for {
			p.ws()
			if p.s[p.i] == ']' {
				p.i++
				break
			}
			p.value()
			p.ws()
			if p.s[p.i] == ',' {
				p.i++
			}
		}
	case '"':
		v.kind = '"'
		j := p.i + 1
		for p.s[j] != '"' {
			if p.s[j] == '\\' {
				j++
			}
			j++
		}
		_ = json.Unmarshal(p.s[p.i:j+1], &v.str)
		p.i = j + 1
	default:
		v.kind = 'v'
		for p.i < len(p.s) && strings.IndexByte(",}] \t\r\n", p.s[p.i]) < 0 {
			p.i++
		}
	}
	v.end = p.i
	return v
}

func (v *jval) get(key string) *jval {
	for _, m := range v.members {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

var (
	dockerECR = regexp.MustCompile(`^(https://)?[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/?$`)
	dockerGAR = regexp.MustCompile(`^(https://)?([a-z0-9-]+-docker\.pkg\.dev|([a-z]+\.)?gcr\.io)/?$`)
)

// fixDockerConfig replaces static registry auths in a docker config.json
// with credential helpers that mint short-lived tokens (CF-3): ecr-login
// for ECR, gcloud for Artifact Registry and Container Registry.
func fixDockerConfig(fc *fileCtx) {
	root, err := parseJSON(fc.src)
	if err != nil {
		fc.refuse(0, "%s", err.Error())
		return
	}
	if root.kind != '{' {
		return
	}
	auths := root.get("auths")
	if auths == nil || auths.kind != '{' {
		return
	}
	helpers := map[string]string{}
	var remove []jmember
	for _, m := range auths.members {
		if m.val.kind != '{' || (m.val.get("auth") == nil && m.val.get("identitytoken") == nil && m.val.get("password") == nil) {
			continue
		}
		switch {
		case dockerECR.MatchString(m.key):
			helpers[m.key] = "ecr-login"
		case dockerGAR.MatchString(m.key):
			helpers[m.key] = "gcloud"
		default:
			fc.refuse(lineAt(fc.src, m.keyStart), "registry %s has no credential helper that mints short-lived tokens; use `docker login` with a credential store (credsStore) locally and OIDC in CI (Docker Hub OIDC, GHCR with GITHUB_TOKEN, az acr login)", m.key)
			continue
		}
		remove = append(remove, m)
	}
	if len(remove) == 0 {
		return
	}
	var sp []jsplice
	sp = append(sp, removeMembers(auths, remove)...)
	step, nl := jsonIndent(fc.src, auths)
	rootInd := lineIndent(fc.src, root.members[0].keyStart)
	if ch := root.get("credHelpers"); ch != nil && ch.kind == '{' {
		open := lineIndent(fc.src, ch.start)
		sp = append(sp, addMembers(fc.src, ch, helpers, open+step, open, nl))
	} else {
		ind := step
		var b strings.Builder
		b.WriteString("," + nl + rootInd + `"credHelpers": {`)
		for i, k := range slices.Sorted(maps.Keys(helpers)) {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(nl + rootInd + ind + jsonString(k) + ": " + jsonString(helpers[k]))
		}
		b.WriteString(nl + rootInd + "}")
		sp = append(sp, jsplice{auths.end, auths.end, b.String()})
	}
	out := applyJSplices(fc.src, sp)
	// The result must mean the old document minus the auths plus the
	// helpers, nothing else.
	var before, after map[string]any
	if json.Unmarshal(fc.src, &before) != nil || json.Unmarshal(out, &after) != nil {
		fc.refuse(0, "the rewrite would not be valid JSON")
		return
	}
	a, _ := before["auths"].(map[string]any)
	for _, m := range remove {
		delete(a, m.key)
	}
	chm, _ := before["credHelpers"].(map[string]any)
	if chm == nil {
		chm = map[string]any{}
	}
	for k, v := range helpers {
		chm[k] = v
	}
	before["credHelpers"] = chm
	if !reflect.DeepEqual(before, after) {
		fc.refuse(0, "the rewrite would change the file beyond the intended edit")
		return
	}
	fc.out = out
	fc.summary = "Replace static registry auths with credential helpers"
	for _, k := range slices.Sorted(maps.Keys(helpers)) {
		fc.detail("%s: credential helper %s instead of a stored auth", k, helpers[k])
	}
	fc.caveat("the helpers must be installed where docker runs: docker-credential-ecr-login (uses the AWS default credential chain) and docker-credential-gcloud (gcloud auth configure-docker)")
	fc.caveat("the stored auth stays in git history: revoke the password or token it encodes")
	fc.retireRef("registry-credential", "docker config.json auth", "")
}

type jsplice struct {
	start, end int
	text       string
}

func applyJSplices(src []byte, sp []jsplice) []byte {
	sort.SliceStable(sp, func(i, j int) bool { return sp[i].start < sp[j].start })
	var b strings.Builder
	pos := 0
	for _, s := range sp {
		b.Write(src[pos:s.start])
		b.WriteString(s.text)
		pos = s.end
	}
	b.Write(src[pos:])
	return []byte(b.String())
}

// removeMembers deletes members of object obj with their separators.
func removeMembers(obj *jval, rm []jmember) []jsplice {
	keep := map[int]bool{}
	for i, m := range obj.members {
		keep[i] = true
		for _, r := range rm {
			if r.keyStart == m.keyStart {
				keep[i] = false
			}
		}
	}
	var kept []int
	for i := range obj.members {
		if keep[i] {
			kept = append(kept, i)
		}
	}
	if len(kept) == 0 {
		return []jsplice{{obj.start + 1, obj.end - 1, ""}}
	}
	var out []jsplice
	for i, m := range obj.members {
		if keep[i] {
			continue
		}
		// Remove from the end of the previous kept value (or the brace)
		// to the end of this value: the separator before it goes with it;
		// for a leading member, the separator after it goes instead.
		if i == 0 || !anyKeptBefore(keep, i) {
			next := obj.members[nextKept(keep, i)]
			out = append(out, jsplice{m.keyStart, next.keyStart, ""})
			continue
		}
		prev := obj.members[prevKept(keep, i)]
		out = append(out, jsplice{prev.val.end, m.val.end, ""})
	}
	return mergeSplices(out)
}

func anyKeptBefore(keep map[int]bool, i int) bool {
	for j := 0; j < i; j++ {
		if keep[j] {
			return true
		}
	}
	return false
}

func nextKept(keep map[int]bool, i int) int {
	for j := i + 1; ; j++ {
		if keep[j] {
			return j
		}
	}
}

func prevKept(keep map[int]bool, i int) int {
	for j := i - 1; ; j-- {
		if keep[j] {
			return j
		}
	}
}

// mergeSplices joins overlapping deletions.
func mergeSplices(sp []jsplice) []jsplice {
	sort.Slice(sp, func(i, j int) bool { return sp[i].start < sp[j].start })
	var out []jsplice
	for _, s := range sp {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// addMembers adds string members at the end of object obj, indented by
// ind; closeInd indents the closing brace of an object that was empty.
func addMembers(src []byte, obj *jval, kv map[string]string, ind, closeInd, nl string) jsplice {
	if len(obj.members) > 0 {
		ind = lineIndent(src, obj.members[0].keyStart)
	}
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(kv)) {
		if i > 0 || len(obj.members) > 0 {
			b.WriteString(",")
		}
		b.WriteString(nl + ind + jsonString(k) + ": " + jsonString(kv[k]))
	}
	if len(obj.members) == 0 {
		return jsplice{obj.start + 1, obj.end - 1, b.String() + nl + closeInd}
	}
	last := obj.members[len(obj.members)-1].val.end
	return jsplice{last, last, b.String()}
}

// jsonIndent returns the indentation step of obj's members and the line
// ending of the file.
func jsonIndent(src []byte, obj *jval) (string, string) {
	nl := "\n"
	if strings.Contains(string(src), "\r\n") {
		nl = "\r\n"
	}
	if len(obj.members) == 0 {
		return "\t", nl
	}
	mi := lineIndent(src, obj.members[0].keyStart)
	oi := lineIndent(src, obj.start)
	if strings.HasPrefix(mi, oi) && len(mi) > len(oi) {
		return mi[len(oi):], nl
	}
	return "\t", nl
}

func lineIndent(src []byte, off int) string {
	ls := strings.LastIndexByte(string(src[:off]), '\n') + 1
	i := ls
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return string(src[ls:i])
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func lineAt(src []byte, off int) int { return strings.Count(string(src[:off]), "\n") + 1 }

package configfile

import (
	"context"
	"strings"
)

// rulePyPIRCPassword is a literal password (or API token) in .pypirc.
const rulePyPIRCPassword = "pypirc-password"

func matchPyPIRC(p string) bool { return equalsAny(baseName(p), ".pypirc", "pypirc") }

// scanPyPIRC reports the password of each repository section. With
// username __token__ the password is a PyPI API token, typed by its shape.
func scanPyPIRC(ctx context.Context, f *file) error {
	ls, err := iniLines(ctx, f.src, iniOptions{seps: "=:"})
	users := map[string]string{}
	for _, l := range ls {
		if strings.EqualFold(l.key, "username") {
			users[l.section] = l.value
		}
	}
	for _, l := range ls {
		if l.indented || !strings.EqualFold(l.key, "password") {
			continue
		}
		e := entryOf(l, l.section)
		v := strings.TrimSpace(e.value)
		if !acceptable(classPassword, v) {
			continue
		}
		c := cand{rule: rulePyPIRCPassword, provider: "pypi", notes: []string{"repository [" + l.section + "]"}}
		if users[l.section] == "__token__" {
			c.notes = append(c.notes, "username __token__: an API token")
		}
		f.addIn(e, v, -1, c)
	}
	return err
}

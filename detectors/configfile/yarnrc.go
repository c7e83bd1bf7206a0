package configfile

import (
	"context"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Rules of the yarnrc detector.
const (
	ruleYarnToken = "yarnrc-auth-token"
	ruleYarnIdent = "yarnrc-auth-ident"
)

// matchYarnrc: Yarn Berry's .yarnrc.yml (project or home).
func matchYarnrc(p string) bool { return equalsAny(baseName(p), ".yarnrc.yml", ".yarnrc.yaml") }

// scanYarnrc reports npmAuthToken and npmAuthIdent (user:password, or its
// base64) at the top level, under npmScopes and under npmRegistries. Yarn
// reads ${NPM_TOKEN} from the environment: those are references.
func scanYarnrc(ctx context.Context, f *file) error {
	docs, err := f.yamlDocs(ctx, "YAML")
	for _, d := range docs {
		f.walkYarnrc(d, "", 0)
	}
	return err
}

func (f *file) walkYarnrc(n *yaml.Node, where string, depth int) {
	if n == nil || n.Kind != yaml.MappingNode || depth > 4 {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		c := cand{provider: "npm"}
		if where != "" {
			c.notes = []string{where}
		}
		switch {
		case k == "npmAuthToken" && v.Kind == yaml.ScalarNode:
			if e := f.yamlEntry(k, "", v); !e.expr && acceptable(classSecret, strings.TrimSpace(v.Value)) {
				c.rule = ruleYarnToken
				f.addIn(e, strings.TrimSpace(v.Value), -1, c)
			}
		case k == "npmAuthIdent" && v.Kind == yaml.ScalarNode:
			e := f.yamlEntry(k, "", v)
			val := strings.TrimSpace(v.Value)
			if e.expr || isReference(val) || isPlaceholder(val) {
				continue
			}
			c.rule = ruleYarnIdent
			if _, pass, ok := strings.Cut(val, ":"); ok {
				if acceptable(classPassword, pass) {
					f.addIn(e, pass, -1, c)
				}
				continue
			}
			f.addDecoded(e, val, c, true)
		case v.Kind == yaml.MappingNode:
			sub := k
			if where != "" {
				sub = where + " " + k
			}
			f.walkYarnrc(v, sub, depth+1)
		}
	}
}

//go:build scratch

package detectors

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sessionize/sessionize/rules"
)

func srcLike(n int) string {
	lines := []string{
		`	if err := db.Ping(ctx); err != nil { return fmt.Errorf("ping: %w", err) }`,
		`    password = getpass.getpass("Password: ")`,
		`const apiUrl = "https://api.corp.io/v1/orders?page=" + page;`,
		`DATABASE_URL=postgres://postgres:postgres@localhost:5432/app`,
		`spring.datasource.password=${DB_PASSWORD}`,
		`    "password": "Passwort",`,
		`	cfg := Config{Host: host, Password: os.Getenv("DB_PASSWORD")}`,
		`# see https://docs.corp.io/setup#database for the connection string`,
		`      - name: secret-volume`,
		`def bypass_cache(key): return cache.get(key) or compute(key)`,
		`curl -fsS "https://legacy.corp.internal/export?user=x&password=${EXPORT_PASSWORD}"`,
		`"Server=reports;Database=reports;Integrated Security=True;"`,
		`	// Secret rotation happens in the vault job; see secretsync.go.`,
		`    pass`,
		`export PATH="$HOME/.local/bin:$PATH"`,
	}
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(lines[r.IntN(len(lines))])
		b.WriteByte('\n')
	}
	return b.String()
}

func TestScratchRegexCost(t *testing.T) {
	content := srcLike(1 << 20)
	rs, _ := builtinRuleSet(rules.Packs())
	type res struct {
		id  string
		d   time.Duration
		mine bool
	}
	var out []res
	for _, r := range rs.rules {
		if r.Regex == "" {
			continue
		}
		lc := strings.ToLower(content)
		hit := len(r.Keywords) == 0
		for _, k := range r.Keywords {
			if strings.Contains(lc, k) {
				hit = true
			}
		}
		if !hit {
			continue
		}
		re := regexp.MustCompile(r.Regex)
		best := time.Hour
		for i := 0; i < 3; i++ {
			st := time.Now()
			re.FindAllStringIndex(content, -1)
			if d := time.Since(st); d < best {
				best = d
			}
		}
		out = append(out, res{r.ID, best, strings.HasPrefix(r.pos, "rules/")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].d > out[j].d })
	var sumBase, sumMine time.Duration
	for _, o := range out {
		if o.mine {
			sumMine += o.d
		} else {
			sumBase += o.d
		}
	}
	fmt.Println("gitleaks rules:", sumBase, "project rules:", sumMine)
	for _, o := range out {
		if !o.mine && o.id != "generic-api-key" { continue }
		fmt.Printf("%-40s %v %v\n", o.id, o.d, o.mine)
	}
}

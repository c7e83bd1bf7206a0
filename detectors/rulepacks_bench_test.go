package detectors_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors"
)

// sourceLike returns about n bytes of code and configuration lines of the
// kinds that trigger the project's rules' keywords (passwords, URLs,
// connection strings) without holding secrets, from a fixed seed.
func sourceLike(n int) string {
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

func BenchmarkDetect_RulePacks(b *testing.B) {
	content := sourceLike(1 << 20)
	for _, bc := range []struct {
		name string
		opts detectors.Options
	}{
		{"packs=none", detectors.Options{NoPacks: true}},
		{"packs=all", detectors.Options{}},
	} {
		b.Run(bc.name+"/size=1MiB", func(b *testing.B) {
			d, err := detectors.New(bc.opts)
			if err != nil {
				b.Fatal(err)
			}
			if err := d.Compile(); err != nil {
				b.Fatal(err)
			}
			frag := detectors.Fragment{Path: "src/app.py", Content: content, StartLine: 1}
			b.ReportAllocs()
			b.SetBytes(int64(len(content)))
			for b.Loop() {
				if _, err := d.Detect(b.Context(), frag); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

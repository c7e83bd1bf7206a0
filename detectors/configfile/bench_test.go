package configfile_test

import (
	"strings"
	"testing"

	"github.com/sessionize/sessionize/detectors/configfile"
)

// BenchmarkDetect measures each parser on about 64 KiB of typical content.
func BenchmarkDetect(b *testing.B) {
	pat := fakeGitHubPAT()
	inputs := []struct{ name, path, unit string }{
		{"dotenv", ".env", "DATABASE_URL=postgres://app:Xk9mP2vLq7@db:5432/app\nJWT_SECRET=" + fill(32) + "\nPORT=3000\nAPI_TOKEN=${TOKEN}\n"},
		{"json", ".mcp.json", `{"mcpServers": {"gh": {"command": "npx", "args": ["-y", "x"], "env": {"GITHUB_TOKEN": "` + pat + `", "DEBUG": "1"}}}}`},
		{"hcl", "main.tf", "resource \"aws_db_instance\" \"x\" {\n  engine = \"postgres\"\n  password = var.pw\n  tags = { a = \"b\" }\n}\n"},
		{"yaml", "application.yml", "spring:\n  datasource:\n    url: jdbc:postgresql://db/app\n    password: ${DB_PASSWORD}\n---\n"},
		{"xml", "settings.xml", "<server><id>a</id><password>${env.P}</password></server>"},
	}
	ds := configfile.Detectors(kb(b))
	for _, in := range inputs {
		content := strings.Repeat(in.unit, 64<<10/len(in.unit)+1)
		switch in.name {
		case "json":
			content = `{"a": [` + strings.TrimSuffix(strings.Repeat(in.unit+",", 64<<10/len(in.unit)+1), ",") + `]}`
		case "xml":
			content = "<settings><servers>" + content + "</servers></settings>"
		}
		data := []byte(content)
		b.Run("kind="+in.name+"/size=64KiB", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				for _, d := range ds {
					if d.Match(in.path) {
						if _, err := d.Detect(b.Context(), in.path, data); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
		})
	}
}

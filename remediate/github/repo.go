package github

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"github.com/sessionize/sessionize/rules"
)

// Repository names a GitHub repository.
type Repository struct {
	Owner, Name string
}

var repoName = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// ParseRepository parses OWNER/NAME.
func ParseRepository(s string) (Repository, error) {
	if !repoName.MatchString(s) {
		return Repository{}, fmt.Errorf("repository %q: want OWNER/NAME", s)
	}
	owner, name, _ := strings.Cut(s, "/")
	return Repository{Owner: owner, Name: strings.TrimSuffix(name, ".git")}, nil
}

// String returns OWNER/NAME.
func (r Repository) String() string { return r.Owner + "/" + r.Name }

// Author is the identity of the tool's commits, author and committer
// alike. Its email is how a later run recognises its own commits.
type Author struct {
	Name, Email string
}

// DefaultAuthor is the author when none is configured.
var DefaultAuthor = Author{Name: "sessionize", Email: "sessionize@users.noreply.github.com"}

// ParseAuthor parses "Name <email>".
func ParseAuthor(s string) (Author, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name == "" {
		return Author{}, fmt.Errorf("author %q: want \"Name <email>\"", s)
	}
	return Author{Name: a.Name, Email: a.Address}, nil
}

// String returns "Name <email>".
func (a Author) String() string { return a.Name + " <" + a.Email + ">" }

// Config is the [pr] section of .sessionize.toml:
//
//	[pr]
//	author = "Security Bot <security-bot@example.com>"
//	labels = ["credentials"]   # added to security, sessionize and the platform label
//	draft = true
type Config struct {
	Author string   `toml:"author"`
	Labels []string `toml:"labels"`
	Draft  bool     `toml:"draft"`
}

// ParseConfig reads the [pr] section of a .sessionize.toml document (the
// other sections are ignored). An unknown key in [pr] or a malformed author
// is an error naming the file and position; a document without [pr] gives
// the zero Config.
func ParseConfig(name string, data []byte) (Config, error) {
	var f struct {
		PR *Config `toml:"pr"`
	}
	if err := rules.DecodeSection(name, data, &f, "pr"); err != nil {
		return Config{}, err
	}
	if f.PR == nil {
		return Config{}, nil
	}
	if f.PR.Author != "" {
		if _, err := ParseAuthor(f.PR.Author); err != nil {
			return Config{}, fmt.Errorf("%s: [pr] %w", name, err)
		}
	}
	for _, l := range f.PR.Labels {
		if strings.TrimSpace(l) == "" || len(l) > 50 {
			return Config{}, fmt.Errorf("%s: [pr] label %q: want 1 to 50 characters", name, l)
		}
	}
	return *f.PR, nil
}

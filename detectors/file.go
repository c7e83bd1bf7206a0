package detectors

import "context"

// FileDetector examines whole files of a kind it understands: CI
// definitions, configuration files. It shares the [Finding] contract with
// the content rules.
type FileDetector interface {
	// Name identifies the detector ("github-actions", "npmrc", ...).
	Name() string
	// Match reports whether the slash-separated path is a file this detector
	// understands. It must be cheap: it runs on every path.
	Match(path string) bool
	// Detect examines content. A file that does not parse is an error naming
	// the file and what is wrong; findings made before the problem may be
	// returned with it.
	Detect(ctx context.Context, path string, content []byte) ([]Finding, error)
}

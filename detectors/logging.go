package detectors

import (
	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/logging"
)

// SilenceGitleaks turns gitleaks' package-level logger off. Its debug and
// trace lines carry raw secrets, and its info lines would mix with
// sessionize's own output. cmd calls it once, before any detection.
func SilenceGitleaks() {
	logging.Logger = zerolog.Nop()
}

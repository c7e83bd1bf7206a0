// Package classify derives what can be known offline from a credential's
// value: its expiry and issue time where the format carries them (JWT exp and
// iat, SAS se= and st=, presigned URLs, PyPI macaroon caveats), the variant a
// prefix reveals (AKIA vs ASIA, ghp_ vs ghs_, xoxb vs xoxe, hvs. vs hvb.,
// ya29.), and whether a checksum validates. It works on plain strings and
// imports nothing else of sessionize but rules.
package classify

import (
	"time"

	"github.com/sessionize/sessionize/rules"
)

// Facts is what the value says about itself. Zero fields are unknown.
type Facts struct {
	// Type overrides the knowledge base's type when the value reveals a more
	// precise one (an ASIA key is an STS session key, not an IAM user key).
	Type string
	// Lifetime overrides the type's default class.
	Lifetime rules.Lifetime
	// IssuedAt and ExpiresAt are decoded from the value.
	IssuedAt, ExpiresAt time.Time
	// Notes are human-readable facts ("AKIA prefix: IAM user key").
	Notes []string
	// Invalid marks a value whose checksum or structure is wrong, a likely
	// false positive.
	Invalid bool
}

// Value classifies a value matched by rule ruleID.
func Value(ruleID, value string) Facts {
	return Facts{}
}

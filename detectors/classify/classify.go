// Package classify derives what can be known offline from a credential's
// value: its expiry and issue time where the format carries them (JWT exp and
// iat, SAS se= and st=, presigned URLs, PyPI macaroon caveats), the variant a
// prefix reveals (AKIA vs ASIA, ghp_ vs ghs_, xoxb vs xoxe, hvs. vs hvb.,
// ya29.), and whether a checksum validates. It works on plain strings and
// imports nothing else of sessionize but rules.
//
// Every function here takes untrusted input: values are capped at
// [MaxValueLen] bytes before any decoding, decoders bound their loops, and
// nothing panics. Notes never quote the value.
package classify

import (
	"strings"
	"time"

	"github.com/sessionize/sessionize/rules"
)

// MaxValueLen is the longest value Value decodes; longer values are
// classified by prefix only.
const MaxValueLen = 16 << 10

// Facts is what the value says about itself. Zero fields are unknown.
type Facts struct {
	// Type overrides the knowledge base's type when the value reveals a more
	// precise one (an ASIA key is an STS session key, not an IAM user key).
	// It names a type of the knowledge base (rules/credentials/*.toml).
	Type string
	// Lifetime overrides the type's default class.
	Lifetime rules.Lifetime
	// IssuedAt and ExpiresAt are decoded from the value.
	IssuedAt, ExpiresAt time.Time
	// Notes are human-readable facts ("AKIA prefix: IAM user key").
	Notes []string
	// Invalid marks a value whose checksum or structure is wrong, or that is
	// not a secret at all (an IAM unique ID): a likely false positive.
	Invalid bool
}

// Value classifies a value matched by rule ruleID. It is a pure function of
// its arguments: the same value always yields the same facts, whatever the
// clock says (whether an expiry has passed is for scoring to judge).
func Value(ruleID, value string) Facts {
	value = strings.TrimSpace(value)
	for _, c := range classifiers {
		if f, ok := c(ruleID, value); ok {
			return f
		}
	}
	return Facts{}
}

// A classifier reports facts about the values it recognises.
type classifier func(ruleID, value string) (Facts, bool)

// classifiers are tried in order; prefix checks come before decoders that
// look inside the value.
var classifiers = []classifier{
	awsKeyID,
	githubToken,
	slackToken,
	vaultToken,
	googleOAuthToken,
	pypiToken,
	presignedURL,
	sasToken,
	jwtToken,
}

// Duration bounds of the lifetime classes (SPEC §1), with five minutes of
// slack for issuers that backdate issue times or round expiries.
const (
	sessionMax = time.Hour + 5*time.Minute
	shortMax   = 24*time.Hour + 5*time.Minute
)

// LifetimeFor returns the lifetime class of a credential valid for d: at most
// about an hour is session, at most a day short, longer bounded. It returns
// "" for a non-positive d.
func LifetimeFor(d time.Duration) rules.Lifetime {
	switch {
	case d <= 0:
		return ""
	case d <= sessionMax:
		return rules.Session
	case d <= shortMax:
		return rules.Short
	default:
		return rules.Bounded
	}
}

// withValidity sets the issue and expiry times of f and the lifetime and a
// note derived from them. what names the credential in the note ("JWT").
// An unknown issue time leaves an expiring credential bounded: without the
// clock, nothing else can be said.
func (f *Facts) withValidity(what string, issued, expires time.Time) {
	f.IssuedAt, f.ExpiresAt = issued, expires
	switch {
	case expires.IsZero():
		return
	case issued.IsZero():
		f.Lifetime = rules.Bounded
		f.Notes = append(f.Notes, what+" expires "+stamp(expires)+"; issue time unknown")
	case !expires.After(issued):
		f.Notes = append(f.Notes, what+" expires before it is issued")
	default:
		d := expires.Sub(issued)
		f.Lifetime = LifetimeFor(d)
		f.Notes = append(f.Notes, what+" expires "+HumanDuration(d)+" after issue ("+stamp(expires)+")")
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// HumanDuration writes d the way a reader says it: "10 min", "1 h",
// "8 h 30 min", "30 days", "2 years".
func HumanDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return plural(int64(d/time.Second), "s", "s")
	case d < time.Hour:
		return plural(int64(d/time.Minute), "min", "min")
	case d < 2*day:
		h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
		if m == 0 {
			return plural(h, "h", "h")
		}
		return plural(h, "h", "h") + " " + plural(m, "min", "min")
	case d < 730*day:
		return plural(int64(d/day), "day", "days")
	default:
		return plural(int64(d/(365*day)), "year", "years")
	}
}

func plural(n int64, one, many string) string {
	unit := many
	if n == 1 {
		unit = one
	}
	return itoa(n) + " " + unit
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// unixTime converts seconds since the epoch to a time, refusing values
// outside years 1970-9999 (garbage, or milliseconds).
func unixTime(sec float64) (time.Time, bool) {
	if sec <= 0 || sec > 253402300799 {
		return time.Time{}, false
	}
	return time.Unix(int64(sec), 0).UTC(), true
}

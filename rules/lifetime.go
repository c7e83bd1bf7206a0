package rules

import "fmt"

// Lifetime is the lifetime class of a credential (SPEC §1), ordered from the
// shortest-lived to the longest-lived.
type Lifetime string

// The lifetime classes.
const (
	// Session credentials are issued per job or request and live at most
	// about an hour: STS sessions, GitHub App installation tokens,
	// OIDC-federated cloud tokens.
	Session Lifetime = "session"
	// Short credentials expire within 24 hours.
	Short Lifetime = "short"
	// Bounded credentials carry an expiry further than 24 hours away.
	Bounded Lifetime = "bounded"
	// Standing credentials never expire, or expire at an unknown time and are
	// long-lived by design (AWS AKIA keys, classic PATs, private keys).
	Standing Lifetime = "standing"
)

// Lifetimes lists the classes from the shortest-lived to the longest-lived.
var Lifetimes = []Lifetime{Session, Short, Bounded, Standing}

// Rank orders lifetime classes: session 0, short 1, bounded 2, standing 3.
// An unknown class ranks as standing, the cautious reading.
func (l Lifetime) Rank() int {
	switch l {
	case Session:
		return 0
	case Short:
		return 1
	case Bounded:
		return 2
	default:
		return 3
	}
}

// Valid reports whether l is one of the four classes.
func (l Lifetime) Valid() bool {
	switch l {
	case Session, Short, Bounded, Standing:
		return true
	}
	return false
}

// ParseLifetime parses a lifetime class name.
func ParseLifetime(s string) (Lifetime, error) {
	l := Lifetime(s)
	if !l.Valid() {
		return "", fmt.Errorf("unknown lifetime class %q (want session, short, bounded or standing)", s)
	}
	return l, nil
}

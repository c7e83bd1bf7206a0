package detectors

// Reference returns a Detector over the same rules that uses gitleaks'
// engine unchanged, the reference the differential tests compare against.
func Reference(d *Detector) *Detector {
	r := d.derive(d.keep)
	r.reference = true
	return r
}

// WithRE2 returns a Detector over the same rules that matches with RE2.
func WithRE2(d *Detector) *Detector {
	r := d.derive(d.keep)
	r.re2 = true
	return r
}

// KeptRules lists, in rule-set order, the IDs of the rules d compiles.
func KeptRules(d *Detector) []string {
	var out []string
	for _, r := range d.rs.rules {
		if d.keep == nil || d.keep(r) {
			out = append(out, r.ID)
		}
	}
	return out
}

// SameGlobalAllowlists reports whether a and b, once compiled, hold the same
// compiled global allowlists (the same values, not copies).
func SameGlobalAllowlists(a, b *Detector) (bool, error) {
	ma, err := a.engine()
	if err != nil {
		return false, err
	}
	mb, err := b.engine()
	if err != nil {
		return false, err
	}
	if len(ma.cfg.Allowlists) == 0 || len(ma.cfg.Allowlists) != len(mb.cfg.Allowlists) {
		return false, nil
	}
	for i := range ma.cfg.Allowlists {
		if ma.cfg.Allowlists[i] != mb.cfg.Allowlists[i] {
			return false, nil
		}
	}
	return true, nil
}

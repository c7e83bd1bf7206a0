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

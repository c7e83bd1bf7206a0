package detectors

// Reference returns a Detector over the same rules that uses gitleaks'
// engine unchanged, the reference the differential tests compare against.
func Reference(d *Detector) *Detector {
	r := d.derive(d.keep)
	r.reference = true
	return r
}

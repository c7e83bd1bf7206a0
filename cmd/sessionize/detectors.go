package main

import (
	"github.com/sessionize/sessionize/detectors"
	"github.com/sessionize/sessionize/detectors/ci"
	"github.com/sessionize/sessionize/detectors/configfile"
)

// fileDetectors returns the structured detectors for CI definitions and
// configuration files, classifying with the detector's knowledge base.
func fileDetectors(d *detectors.Detector) []detectors.FileDetector {
	kb := d.KB()
	return append(ci.Detectors(kb), configfile.Detectors(kb)...)
}

package main

import (
	"github.com/sessionize/sessionize/detectors"
)

// fileDetectors returns the structured detectors for CI definitions and
// configuration files.
func fileDetectors() []detectors.FileDetector {
	return nil
}

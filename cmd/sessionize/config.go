package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sessionize/sessionize/detectors"
)

// configNames are looked for, in order, at the scanned root.
var configNames = []string{".sessionize.toml", ".gitleaks.toml"}

// findConfig returns the configuration file for a scan of root: --config if
// given, else the first of configNames at root. nil means the built-in rules.
func (a *app) findConfig(root string) (*detectors.ConfigFile, error) {
	p := a.configFile
	lenient := false
	if p == "" {
		dir := root
		if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
			dir = filepath.Dir(root)
		}
		for _, n := range configNames {
			c := filepath.Join(dir, n)
			if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
				p, lenient = c, n == ".gitleaks.toml"
				break
			}
		}
		if p == "" {
			return nil, nil
		}
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usageError{fmt.Errorf("--config %q: no such file", p)}
	}
	if err != nil {
		return nil, fmt.Errorf("read config %q: %w", p, err)
	}
	return &detectors.ConfigFile{
		Name: filepath.ToSlash(p), Data: data, Dir: filepath.Dir(p), Lenient: lenient,
		ReadFile: os.ReadFile,
	}, nil
}

// detectorKind says what a detector is for.
type detectorKind int

const (
	// smallScan: a quick start matters more than throughput (pre-commit,
	// fixes, listings): Go's regexp package.
	smallScan detectorKind = iota
	// largeScan: histories, working trees, audits: RE2, which takes a tenth of
	// a second to start and then matches several times faster.
	largeScan
	// gitleaksEngine: gitleaks' own engine (benchmarks and comparisons).
	gitleaksEngine
)

// newDetector builds the content detector for a scan of root.
func (a *app) newDetector(root string, kind ...detectorKind) (*detectors.Detector, error) {
	cf, err := a.findConfig(root)
	if err != nil {
		return nil, err
	}
	k := smallScan
	if len(kind) > 0 {
		k = kind[0]
	}
	d, err := detectors.New(detectors.Options{Config: cf, RE2: k == largeScan, GitleaksEngine: k == gitleaksEngine})
	if err != nil {
		return nil, err
	}
	for _, w := range d.Warnings() {
		a.logger.Warn(w)
	}
	return d, nil
}

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

// newDetector builds the content detector for a scan of root; gitleaksEngine
// selects gitleaks' own matching engine (benchmarks).
func (a *app) newDetector(root string, gitleaksEngine ...bool) (*detectors.Detector, error) {
	cf, err := a.findConfig(root)
	if err != nil {
		return nil, err
	}
	d, err := detectors.New(detectors.Options{Config: cf, GitleaksEngine: len(gitleaksEngine) > 0 && gitleaksEngine[0]})
	if err != nil {
		return nil, err
	}
	for _, w := range d.Warnings() {
		a.logger.Warn(w)
	}
	return d, nil
}

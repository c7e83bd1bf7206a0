package ci

import (
	"bytes"
	"testing"
)

// fuzzPaths gives every detector a path it matches.
var fuzzPaths = []string{
	".github/workflows/ci.yml", "action.yml", ".gitlab-ci.yml", ".circleci/config.yml",
	"azure-pipelines.yml", "bitbucket-pipelines.yml", ".travis.yml", ".buildkite/pipeline.yml",
	"Jenkinsfile",
}

// FuzzDetect checks that no input makes a detector panic, that work stays
// bounded, and that every finding lies inside the input.
func FuzzDetect(f *testing.F) {
	for _, file := range corpusArchives(f) {
		for _, af := range loadArchive(f, file).files {
			f.Add(uint8(0), af.data)
		}
	}
	f.Add(uint8(2), []byte("a: &a [*a, *a]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b, *b]\n"))
	f.Add(uint8(0), []byte("jobs:\n  j:\n    steps:\n      - run: echo ${{ secrets[format('{0}', matrix.x)] }}\n"))
	f.Add(uint8(8), []byte("withCredentials([string(credentialsId: 'x', variable: 'T')]) { /* "))
	kb := testKB(f)
	ds := Detectors(kb)
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		p := fuzzPaths[int(which)%len(fuzzPaths)]
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, d := range ds {
			if !d.Match(p) {
				continue
			}
			fs, _ := d.Detect(t.Context(), p, data)
			for _, f := range fs {
				if f.Line < 1 || f.Line > lines || f.Column < 1 {
					t.Fatalf("%s: finding at %d:%d outside the input (%d lines)", d.Name(), f.Line, f.Column, lines)
				}
				if f.CI == nil || f.Secret.IsZero() {
					t.Fatalf("%s: finding without CI reference or secret", d.Name())
				}
			}
		}
	})
}

// Package yamledit edits YAML files by splicing bytes: it parses with
// go.yaml.in/yaml/v3 only to locate nodes, computes the byte range of each
// entry it touches, and rewrites those ranges alone, so that everything
// outside the edit (comments, blank lines, quoting, flow style, key order,
// CRLF line endings) stays byte-identical. Re-serialising a yaml.v3 tree
// would not (REMEDIATION.md §5.6).
//
// Every edit is also applied to an abstract copy of the document's tree; the
// spliced result is re-parsed and must equal that copy, so an edit that
// would change anything outside the intended paths, or produce invalid
// YAML, is refused instead of written. Edits that would touch anchors,
// aliases or merge keys, flow-style collections that must grow, and files
// with mixed line endings are refused with a [RefusedError].
//
// yamledit is internal to remediate: it must not import any sessionize
// package.
package yamledit

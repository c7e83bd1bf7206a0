package configfile

import "strings"

// Path matching runs on every path of a scan, so it allocates nothing: the
// helpers below compare slices of the path case-insensitively (Windows and
// macOS file systems are case-insensitive, and Windows users write _netrc or
// .AWS\credentials) and accept both separators.

// isSep reports whether c separates path segments.
func isSep(c byte) bool { return c == '/' || c == '\\' }

// baseName returns the last segment of p.
func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if isSep(p[i]) {
			return p[i+1:]
		}
	}
	return p
}

// dirName returns p without its last segment and separator.
func dirName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if isSep(p[i]) {
			return p[:i]
		}
	}
	return ""
}

// hasSuffixFold reports whether s ends with suffix, ignoring ASCII case.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// containsFold reports whether s contains sub, ignoring ASCII case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// equalsAny reports whether s equals one of names, ignoring ASCII case.
func equalsAny(s string, names ...string) bool {
	for _, n := range names {
		if strings.EqualFold(s, n) {
			return true
		}
	}
	return false
}

// underDir reports whether the directories right above p's base name are
// dirs, outermost first: underDir(".cursor/mcp.json", ".cursor").
func underDir(p string, dirs ...string) bool {
	d := dirName(p)
	for i := len(dirs) - 1; i >= 0; i-- {
		if !strings.EqualFold(baseName(d), dirs[i]) {
			return false
		}
		if i > 0 && d == baseName(d) {
			return false
		}
		d = dirName(d)
	}
	return true
}

// hasDir reports whether any directory segment of p is name.
func hasDir(p, name string) bool {
	d := dirName(p)
	for d != "" {
		if strings.EqualFold(baseName(d), name) {
			return true
		}
		if d == baseName(d) {
			return false
		}
		d = dirName(d)
	}
	return false
}

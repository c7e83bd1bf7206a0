package classify

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// queryParams splits a query string (with or without a leading URL or '?')
// into its parameters, keeping the first value of each name and unescaping
// what unescapes. Parameter names are matched case-insensitively, so they
// are stored lower-cased. At most 64 parameters are read.
func queryParams(s string) map[string]string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[i+1:]
	}
	out := map[string]string{}
	for n := 0; s != "" && n < 64; n++ {
		var kv string
		kv, s, _ = strings.Cut(s, "&")
		k, v, _ := strings.Cut(kv, "=")
		k = strings.ToLower(k)
		if _, dup := out[k]; dup || k == "" {
			continue
		}
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		out[k] = v
	}
	return out
}

// sasToken reads the validity of an Azure shared access signature from its
// signedExpiry (se=) and signedStart (st=) parameters (Azure Storage, "Create
// a service SAS"). A SAS without st= is valid from its creation, which the
// token does not record.
func sasToken(_, value string) (Facts, bool) {
	if len(value) > MaxValueLen || !containsFold(value, "sig=") || !containsFold(value, "sv=") {
		return Facts{}, false
	}
	q := queryParams(value)
	if q["sig"] == "" || q["sv"] == "" {
		return Facts{}, false
	}
	f := Facts{Type: "azure-sas-token"}
	expires, okE := parseSASTime(q["se"])
	start, _ := parseSASTime(q["st"])
	if !okE {
		f.Notes = append(f.Notes, "SAS has no readable expiry (se=)")
		return f, true
	}
	f.withValidity("SAS", start, expires)
	if p := q["sp"]; p != "" && len(p) <= 32 {
		f.Notes = append(f.Notes, "SAS permissions: "+describeSASPermissions(p))
	}
	if q["si"] != "" {
		f.Notes = append(f.Notes, "SAS bound to a stored access policy: revoking the policy revokes it")
	}
	return f, true
}

// parseSASTime parses the ISO 8601 UTC forms Azure accepts: a date, or a
// date and time with or without seconds.
func parseSASTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z", "2006-01-02T15:04:05.9999999Z", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

var sasPermissionNames = map[byte]string{
	'r': "read", 'a': "add", 'c': "create", 'w': "write", 'd': "delete",
	'x': "delete version", 'y': "permanent delete", 'l': "list", 't': "tags",
	'f': "filter", 'm': "move", 'e': "execute", 'o': "ownership",
	'p': "permissions", 'i': "set immutability", 'u': "update",
}

func describeSASPermissions(p string) string {
	var names []string
	seen := map[byte]bool{}
	for i := 0; i < len(p); i++ {
		if n, ok := sasPermissionNames[p[i]]; ok && !seen[p[i]] {
			seen[p[i]] = true
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "unknown"
	}
	return strings.Join(names, ", ")
}

// presignedURL reads the validity of AWS SigV4 presigned URLs (X-Amz-Date,
// X-Amz-Expires; at most 7 days) and Google Cloud Storage V4 signed URLs
// (X-Goog-Date, X-Goog-Expires), and which kind of AWS key signed them.
func presignedURL(_, value string) (Facts, bool) {
	if len(value) > MaxValueLen {
		return Facts{}, false
	}
	var f Facts
	var pfx, what string
	switch {
	case containsFold(value, "x-amz-signature="):
		f, pfx, what = Facts{Type: "aws-presigned-url"}, "x-amz-", "presigned URL"
	case containsFold(value, "x-goog-signature="):
		f, pfx, what = Facts{Type: "gcs-signed-url"}, "x-goog-", "signed URL"
	default:
		return Facts{}, false
	}
	q := queryParams(value)
	signed, err := time.Parse("20060102T150405Z", q[pfx+"date"])
	secs, err2 := strconv.ParseInt(q[pfx+"expires"], 10, 64)
	if err != nil || err2 != nil || secs <= 0 || secs > 10*365*24*3600 {
		f.Notes = append(f.Notes, what+" with no readable expiry")
		return f, true
	}
	f.withValidity(what, signed.UTC(), signed.UTC().Add(time.Duration(secs)*time.Second))
	if cred := q[pfx+"credential"]; len(cred) >= 4 {
		switch cred[:4] {
		case "AKIA":
			f.Notes = append(f.Notes, "signed with an IAM user access key (AKIA): the key itself is long-lived")
		case "ASIA":
			f.Notes = append(f.Notes, "signed with STS session credentials (ASIA): invalid once the session ends")
		}
	}
	return f, true
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), sub)
}

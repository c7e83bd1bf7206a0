package detectors

// documentedExamples are values published in vendors' documentation as
// examples. They are not secrets, and reporting them only trains people to
// ignore the tool.
var documentedExamples = map[string]bool{
	"AKIAIOSFODNN7EXAMPLE":                     true,
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY": true,
	// The jwt.io sample token.
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c": true,
}

// IsDocumentedExample reports whether value is a documented example value
// (AKIAIOSFODNN7EXAMPLE, the jwt.io sample token, ...).
func IsDocumentedExample(value string) bool {
	return documentedExamples[value]
}

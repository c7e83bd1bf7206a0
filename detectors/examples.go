package detectors

// documentedExamples are values published in vendors' documentation as
// examples. They are not secrets, and reporting them only trains people to
// ignore the tool. Only values a vendor documents belong here, each with
// its source; placeholders in general are the rules' allowlists' business.
//
// The values are written in two pieces so that this file itself does not
// trip secret scanners (GitHub push protection, our own self-scan); the
// compiler joins them.
var documentedExamples = map[string]bool{
	// AWS IAM User Guide, "Managing access keys" and the AWS CLI
	// configuration guide: the example access key pair, in both prefixes AWS
	// documents (the STS examples use ASIA), and the second example pair of
	// the IAM API reference.
	"AKIA" + "IOSFODNN7EXAMPLE":                     true,
	"ASIA" + "IOSFODNN7EXAMPLE":                     true,
	"wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY": true,
	"AKIA" + "I44QH8DHBEXAMPLE":                     true,
	"je7MtGbClwBF/2Zp9Utk/" + "h3yCo8nvbEXAMPLEKEY": true,

	// The sample token on jwt.io (HS256, secret "your-256-bit-secret").
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c": true,
	// RFC 7515 appendix A.1 and RFC 7519 section 3.1: the example JWS/JWT.
	"eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk": true,

	// Stripe API reference, "Authentication": the sample test-mode key
	// embedded in every example; and the sample key of Stripe's earlier
	// documentation, still in Stripe's own client libraries' tests.
	"sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc": true,
	"sk_test_" + "BQokikJOvBiI2HlWgH4olfQ2": true,
	// Stripe API reference, "The PaymentIntent object": the example
	// client_secret (which only confirms that one payment from a browser).
	"pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_" + "YrKJUKribcBjcG8HVhfZluoGH": true,

	// GitHub Docs, "Authorizing OAuth apps" and "Generating a user access
	// token for a GitHub App": the sample tokens in the response examples
	// (their checksums do not validate; they were never issued).
	"gho_" + "16C7e42F292c6912E7710c838347Ae178B4a":                                         true,
	"ghu_" + "16C7e42F292c6912E7710c838347Ae178B4a":                                         true,
	"ghs_" + "16C7e42F292c6912E7710c838347Ae178B4a":                                         true,
	"ghp_" + "16C7e42F292c6912E7710c838347Ae178B4a":                                         true,
	"ghr_" + "1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498": true,

	// Microsoft Learn, "Use the Azurite emulator for local Azure Storage
	// development": the well-known key of the emulator's devstoreaccount1,
	// the same for every installation.
	"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/" + "K1SZFPTOtr/KBHBeksoGMGw==": true,

	// Telegram Bot API documentation ("Bot features", BotFather section):
	// the example bot token.
	"110201543:" + "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw": true,
}

// IsDocumentedExample reports whether value is a documented example value
// (AKIAIOSFODNN7EXAMPLE, the jwt.io sample token, Stripe's sample test key,
// the Azurite emulator key, ...).
func IsDocumentedExample(value string) bool {
	return documentedExamples[value]
}

package auth

import (
	"crypto/subtle"
	"net/http"
)

// Service-to-service token of the reporting job. It was meant to be
// temporary.
const reportingToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjRmMWMyYiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2F1dGgub3JkZXJzLmludGVybmFsIiwic3ViIjoic3ZjLXJlcG9ydGluZyIsImF1ZCI6Im9yZGVycy1hcGkiLCJpYXQiOjE3MTcyNDMyMDAsImV4cCI6MTcxNzI0MzgwMH0.Qm9ndXNTaWduYXR1cmVGb3JUZXN0c09ubHlfbm90X2FfcmVhbF9zaWduYXR1cmVfMTIzNDU2Nzg5MA"

// The GitHub App installation token the release job printed in its logs,
// pasted here while debugging the webhook.
var debugInstallationToken = "%%FAKE:ghs:release-debug%%"

// sampleJWT is the jwt.io sample, used in the handler's documentation.
const sampleJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

// Middleware checks the bearer token.
func Middleware(next http.Handler, want string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Authorization")
		if subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+want)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

provider "google" {
  project     = "acme-prod"
  region      = "us-central1"
  credentials = file("${path.module}/keys/terraform-sa.json")
}

provider "google-beta" {
  project      = "acme-prod"
  access_token = "ya29.GwjztkcJzRtym0UFakeZKZE8WNMYselcczitGyvPykYrAzYOhzEGqCrDHEpiJz4YGK9kLuLvv9C2T5YfLgAVgfzzU9JEASw2kdgadvwHleOOQg3Y7O1aDBy1"
}

provider "github" {
  owner = "acme"
  token = "ghp_hDAEYqL62pBum9BIFakey2ewA5s02KGvdiP4"
}

provider "vault" {
  address = "https://vault.acme.io:8200"
  token   = "hvs.UnyNgFakew17znKf4c0wUH0pT3QmCGszU5y3Xk4OnIbgFUvN9XwdOs1eQyNrL33cJxra0SmN9QLg114J6eV1zg8iS21W1L4"
}

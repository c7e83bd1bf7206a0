provider "google" {
  project     = "my-project"
  region      = "us-central1"
  credentials = file("${path.module}/sa-key.json")
}

provider "aws" {
  region = "eu-west-1"
  access_key = var.access_key
  secret_key = var.secret_key
}

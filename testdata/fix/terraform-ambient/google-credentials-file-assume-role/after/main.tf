provider "google" {
  project     = "my-project"
  region      = "us-central1"
}

provider "aws" {
  region = "eu-west-1"
  assume_role {
    role_arn = "arn:aws:iam::111122223333:role/terraform"
  }
}

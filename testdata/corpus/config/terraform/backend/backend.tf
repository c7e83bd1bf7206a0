terraform {
  backend "s3" {
    bucket     = "acme-tf-state"
    key        = "prod/terraform.tfstate"
    region     = "us-east-1"
    access_key = "AKIAFAKEDE4H2CSCYXSH"
    secret_key = "PFakelgqZWikVqCGjF/UM179aqnUA+KTDQ6lZy4F"
  }
}

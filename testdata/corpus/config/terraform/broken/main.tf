provider "aws" {
  access_key = "AKIAFAKEHX76TV47QV5T"
  secret_key = "I9EV4Li79mfzvFakef/flbxtwZf9r+o6i953IyQn"

resource "aws_s3_bucket" "b" {
  bucket = "unterminated

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region     = "us-east-1"
  access_key = "AKIAFAKEGIPAYUOY323N"
  secret_key = "lgZz4duBizFake4bMb/hvy4Uz4m8z+Ea53KBsM2K"
}

provider "aws" {
  alias      = "replica"
  region     = var.replica_region
  access_key = var.aws_access_key
  secret_key = var.aws_secret_key
  assume_role {
    role_arn     = "arn:aws:iam::111122223333:role/replica"
    session_name = "terraform"
  }
}

# provider "aws" { access_key = "AKIAOLDKEYCOMMENTED1" }

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

# Production account.
provider "aws" {
  region     = "us-east-1"
  access_key = "AKIAZ7QXJ2ZPFAKEKEY4"
  secret_key = "q8Zf3Jx0Vb7Lr2Nw5Tc9Hy4Ks1Md6Pg0FAKEsecr" # from the deploy user
  default_tags {
    tags = {
      Owner = "platform"
    }
  }
}

provider "azurerm" {
  features {}
  subscription_id = var.subscription_id
  client_id       = var.client_id
  client_secret   = var.client_secret
  tenant_id       = var.tenant_id
}

terraform {
  backend "azurerm" {
    resource_group_name  = "tfstate"
    storage_account_name = "acmetfstate"
    container_name       = "tfstate"
    key                  = "prod.terraform.tfstate"
    access_key           = "svoctlI9HQiOUeaQ1MviHpRgVATDpLVj48VFwhQ9KtwjQTh4wJnaZ3JUPi5OLqHNUvcj0Fake8yl8DlsdSotiS=="
  }
}

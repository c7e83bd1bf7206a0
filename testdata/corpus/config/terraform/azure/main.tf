provider "azurerm" {
  features {}
  subscription_id = "00000000-1111-2222-3333-444444444444"
  tenant_id       = "55555555-6666-7777-8888-999999999999"
  client_id       = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  client_secret   = "WSs8Q~OnxvgFakefhuGdG2s5Z6dy10sVzyHo9cfj"
}

provider "azuread" {
  use_oidc  = true
  tenant_id = var.tenant_id
}

resource "aws_db_instance" "orders" {
  identifier        = "orders-prod"
  engine            = "postgres"
  instance_class    = "db.t4g.medium"
  username          = "orders"
  password          = var.orders_db_password
  allocated_storage = 50
}

resource "azurerm_mssql_server" "reports" {
  name                         = "corp-reports-sql"
  resource_group_name          = azurerm_resource_group.reports.name
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "reportsadmin"
  administrator_login_password = "Rep0rts!Adm1n#2023"
}

resource "azurerm_storage_account" "files" {
  name                     = "corpfiles"
  resource_group_name      = azurerm_resource_group.files.name
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "GRS"
}

output "files_key" {
  value     = azurerm_storage_account.files.primary_access_key
  sensitive = true
}

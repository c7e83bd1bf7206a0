resource "random_password" "db" {
  length  = 24
  special = true
}

resource "aws_db_instance" "main" {
  identifier        = "acme-prod"
  engine            = "postgres"
  username          = "acme"
  password          = random_password.db.result
  instance_class    = "db.t3.micro"
}

resource "aws_db_instance" "legacy" {
  identifier = "acme-legacy"
  engine     = "mysql"
  username   = "admin"
  password   = "Rt92F!kTlWPbAkW9"
}

resource "aws_secretsmanager_secret_version" "stripe" {
  secret_id     = aws_secretsmanager_secret.stripe.id
  secret_string = jsonencode({ api_key = var.stripe_key })
}

resource "kubernetes_secret" "app" {
  metadata {
    name = "app"
  }
  data = {
    DATABASE_URL = "postgres://app:i58G5-tLSJeFk445@db.acme.internal:5432/app"
    SENTRY_DSN   = "https://public@o0.ingest.sentry.io/0"
  }
}

locals {
  tags = {
    Team = "platform"
  }
  heredoc = <<-EOT
    not a secret: ${var.region}
  EOT
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "db_password" {
  description = "Master password for the RDS instance"
  type        = string
  sensitive   = true
  default     = "NFkqk_tXlrhNX1Amk8"
}

variable "datadog_api_key" {
  type    = string
  default = "95b07eac2fa45660bfad4597ace8df62"
}

variable "api_token" {
  type    = string
  default = ""
}

variable "slack_webhook_secret" {
  default = "changeme"
}

environment = "prod"
datadog = {
  api_key = "0cf112a480c00b0e695a97fb333db700"
  app_key = var.dd_app_key
  site    = "datadoghq.eu"
}
allowed_cidrs = ["10.0.0.0/8", "192.168.0.0/16"]
license_key   = "uePAnT8vpOT3FakeWd2uOcHjzNqfXplS"
ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI25P93gtjPviJTe7quiUwEQOTy0QN0aMPqxoVVRjY ops@acme"

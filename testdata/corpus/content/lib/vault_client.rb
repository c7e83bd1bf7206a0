require "vault"

# Token for the batch importer; created with `vault token create -period=768h`.
Vault.configure do |config|
  config.address = ENV.fetch("VAULT_ADDR", "https://vault.corp.internal:8200")
  config.token = "%%FAKE:hvs:importer%%"
  config.ssl_verify = true
end

def db_creds
  Vault.logical.read("database/creds/importer")
end

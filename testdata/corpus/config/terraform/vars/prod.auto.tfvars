# Values injected by CI
client_secret = "<from-vault>"
db_password   = ""
api_key       = "REPLACE_ME"

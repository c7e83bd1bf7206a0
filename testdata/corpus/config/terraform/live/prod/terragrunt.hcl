include "root" {
  path = find_in_parent_folders()
}

inputs = {
  db_username = "app"
  db_password = "HDaEs_7mhZgFkUqo3"
  api_key     = get_env("API_KEY")
}

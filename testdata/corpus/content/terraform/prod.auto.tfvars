region             = "eu-west-1"
orders_db_password = "Tfv4rs-Orders-Pr0d"
grafana_api_secret = "${GRAFANA_TOKEN}"

provider "google" {
  project = "acme-infra"
  credentials = <<-EOF
{
  "type": "service_account",
  "project_id": "acme-infra",
  "private_key_id": "6a881d782969d56514fe253520d3e061d8744b9b",
  "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCnKpIvCfFakeKeyNotRealppHtJwth3IE\nQAqX4Zita06z471vFakexSQSDyUA6yFs9J3gdM85iOFhY49Y77mzShiz4wrAe623\nVoEV6XTgOj9v4QSzz8Q9lVnquSuneYQIRVxHvcJeCWZXI2kAVuCCWuWR7Fake4tf\ncGhKzHPNM7ZGhqNE308fjoH1ziklMTonIHJVCqFakeS2S793lNGA50ImYqeoR86f\n7pHeFake8HmxcfQBYtfPOIe1I2C9iJSOfwn1UzeY5zETdDzcKqsuhvyhyKCX8R1y\nippOWXWgBFakeR6wpRpJVzMM9lqDrOj6lvpfBKOl00f3Rbn8iY3lvJtJTHzbnPNy\nBO7wEW8BmIaXqphP7ZLFakeWmuLGq7Nf5XFV7IgA5vB6bdBctiDYnESg4NhtdFZu\nReYbul8AxjNZfg6UzfjYx1sVwGpz1aHTE2z7Qmjea0A4N9jS7wjLCMuMNHFakeXO\nmF1mMLNmlqfIim6ZvIxPAS7MGTnniPk3oeKrrmZqGrSC8NJDFakeWBegbV2v1jf3\n-----END PRIVATE KEY-----\n",
  "client_email": "tf@acme-infra.iam.gserviceaccount.com"
}
  EOF
}

provider "gitlab" {
  token    = "glpat-CM5FakezsTsplFemWvAl"
  base_url = "https://gitlab.acme.io/api/v4/"
}

provider "postgresql" {
  host     = aws_db_instance.main.address
  username = "admin"
  password = "${random_password.pg.result}"
}

provider "kubernetes" {
  host                   = "https://${module.gke.endpoint}"
  token                  = data.google_client_config.default.access_token
  cluster_ca_certificate = base64decode(module.gke.ca_certificate)
}

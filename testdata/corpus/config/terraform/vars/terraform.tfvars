region         = "eu-west-1"
aws_access_key = "AKIAFAKEA2EAH2HU5VU2"
aws_secret_key = "dbFakewjPcJUMApVk6/CdLpYypAhW+fL2EPn1nNI"
db_password    = "i58G5-tLSJeFk445"
github_token   = "ghp_sUSvXppFakeAZHbYTWLuc4sn4PPAq8h4P3H9"
instance_count = 3
tags = {
  owner = "platform"
  env   = "prod"
}
cloudflare = {
  api_token = "4u7JyFfTj8F31FakeGRttDodrbXZEpxUW5x6i5y2"
  zone_id   = "12026eb07e5e8b815abd5fc18254183b"
}

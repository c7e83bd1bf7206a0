#!/usr/bin/env bash
# Fetches a client-credentials token for the reports job.
set -euo pipefail
curl -fsS -X POST https://auth.corp.io/oauth/token \
  -d "grant_type=client_credentials&client_id=reports&client_secret=Rp7-Cl1ent-S3c-x" | jq -r .access_token

# The legacy export endpoint still takes credentials in the query string.
curl -fsS "https://legacy.corp.internal/export?user=exporter&password=${EXPORT_PASSWORD}"
curl -fsS "https://legacy.corp.internal/export?user=auditor&password=Aud1t-Qry-77"

#!/usr/bin/env bash
set -euo pipefail
# Token minted by the release workflow's trusted publishing step, copied from
# the job log while debugging twine (it lives 15 minutes).
TWINE_PASSWORD="%%FAKE:pypi-oidc:release-debug%%" twine upload dist/*

# Deploy JWT issued by the CI gateway for this pipeline (12 h).
DEPLOY_JWT=eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjaS1ib3QiLCJzY29wZSI6ImRlcGxveSIsImlhdCI6MTcxNjAwMDAwMCwiZXhwIjoxNzE2MDQzMjAwfQ.Z2lzdC1zaWduYXR1cmUtZmFrZS1mb3ItdGVzdGluZy1wdXJwb3Nlcy1vbmx5LWxvbmdlci10aGFuLTY0
curl -fsS -H "Authorization: Bearer $DEPLOY_JWT" https://deploy.corp.internal/v1/releases

# GitHub App user token of the release manager (8 h), and its refresh token.
GH_USER_TOKEN=%%FAKE:ghu:release-manager%%
GH_REFRESH_TOKEN=%%FAKE:ghr:release-manager%%
gh api -H "Authorization: token $GH_USER_TOKEN" /user

# Vault batch token handed to the job by the runner.
export VAULT_TOKEN=%%FAKE:hvb:ci-runner%%

#!/usr/bin/env bash
# Deploys the current build to the artifact store and restarts the service.
set -euo pipefail

: "${ADMIN_PASS:?set ADMIN_PASS}"
ARTIFACTS=https://artifacts.corp.io/repository/releases

curl -fsS -u "admin:${ADMIN_PASS}" "$ARTIFACTS/health"
curl -fsS -u deploy:Dpl0y-K3y-99x --upload-file dist/app.tar.gz "$ARTIFACTS/app/$VERSION/app.tar.gz"

export PGPASSWORD='Pg-Migr4te-2024'
psql -h db-prod.corp.internal -U migrator app -f migrations/latest.sql

mysql -uroot -p"$MYSQL_ROOT_PASSWORD" -e 'FLUSH PRIVILEGES'
git clone "https://oauth2:${CI_JOB_TOKEN}@gitlab.com/corp/infra.git" /tmp/infra
git push "https://x-access-token:${GITHUB_TOKEN}@github.com/corp/app.git" HEAD:refs/heads/release

# Old mirror, kept for the weekly sync.
git remote add mirror https://mirror-bot:%%FAKE:ghp:mirror-bot%%@github.com/corp/app-mirror.git

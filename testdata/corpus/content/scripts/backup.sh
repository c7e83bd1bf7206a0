#!/bin/sh
# Nightly backup of the document store.
set -e
STAMP=$(date +%Y%m%d)
mongodump --uri "mongodb+srv://backup:B4ckup-M0ngo-Ng7@cluster0.ab1cd.mongodb.net/prod" --archive="/backups/prod-$STAMP.gz" --gzip
echo "9b74c9897bac770ffc029102a200c5de4d3e1f7a0b8c9d2e3f4a5b6c7d8e9f0a  /backups/prod-$STAMP.gz" > "/backups/prod-$STAMP.gz.sha256"
sha256sum -c "/backups/prod-$STAMP.gz.sha256"
aws s3 cp "/backups/prod-$STAMP.gz" "s3://corp-backups/mongo/" --sse aws:kms

# %% Cost report, run by hand from a laptop.
import requests

PROJECT = "corp-analytics"
# token from `gcloud auth print-access-token`, pasted on 2024-03-12
ACCESS_TOKEN = "%%FAKE:ya29:laptop%%"
# refresh token from the OAuth playground, so the notebook survives restarts
REFRESH_TOKEN = "%%FAKE:googlerefresh:playground%%"
CLIENT_SECRET = "%%FAKE:gocspx:playground%%"

resp = requests.get(
    f"https://bigquery.googleapis.com/bigquery/v2/projects/{PROJECT}/jobs",
    headers={"Authorization": f"Bearer {ACCESS_TOKEN}"},
)
print(resp.json())

# Uploads the nightly reports to the partner container.
param([string]$Day = (Get-Date -Format yyyy-MM-dd))

# Container SAS for the partner drop (write/list), valid for June 2025.
$sas = "?sv=2022-11-02&ss=b&srt=co&sp=wl&se=2025-06-30T23:59:59Z&st=2025-06-01T00:00:00Z&spr=https&sig=Zk4mQ7r2Lx9vT1bN8cW3yH6pD0sF5gJ2aE4uK7iO1lM%3D"
# Read-only link handed to the reporting portal, regenerated every run (8 h).
$portal = "https://corpfiles.blob.core.windows.net/reports/$Day.csv?sp=r&st=2024-05-01T06:00:00Z&se=2024-05-01T14:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=p0Q9w8E7r6T5y4U3i2O1aS9d8F7g6H5j4K3l2Z1x0Cv%3D"

$ctx = New-AzStorageContext -StorageAccountName corpfiles -SasToken $sas
Set-AzStorageBlobContent -File "out/$Day.csv" -Container partner-drop -Context $ctx

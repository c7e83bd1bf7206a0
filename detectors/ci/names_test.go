package ci

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want reading
	}{
		{"AWS_SECRET_ACCESS_KEY", reading{credential, kindAWS}},
		{"aws-access-key-id", reading{credential, kindAWS}},
		{"PROD_AWS_SECRET_ACCESS_KEY", reading{credential, kindAWS}},
		{"AWS_ROLE_ARN", reading{ev: identifier}},
		{"AWS_ACCOUNT_ID", reading{ev: identifier}},
		{"AWS_REGION", reading{ev: identifier}},
		{"GKE_PROJECT", reading{ev: identifier}},
		{"DOCKERHUB_USERNAME", reading{ev: identifier}},
		{"AZURE_CLIENT_ID", reading{ev: identifier}},
		{"AZURE_TENANT_ID", reading{ev: identifier}},
		{"armClientSecret", reading{credential, kindAzure}},
		{"GCP_SA_KEY_B64", reading{credential, kindGCPKey}},
		{"GPG_KEY_ID", reading{ev: identifier}},
		{"NEXT_PUBLIC_API_KEY", reading{ev: identifier}},
		{"SLACK_WEBHOOK_URL", reading{credential, kindAPIToken}},
		{"DATABASE_URL", reading{credential, kindPassword}},
		{"CR_PAT", reading{credential, kindGitHubPAT}},
		{"APP_PRIVATE_KEY", reading{credential, kindGitHubAppKey}},
		{"KUBE_CONFIG_DATA", reading{credential, kindKube}},
		{"npm_token", reading{credential, kindNPM}},
		{"VAULT_SECRET_ID", reading{credential, kindVaultSecretID}},
		{"PWD", reading{ev: identifier}},
		{"ENV_FILE", reading{credential, kindAPIToken}}, // a .env file: GitHub secret or GitLab file variable
		{"CONFIG_FILE", reading{ev: identifier}},
		{"GCP_KEY_FILE", reading{credential, kindGCPKey}},
		{"VAULT_CA_CERT", reading{ev: identifier}},
		{"PLAY_SERVICE_ACCOUNT_JSON", reading{credential, kindGCPKey}},
		{"KNOWN_HOSTS", reading{ev: identifier}},
		{"aws_key_id", reading{credential, kindAWS}},
		{"ACCESS_KEY_SECRET", reading{credential, kindAWS}},
		{"ALIYUN_ACCESS_KEY_SECRET", reading{credential, kindAPIToken}},
		{"CHROMATIC", reading{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := read(tt.name)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(reading{}, kind{})); diff != "" {
				t.Errorf("read(%q) mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

func TestGHARefs(t *testing.T) {
	t.Parallel()
	matrix := func(v string) []string {
		if v == "env" {
			return []string{"prod", "dev"}
		}
		return nil
	}
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "${{ secrets.A }}", []string{"secrets:A"}},
		{"or", "${{ secrets.A || secrets.B }}", []string{"secrets:A", "secrets:B"}},
		{"index", `${{ secrets['A'] }} ${{ secrets["B"] }}`, []string{"secrets:A", "secrets:B"}},
		{"matrix", "${{ secrets[format('{0}_KEY', matrix.env)] }}", []string{"secrets:prod_KEY", "secrets:dev_KEY"}},
		{"unresolved", "${{ secrets[github.event.inputs.x] }}", nil},
		{"vars", "${{ vars.REGION }}", []string{"vars:REGION"}},
		{"outside", "secrets.A", nil},
		{"presence", "${{ secrets.A != '' }} ${{ '' == secrets.B }} ${{ !secrets.C }}", nil},
		{"presence and use", "${{ secrets.A != '' && secrets.A || secrets.B }}", []string{"secrets:A", "secrets:B"}},
		{"toJSON", "${{ toJSON(secrets) }}", []string{"secrets:*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, r := range ghaRefs(tt.in, matrix) {
				got = append(got, r.store+":"+r.name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ghaRefs(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestShellRefs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"echo $A ${B} ${C:-x} $$D", []string{"$A", "${B", "${C", "$$D"}},
		{"Write-Host $env:TOKEN", []string{"$env:TOKEN"}},
		{"echo %NUGET_KEY%", []string{"%NUGET_KEY%"}},
		{"echo ${{ secrets.X }}", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, r := range shellRefs(tt.in) {
				got = append(got, r.text)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("shellRefs(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

package detectors_test

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionize/sessionize/detectors"
)

var (
	packDetectorOnce sync.Once
	packDetector     *detectors.Detector
	packDetectorErr  error
)

// fullDetector returns one shared Detector with gitleaks' defaults and the
// project's packs, compiled once for all the tests of this file.
func fullDetector(t *testing.T) *detectors.Detector {
	t.Helper()
	packDetectorOnce.Do(func() {
		packDetector, packDetectorErr = detectors.New(detectors.Options{})
		if packDetectorErr == nil {
			packDetectorErr = packDetector.Compile()
		}
	})
	if packDetectorErr != nil {
		t.Fatalf("New() error: %v", packDetectorErr)
	}
	return packDetector
}

// quotedPasswordRules are the rules of string-literal password and secret
// assignments, one per literal prefix of the name.
const quotedPasswordRules = "password-assignment,password-assignment-upper,password-assignment-secret,password-assignment-secret-upper,password-assignment-short,password-assignment-setter"

// ruleCase is a sample for one of the project's rules: the redacted
// secrets the rule must report in text at path (none for a false-positive
// sample). Redacted forms keep raw values out of failure messages. Texts
// and values may hold "¦", removed before use, so that this file itself is
// no finding for our own scan of the repository (see unbreak).
type ruleCase struct {
	name string
	path string
	text string
	want []string // raw values; compared redacted
}

// runRuleCases runs the cases through the full Detector and compares the
// findings of rule (or of any of a comma-separated list of rules).
func runRuleCases(t *testing.T, rule string, cases []ruleCase) {
	t.Helper()
	d := fullDetector(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := tc.path
			if path == "" {
				path = "src/app.txt"
			}
			got, err := d.Detect(t.Context(), detectors.Fragment{Path: path, Content: unbreak(tc.text), StartLine: 1})
			if err != nil {
				t.Fatalf("Detect() error: %v", err)
			}
			var gotR []string
			for _, f := range got {
				if slices.Contains(strings.Split(rule, ","), f.RuleID) {
					gotR = append(gotR, f.Secret.Redacted())
				}
			}
			var wantR []string
			for _, w := range tc.want {
				wantR = append(wantR, detectors.Redact(unbreak(w)))
			}
			sort.Strings(gotR)
			sort.Strings(wantR)
			if diff := cmp.Diff(wantR, gotR); diff != "" {
				t.Errorf("Detect(%s) findings of %s mismatch (-want +got, redacted):\n%s", path, rule, diff)
			}
		})
	}
}

func TestRulePack_DatabaseURLPassword(t *testing.T) {
	t.Parallel()
	runRuleCases(t, "database-url-password", []ruleCase{
		{name: "postgres", text: `DATABASE_URL = "postgres:¦//app:Xk93mPq2vL@db.internal:5432/app"`, want: []string{"Xk93mPq2vL"}},
		{name: "postgresql with driver", text: `url = "postgresql+asyncpg:¦//svc:Pg-As1nc-77@pg.corp.io/svc"`, want: []string{"Pg-As1nc-77"}},
		{name: "jdbc postgresql", text: `jdbc:postgresql:¦//etl:E7l-Pa55w@warehouse:5432/dw`, want: []string{"E7l-Pa55w"}},
		{name: "mysql", text: `MYSQL_URL=mysql:¦//root:My5ql-R00t-x@10.0.3.7:3306/shop`, want: []string{"My5ql-R00t-x"}},
		{name: "mongodb srv", text: `mongodb+srv:¦//backup:B4ckup-M0ngo@cluster0.ab1cd.mongodb.net/prod`, want: []string{"B4ckup-M0ngo"}},
		{name: "redis without user", text: `REDIS_URL=redis:¦//:r3d1sPa55w0rdz@cache:6379/0`, want: []string{"r3d1sPa55w0rdz"}},
		{name: "rediss with default user", text: `rediss:¦//default:AVNS_q8Zt2mX9@redis-1.cloud.io:25061`, want: []string{"AVNS_q8Zt2mX9"}},
		{name: "amqps", text: `broker = "amqps:¦//orders:Rmq-Pr0d-41@mq.corp.io/orders"`, want: []string{"Rmq-Pr0d-41"}},
		{name: "password holding an at sign", text: `postgres:¦//app:p@ss-W0rd-9@db:5432/app`, want: []string{"p@ss-W0rd-9"}},
		{name: "documentation placeholder", text: `postgres://user:password@localhost:5432/app`},
		{name: "default container password", text: `DATABASE_URL=postgres://postgres:postgres@db:5432/app`},
		{name: "rabbitmq guest", text: `amqp://guest:guest@rabbitmq:5672/`},
		{name: "environment reference", text: `postgres://app:${DB_PASSWORD}@db:5432/app`},
		{name: "shell variable", text: `mysql://root:$MYSQL_ROOT_PASSWORD@db/shop`},
		{name: "format verb", text: `fmt.Sprintf("postgres://api:%s@%s:5432/api", pw, host)`},
		{name: "python format field", text: `f"postgresql://{user}:{password}@{host}/db"`},
		{name: "angle placeholder", text: `mongodb://admin:<password>@cluster0.mongodb.net`},
		{name: "example host", text: `postgres://app:Real-Looking-1@db.example.com/app`},
		{name: "no credentials", text: `redis://localhost:6379/0 and mongodb://h1:27017,h2:27017/?replicaSet=rs0`},
		{name: "local database in a test file", path: "internal/db/db_test.go", text: `dsn := "postgres://api:fixture-pass-42@localhost:5432/api_test"`},
		{name: "remote database in a test file", path: "internal/db/dsn_test.go", text: `{"postgres:¦//app:Xk9mP2vLq7@db:5432/app", want}`},
	})
}

func TestRulePack_URLBasicAuth(t *testing.T) {
	t.Parallel()
	runRuleCases(t, "url-basic-auth", []ruleCase{
		{name: "https", text: `git remote add origin https://deploy:S3cr3t-T0ken@git.corp.io/app.git`, want: []string{"S3cr3t-T0ken"}},
		{name: "pip index", text: `--extra-index-url https://pypi:Art1f-Pw-55@artifacts.corp.io/simple`, want: []string{"Art1f-Pw-55"}},
		{name: "ftp", text: `ftp://uploader:Ftp-Upl0ad-2@ftp.partner.net/in/`, want: []string{"Ftp-Upl0ad-2"}},
		{name: "proxy", text: `HTTPS_PROXY=socks5://proxyuser:Pr0xy-Pw-31@proxy.corp.io:1080`, want: []string{"Pr0xy-Pw-31"}},
		{name: "database URLs are database-url-password's", text: `postgres:¦//app:Xk93mPq2vL@db.internal:5432/app`},
		{name: "sidekiq gem server is sidekiq-sensitive-url's", text: `source "https://` + "deadbe01:d3adb3e7" + `@gems.contribsys.com/"`},
		{name: "password placeholders", text: `http://username:p@ssword@google.com and https://u:pa55w0rd@git.corp.io`},
		{name: "test file", path: "net/url/url_test.go", text: `{"http://user:Te5t-Only-9@www.google.com/", ...}`},
		{name: "placeholder", text: `https://user:pass@host/path and https://username:password@git.corp.io`},
		{name: "angle placeholders", text: `https://<username>:<token>@github.com/corp/dep.git`},
		{name: "CI variables", text: `git push "https://x-access-token:${GITHUB_TOKEN}@github.com/corp/app.git"` + "\n" + `git clone https://oauth2:$CI_JOB_TOKEN@gitlab.com/corp/x.git`},
		{name: "GitHub token is left to github-pat", text: `https://bot:` + fake("ghp", "url") + `@github.com/corp/app.git`},
		{name: "x-oauth-basic", text: `https://` + fake("ghp", "basic") + `:x-oauth-basic@github.com/corp/app.git`},
		{name: "example host", text: `https://admin:Adm1n-Pw-42@www.example.com/`},
		{name: "sentry DSN has no password", text: `https://3f9a0c1b2d4e4f6a8b7c9d0e1f2a3b4c@o451234.ingest.sentry.io/5678901`},
	})
}

func TestRulePack_URLQueryPassword(t *testing.T) {
	t.Parallel()
	runRuleCases(t, "url-query-password", []ruleCase{
		{name: "query string", text: `curl "https://legacy.corp.internal/export?user=auditor&password=Aud1t-Qry-77"`, want: []string{"Aud1t-Qry-77"}},
		{name: "command-line flag", text: `mysqladmin --user=root --pass¦word=My5ql-Adm1n-7 status`, want: []string{"My5ql-Adm1n-7"}},
		{name: "keyword argument with a variable", text: `db.connect(host=h, password=secret_value)`},
		{name: "connection string is connection-string-password's", text: `"Server=db01;User ID=app;Pass¦word=Az-Sql-9xKq!r;"`},
		{name: "reference", text: `https://legacy/export?user=x&password=${EXPORT_PASSWORD}`},
		{name: "placeholder", text: `https://api/login?username=<user>&password=<password>`},
		{name: "letters only", text: `GET /login?user=bob&password=hunter`},
	})
	runRuleCases(t, "url-query-client-secret", []ruleCase{
		{name: "form body", text: `curl -d "grant_type=client_credentials&client_id=r&client_sec¦ret=Rp7-Cl1ent-S3c-x" https://auth.corp.io/token`, want: []string{"Rp7-Cl1ent-S3c-x"}},
		{name: "reference", text: `-d "client_secret=$CLIENT_SECRET"`},
		{name: "google client secret is its rule's", text: `client_secret=` + fake("gocspx", "query")},
	})
}

func TestRulePack_JDBC(t *testing.T) {
	t.Parallel()
	runRuleCases(t, "jdbc-connection-password", []ruleCase{
		{name: "sqlserver", text: `url: jdbc:sqlserver://sql:1433;databaseName=orders;user=app;pass¦word=L3gacy-SQL-pw9;encrypt=true`, want: []string{"L3gacy-SQL-pw9"}},
		{name: "mysql", text: `jdbc:mysql://db/app?user=root&pass¦word=MyR00tPw9`, want: []string{"MyR00tPw9"}},
		{name: "oracle thin", text: `jd¦bc:oracle:thin:archive/Arch1ve-Ora-55@ora:1521:ARCH`, want: []string{"Arch1ve-Ora-55"}},
		{name: "oracle demo account", text: `jdbc:oracle:thin:scott/tiger@localhost:1521:orcl`},
		{name: "reference", text: `jdbc:mysql://db/reports?user=reports&password=${REPORTS_PASSWORD}`},
		{name: "test container", path: "src/test/java/RepoTest.java", text: `"jdbc:postgresql://localhost:5432/test?user=test&password=t3stc0nt"`},
	})
}

func TestRulePack_ConnectionString(t *testing.T) {
	t.Parallel()
	runRuleCases(t, "connection-string-password", []ruleCase{
		{name: "ado.net", text: `"Server=tcp:corp.database.windows.net,1433;Initial Catalog=orders;User ID=app;Pass¦word=Az-Sql-9xKq!r;Encrypt=True;"`, want: []string{"Az-Sql-9xKq!r"}},
		{name: "odbc", text: `DRIVER={ODBC Driver 18 for SQL Server};SERVER=sql01;UID=etl;PW¦D=Etl-0dbc-2024;`, want: []string{"Etl-0dbc-2024"}},
		{name: "at end of line", text: `Server=db01;Database=app;User Id=app;Pass¦word=EndOf-L1ne-7`, want: []string{"EndOf-L1ne-7"}},
		{name: "integrated security", text: `"Server=reports;Database=reports;Integrated Security=True;"`},
		{name: "docs placeholder", text: `"Server=localhost,1433;Database=x;User Id=sa;Password=<YourStrong@Passw0rd>;"`},
		{name: "format placeholder", text: `String.Format("Server={0};User ID={1};Password={2};", a, b, c)`},
		{name: "sql parameter", text: `"Server=db;User ID=app;Password=@dbPassword;"`},
	})
}

func TestRulePack_Azure(t *testing.T) {
	t.Parallel()
	key := fake("azkey", "unit")
	sbKey := fake("sbkey", "unit")
	azurite := "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/" + "K1SZFPTOtr/KBHBeksoGMGw=="
	sig := "Zk4mQ7r2Lx9vT1bN8cW3yH6pD0sF5gJ2aE4uK7iO1lM%3D"
	accountSAS := "sv=2022-11-02&ss=b&srt=co&sp=wl&se=2025-06-30T23:59:59Z&st=2025-06-01T00:00:00Z&spr=https&sig=" + sig
	serviceSAS := "sp=r&st=2024-05-01T06:00:00Z&se=2024-05-01T14:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=" + sig
	runRuleCases(t, "azure-storage-account-key", []ruleCase{
		{name: "connection string", text: `"DefaultEndpointsProtocol=https;AccountName=corpfiles;AccountKey=` + key + `;EndpointSuffix=core.windows.net"`, want: []string{key}},
		{name: "environment", text: `AZURE_STORAGE_KEY=` + key, want: []string{key}},
		{name: "terraform attribute", text: `storage_account_access_key = "` + key + `"`, want: []string{key}},
		{name: "azurite is a documented example", text: `AccountKey=` + azurite + `;`},
		{name: "placeholder", text: `AccountKey=<account-key>;` + "\n" + `AZURE_STORAGE_KEY=$AZURE_STORAGE_KEY`},
	})
	runRuleCases(t, "azure-shared-access-key", []ruleCase{
		{name: "service bus", text: `Endpoint=sb://ev.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=` + sbKey, want: []string{sbKey}},
		{name: "placeholder", text: `SharedAccessKey=<key>`},
	})
	runRuleCases(t, "azure-sas-token", []ruleCase{
		{name: "account SAS", text: `$sas = "?` + accountSAS + `"`, want: []string{accountSAS}},
		{name: "service SAS URL", text: `https://corpfiles.blob.core.windows.net/r/a.csv?` + serviceSAS, want: []string{serviceSAS}},
		{name: "in a connection string", text: `BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=` + accountSAS + `;`, want: []string{accountSAS}},
		{name: "placeholder signature", text: `?sv=2022-11-02&sp=r&se=2024-01-01T00:00:00Z&sr=b&sig=<signature>`},
		{name: "masked signature", text: `?sv=2022-11-02&sp=r&se=2024-01-01&sr=b&sig=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX`},
		{name: "no signed version", text: `https://x/y?sp=r&se=2024-01-01&sig=` + sig},
	})
}

func TestRulePack_GoogleOAuth(t *testing.T) {
	t.Parallel()
	access, refresh, client := fake("ya29", "unit"), fake("googlerefresh", "unit"), fake("gocspx", "unit")
	runRuleCases(t, "gcp-oauth-access-token", []ruleCase{
		{name: "bearer header", text: `headers = {"Authorization": "Bearer ` + access + `"}`, want: []string{access}},
		{name: "placeholder", text: `TOKEN=ya29.your-access-token-goes-here-in-this-variable`},
	})
	runRuleCases(t, "gcp-oauth-refresh-token", []ruleCase{
		{name: "assignment", text: `REFRESH_TOKEN = "` + refresh + `"`, want: []string{refresh}},
		{name: "mention", text: `refresh tokens start with 1//0 and are long`},
	})
	runRuleCases(t, "gcp-oauth-client-secret", []ruleCase{
		{name: "client secret", text: `"client_secret": "` + client + `",`, want: []string{client}},
		{name: "placeholder", text: `"client_secret": "GOCSPX-your_client_secret_here_xyz",`},
	})
}

func TestRulePack_Slack(t *testing.T) {
	t.Parallel()
	r := newFakeRand("slack-unit")
	short := "xoxe.xoxp-1-" + r.from(alnum, 150)
	long := "xoxe.xoxp-1-" + r.from(alnum, 164)
	refresh := "xoxe-1-" + r.from(alnum, 120)
	gitleaksRefresh := "xoxe-1-" + r.from(alnum, 146)
	runRuleCases(t, "slack-rotating-access-token", []ruleCase{
		{name: "shorter than gitleaks' range", text: `{"access_token": "` + short + `"}`, want: []string{short}},
		{name: "gitleaks' range is gitleaks' finding", text: `{"access_token": "` + long + `"}`},
		{name: "placeholder", text: `token: xoxe.xoxp-1-SlackAppConfigurationAccessTokenHere`},
	})
	runRuleCases(t, "slack-rotating-refresh-token", []ruleCase{
		{name: "shorter than gitleaks' length", text: `"refresh_token": "` + refresh + `"`, want: []string{refresh}},
		{name: "gitleaks' length is gitleaks' finding", text: `"refresh_token": "` + gitleaksRefresh + `"`},
	})
}

func TestRulePack_Telegram(t *testing.T) {
	t.Parallel()
	tok := fake("telegram", "unit")
	runRuleCases(t, "telegram-bot-token", []ruleCase{
		{name: "assignment without telegram in the name", text: `BOT_TOKEN = "` + tok + `"`, want: []string{tok}},
		{name: "bot API URL", text: `curl https://api.telegram.org/bot` + tok + `/getUpdates`, want: []string{tok}},
		{name: "docs example shape", text: `tok¦en like 123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11`},
		{name: "too short", text: `id 12345678:AAbbccdd`},
	})
}

func TestRulePack_Twilio(t *testing.T) {
	t.Parallel()
	r := newFakeRand("twilio-unit")
	token, secret := r.from(hexLow, 32), r.from(alnum, 32)
	sid := "AC" + r.from(hexLow, 32)
	runRuleCases(t, "twilio-auth-token", []ruleCase{
		{name: "environment", text: `TWILIO_AUTH_TOKEN=` + token, want: []string{token}},
		{name: "basic auth pair", text: `curl -u ` + sid + `:` + token + ` https://api.twilio.com/2010-04-01/Accounts.json`, want: []string{token}},
		{name: "workflow reference", text: `TWILIO_AUTH_TOKEN: ${{ secrets.TWILIO_AUTH_TOKEN }}`},
		{name: "placeholder", text: `twilio_auth_token: your_auth_token`},
	})
	runRuleCases(t, "twilio-api-key-secret", []ruleCase{
		{name: "environment", text: `TWILIO_API_SECRET=` + secret, want: []string{secret}},
		{name: "placeholder", text: `TWILIO_API_SECRET=<api-key-secret>`},
	})
}

func TestRulePack_Datadog(t *testing.T) {
	t.Parallel()
	r := newFakeRand("datadog-unit")
	api, app := r.from(hexLow, 32), r.from(hexLow, 40)
	runRuleCases(t, "datadog-api-key", []ruleCase{
		{name: "DD_API_KEY", text: `DD_API_KEY=` + api, want: []string{api}},
		{name: "header", text: `curl -H "DD-API-KEY: ` + api + `" https://api.datadoghq.eu/api/v1/validate`, want: []string{api}},
		{name: "terraform variable", text: `datadog_api_key = "` + api + `"`, want: []string{api}},
		{name: "reference", text: `DD_API_KEY=${DD_API_KEY}`},
		{name: "secret name", text: `dd_api_key_secret_name: datadog-api-key`},
	})
	runRuleCases(t, "datadog-agent-api-key", []ruleCase{
		{name: "agent config", path: "etc/datadog-agent/datadog.yaml", text: "site: datadoghq.eu\napi_key: " + api + "\n", want: []string{api}},
		{name: "another file", path: "config/app.yaml", text: "api_key: " + api + "\n"},
	})
	runRuleCases(t, "datadog-app-key", []ruleCase{
		{name: "DD_APP_KEY", text: `export DD_APP_KEY=` + app, want: []string{app}},
		{name: "placeholder", text: `DD_APP_KEY=<application-key>`},
	})
}

func TestRulePack_Presigned(t *testing.T) {
	t.Parallel()
	r := newFakeRand("presign-unit")
	awsQ := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + fake("akia", "presign") + "%2F20240402%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20240402T091500Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=" + r.from(hexLow, 64)
	gcsQ := "X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=sa%40p.iam.gserviceaccount.com%2F20240402%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20240402T120000Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature=" + r.from(hexLow, 512)
	docs := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA" + "IOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=" + r.from(hexLow, 64)
	runRuleCases(t, "aws-presigned-url", []ruleCase{
		{name: "presigned URL", text: `# https://b.s3.amazonaws.com/q1.pdf?` + awsQ, want: []string{awsQ}},
		{name: "AWS documentation example", text: `https://examplebucket.s3.amazonaws.com/test.txt?` + docs},
		{name: "placeholder signature", text: `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240402T091500Z&X-Amz-Signature=` + strings.Repeat("0", 64)},
	})
	runRuleCases(t, "gcs-signed-url", []ruleCase{
		{name: "signed URL", text: `https://storage.googleapis.com/b/o.pdf?` + gcsQ, want: []string{gcsQ}},
		{name: "no signature", text: `https://storage.googleapis.com/b/o.pdf?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Date=20240402T120000Z`},
	})
}

func TestRulePack_PasswordAssignment(t *testing.T) {
	t.Parallel()
	runRuleCases(t, quotedPasswordRules, []ruleCase{
		{name: "python", path: "app/settings.py", text: `EMAIL_HOST_PASSWORD = 'smtp-Relay-2023!'`, want: []string{"smtp-Relay-2023!"}},
		{name: "python annotated", path: "app/settings.py", text: `ldap_bind_password: str = "Ld4p-B1nd-Svc!"`, want: []string{"Ld4p-B1nd-Svc!"}},
		{name: "python dict item", path: "app/db.py", text: `config["password"] = "Hunter2Go!"`, want: []string{"Hunter2Go!"}},
		{name: "go struct literal", path: "cmd/main.go", text: `cfg := Config{Password: "Go-Str4ct-Pw"}`, want: []string{"Go-Str4ct-Pw"}},
		{name: "java constant", path: "src/main/java/A.java", text: `private static final String EXPORT_PASSWORD = "Exp0rt3r#Pg-2022";`, want: []string{"Exp0rt3r#Pg-2022"}},
		{name: "javascript object", path: "web/server.js", text: `const opts = { clientSecret: 'Cl1ent-S3c-JS' };`, want: []string{"Cl1ent-S3c-JS"}},
		{name: "json", path: "config/app.json", text: `{"db": {"password": "J5on-Db-Pw-1"}}`, want: []string{"J5on-Db-Pw-1"}},
		{name: "yaml quoted", path: "deploy/values.yaml", text: `  password: "Ord3rs-K8s-Pa55!"`, want: []string{"Ord3rs-K8s-Pa55!"}},
		{name: "shell", path: "scripts/run.sh", text: `export PGPASSWORD='Pg-Migr4te-2024'`, want: []string{"Pg-Migr4te-2024"}},
		{name: "php", path: "config/db.php", text: `$config['db']['password'] = 'Php-Arr4y-Pw';`, want: []string{"Php-Arr4y-Pw"}},
		{name: "terraform", path: "infra/main.tf", text: `administrator_login_password = "Rep0rts!Adm1n#2023"`, want: []string{"Rep0rts!Adm1n#2023"}},
		{name: "passphrase", path: "build.gradle", text: `signing.key_pass¦phrase = "Gr4dle-Sign-Pass"`, want: []string{"Gr4dle-Sign-Pass"}},
		{name: "environment lookup", path: "app/settings.py", text: `PASSWORD = os.environ["DB_PASSWORD"]`},
		{name: "template", path: "deploy/values.yaml", text: `password: "{{ .Values.global.smtpPassword }}"`},
		{name: "env reference", path: "deploy/values.yaml", text: `password: "${DB_PASSWORD}"`},
		{name: "format string", path: "app/db.py", text: `password = "%s" % get_password()`},
		{name: "single word label", path: "web/i18n/de.json", text: `"password": "Passwort", "secret": "Geheimnis", "totpSecret": "TOTP-Schlüssel"`},
		{name: "UI string with spaces", path: "web/labels.ts", text: `passwordHint: "At least 12 characters, one symbol",`},
		{name: "placeholder words", path: "app/settings.py", text: "password = \"changeme\"\nsecret = \"mysecret123\"\npassword = \"your_password_here\"\nDEFAULT_ADMIN_PASSWORD = \"admin123\""},
		{name: "bcrypt hash", path: "db/seed.py", text: `password = "$2b$12$KIXQhL8z3VxJpRnqgkT0Me6cZpWbYv1s9uF2nD4aH7oLtE5rQmC3i"`},
		{name: "hash named on the line", path: "db/seed.py", text: `admin_pass¦word = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"  # sha256 hash`},
		{name: "name of something else", path: "app/settings.py", text: "password_hash = \"x9Y8z7W6\"\nsecret_name = \"db-creds-v2\"\npassword_file = \"/run/secrets/db\"\nPASSWORD_REGEX = r\"^(?=.*\\d).{12,}$\""},
		{name: "comparison", path: "app/auth.py", text: `if password == "whatever1":`},
		{name: "not a password word", path: "app/nav.py", text: `compass = "n0rth!!"` + "\n" + `bypass = "by-pa55!"`},
		{name: "file path", path: "app/settings.py", text: `secret = "/etc/app/secret.key"`},
		{name: "vault reference", path: "app/settings.py", text: `password = "vault:secret/data/db#password"`},
		{name: "provider token left to its rule", path: "app/settings.py", text: `secret = "` + fake("ghp", "pw-rule") + `"`},
		{name: "test file", path: "tests/test_login.py", text: `password = "Fixture#Pass99"`},
		{name: "documentation", path: "docs/setup.md", text: `password = "Docs-Sample-1"`},
		{name: "gitleaks' terraform rule has it", path: "infra/main.tf", text: `administrator_login_password = "Tf4dm1nPw99"`},
		{name: "upper-case name", path: "app/settings.py", text: `DB_PASSWORD = "Upp3r-Case-Pw"`, want: []string{"Upp3r-Case-Pw"}},
		{name: "capitalised name", path: "src/Config.cs", text: `Password = "C4pital-Pw!",`, want: []string{"C4pital-Pw!"}},
		{name: "upper-case secret", path: "app/settings.py", text: `CLIENT_SECRET = "Cl13nt-S3cr-UC"`, want: []string{"Cl13nt-S3cr-UC"}},
		{name: "short names", path: "app/settings.py", text: "DB_PASS = \"Sh0rt-Pass-1\"\nftp_pwd: 'Ftp-Pwd-772'", want: []string{"Sh0rt-Pass-1", "Ftp-Pwd-772"}},
		{name: "python pass statement", path: "app/views.py", text: "def f():\n    pass\n"},
		{name: "piece of code", path: "ci/jenkins.go", text: "ref := wire{secret: \"credentials('\" + id + \"')\"}"},
		{name: "label", path: "ci/circleci.go", text: `s.emit(wire{store: "project-ssh-keys", secret: "ssh-key:*"})`},
		{name: "secretary is not a secret", path: "app/models.py", text: `secretary = "Ms-Smith-2"`},
		{name: "java setter", path: "src/main/java/Ds.java", text: `ds.setPassword("Ds-S3tter-Pw9");`, want: []string{"Ds-S3tter-Pw9"}},
		{name: "java setter with a variable", path: "src/main/java/Ds.java", text: `ds.setPassword(System.getenv("DB_PASSWORD"));`},
	})
}

func TestRulePack_PasswordAssignmentConfig(t *testing.T) {
	t.Parallel()
	runRuleCases(t, "password-assignment-config", []ruleCase{
		{name: "dotenv", path: ".env.production", text: "DB_PASS¦WORD=Pg-Pr0d-x9K2mQ\nSESSION_SEC¦RET=7d4f2a9c81e3b6f05a2c9e7d3b1f8a6c\n", want: []string{"Pg-Pr0d-x9K2mQ", "7d4f2a9c81e3b6f05a2c9e7d3b1f8a6c"}},
		{name: "properties", path: "src/main/resources/application.properties", text: "spring.mail.password=M4il-Rel4y-Pw-31\n", want: []string{"M4il-Rel4y-Pw-31"}},
		{name: "yaml", path: "ansible/group_vars/all.yml", text: "smtp_relay_pass¦word: Sm7p-Relay-An5ible\n", want: []string{"Sm7p-Relay-An5ible"}},
		{name: "compose list", path: "docker-compose.yml", text: "    environment:\n      - GF_SECURITY_ADMIN_PASSWORD=Graf4na-Adm1n-77\n", want: []string{"Graf4na-Adm1n-77"}},
		{name: "dockerfile", path: "Dockerfile", text: "ENV REPORTS_DB_PASSWORD=R3ports-D0cker-pw\n", want: []string{"R3ports-D0cker-pw"}},
		{name: "trailing comment", path: "config/app.ini", text: "password = Ini-P4ss-77 ; rotated monthly\n", want: []string{"Ini-P4ss-77"}},
		{name: "default container passwords", path: "docker-compose.yml", text: "POSTGRES_PASSWORD: postgres\nMYSQL_ROOT_PASSWORD: example\nRABBITMQ_DEFAULT_PASS: guest\nkeystore.password=changeit\n"},
		{name: "references", path: "config/application.yml", text: "password: ${DB_PASSWORD}\npassword: ${DB_PASSWORD:changeme}\nsecret: !vault |\npassword: \"{{ vault_pw }}\"\nSESSION_SECRET=${SESSION_SECRET}\n"},
		{name: "sops and ansible vault", path: "ansible/group_vars/all.yml", text: "app_secret: ENC[AES256_GCM,data:Tr3Yr8w=,iv:1Hk2Xo9=,tag:abCD12==,type:str]\n"},
		{name: "kubernetes names", path: "deploy/deploy.yaml", text: "existingSecret: orders-db-credentials\nsecret: true\nsecretName: orders-tls\n"},
		{name: "sealed secret ciphertext", path: "deploy/sealed.yaml", text: "    pass¦word: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq4xH2rZlVQ9fUu8r0Hk5Qp2mN7bW1xC6vT3jD9sL0aF8gE4yK2nR5oP7iU1qZ3wX6cV9bM0nJ8hG5fD2sA4kL7pO1iU3yT6rE9wQ0zX2cV5bN8mK1jH4gF7dS0aP3oI6uY9tR2eW5qZ8xC1vB4nM7kJ0hG3fD6s\n"},
		{name: "bcrypt hash", path: "config/users.yml", text: "password: $2y$10$abcdefghijklmnopqrstuuJ9v8w7x6y5z4A3B2C1D0E9F8G7H6I5J4K\n"},
		{name: "example file", path: ".env.example", text: "DB_PASSWORD=Real-Looking-1\n"},
		{name: "code is not configuration", path: "app/settings.py", text: "PASSWORD = get_password_from_vault\n"},
	})
}

package configfile

import (
	"strings"
	"unicode"
)

// keyWords splits a key name of any style (SNAKE_CASE, kebab-case,
// camelCase, dotted.path) into lower-case words: "spring.datasource.password"
// → [spring datasource password], "clientSecret" → [client secret],
// "APIKey" → [api key].
func keyWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case unicode.IsUpper(r) && len(cur) > 0:
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// notSecretLast are final words that make a key name describe something
// about a credential rather than hold one: password_file, token_url,
// secret_name, api_key_id, password_min_length...
var notSecretLast = set("id", "ids", "name", "names", "path", "paths", "file", "files", "filename", "dir",
	"directory", "location", "url", "uri", "urls", "endpoint", "endpoints", "host", "hostname", "port", "user",
	"username", "login", "email", "type", "types", "kind", "length", "len", "size", "ttl", "expiry", "expires",
	"expiration", "exp", "lifetime", "timeout", "header", "headers", "param", "parameter", "field", "fields",
	"prefix", "suffix", "pattern", "regex", "regexp", "algorithm", "alg", "enabled", "enable", "disabled", "required",
	"policy", "hash", "hashed", "salt", "rounds", "iterations", "count", "min", "max", "version", "format",
	"encoding", "ref", "arn", "env", "var", "variable", "mode", "method", "provider", "store", "source", "scope",
	"scopes", "issuer", "audience", "region", "label", "description", "desc", "help", "hint", "message", "msg",
	"placeholder", "template", "reset", "confirmation", "confirm", "strength", "validation", "validator",
	"rotation", "command", "cmd", "script", "helper", "manager", "mgr", "rule", "rules", "reference", "column",
	"query", "table", "index", "attribute", "attr", "claim", "class", "impl", "factory", "bean", "encoder",
	"generator", "chars", "characters", "complexity", "check", "mask", "masked", "hidden", "visible", "show",
	"input", "prompt", "title", "text", "error", "errors", "invalid", "missing", "changed", "updated", "at",
	"date", "time", "expired", "flag", "option", "options", "config", "configuration", "settings", "properties",
	"spec", "schema", "secretref", "keyref", "location", "uri", "service", "status", "state", "endpoint",
	"bucket", "vault", "keyvault", "kms", "fingerprint", "thumbprint", "hint", "usage", "purpose", "cache",
	"dn", "path", "mount", "volume", "secretname", "keyname", "tokenname", "env", "enabled", "mapping",
	"permissions", "permission", "role", "roles", "group", "groups", "account", "owner", "uid", "gid",
	"duration", "seconds", "minutes", "hours", "days", "interval", "refresh", "policy")

// notSecretWords anywhere in a key name mark values published by design:
// public and publishable keys, site keys, anonymous (client-side) keys.
var notSecretWords = set("public", "publishable", "pub", "site", "sitekey", "anon", "example", "sample",
	"placeholder", "dummy", "mock", "fake")

// keyQualifiers are the words before a final "key" that make it a secret
// key (api_key, access_key, encryption_key...) rather than a lookup key
// (sort_key, cache_key, primary_key).
var keyQualifiers = set("api", "access", "secret", "private", "master", "encryption", "encrypt", "signing",
	"sign", "auth", "authentication", "client", "service", "account", "storage", "app", "application",
	"license", "licence", "admin", "webhook", "subscription", "shared", "hmac", "jwt", "session", "cookie",
	"crypto", "aes", "root", "personal", "deploy", "write", "server", "sdk", "consumer", "management",
	"integration", "ingest", "ingestion", "rest", "cipher", "openai", "anthropic", "stripe", "sendgrid",
	"mailgun", "twilio", "algolia", "mapbox", "google", "gemini", "groq", "mistral", "cohere", "pinecone",
	"datadog", "dd", "newrelic", "sentry", "segment", "mixpanel", "pusher", "firebase", "supabase", "resend",
	"postmark", "brevo", "mailchimp", "hubspot", "airtable", "notion", "linear", "slack", "discord", "telegram",
	"github", "gitlab", "openrouter", "perplexity", "replicate", "huggingface", "hf", "together", "deepseek",
	"xai", "elevenlabs", "tavily", "serper", "exa", "brave", "firecrawl", "browserbase", "composio", "langsmith",
	"langchain", "voyage", "jina", "fal", "weaviate", "qdrant", "upstash", "vercel", "netlify", "cloudflare",
	"heroku", "azure", "aws", "gcp", "do", "digitalocean", "linode", "hetzner", "vultr", "bearer", "token",
	"password", "secure", "security", "otp", "totp", "mfa", "recaptcha", "captcha", "oauth",
	"consumer", "partner", "merchant", "payment", "paypal", "braintree", "square", "plaid", "shopify",
	"signature", "verification", "verify", "webhooks", "encryptionkey", "decryption", "decrypt", "wrapping")

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// compounds are key words written without separators.
var compoundPassword = set("password", "passwd", "pwd", "pw", "passphrase", "passwort", "passcode",
	"dbpass", "dbpassword", "rootpassword", "adminpassword", "masterpassword", "storepassword", "keypassword",
	"keystorepassword", "truststorepassword")

var compoundSecret = set("secret", "secrets", "token", "apikey", "apitoken", "accesstoken", "authtoken",
	"secretkey", "privatekey", "clientsecret", "appsecret", "apisecret", "bearer", "credential", "credentials",
	"creds", "accesskey", "secretaccesskey", "refreshtoken", "sessiontoken", "idtoken", "authkey", "masterkey",
	"encryptionkey", "signingkey", "webhooksecret", "sharedsecret", "jwtsecret", "pat", "apikeys", "licensekey",
	"subscriptionkey", "accountkey", "storagekey", "sastoken", "servicekey", "appkey")

// keyClass returns what a key name says its value is.
func keyClass(name string) secretClass {
	w := keyWords(name)
	if len(w) == 0 {
		return classNone
	}
	last := w[len(w)-1]
	if notSecretLast[last] {
		return classNone
	}
	for _, x := range w {
		if notSecretWords[x] {
			return classNone
		}
	}
	switch {
	case compoundPassword[last], last == "pass" || last == "pword", hasAnySuffix(last, "password", "passwd", "passphrase"):
		return classPassword
	case compoundSecret[last], hasAnySuffix(last, "secret", "apikey", "authtoken", "accesstoken", "apitoken"):
		return classSecret
	case last == "key" && len(w) >= 2 && keyQualifiers[w[len(w)-2]]:
		return classSecret
	case last == "base" && len(w) >= 2 && (w[len(w)-2] == "key" || w[len(w)-2] == "secret"):
		// Rails secret_key_base.
		return classSecret
	}
	// A credential word before a harmless suffix: JWT_SECRET_V2,
	// password_prod, token_github.
	for i, x := range w[:len(w)-1] {
		if notSecretLast[w[i+1]] {
			break
		}
		switch {
		case compoundPassword[x]:
			return classPassword
		case x == "secret" || x == "token" || x == "apikey" || x == "credentials":
			return classSecret
		}
	}
	return classNone
}

// dbWords mark a key as belonging to a database or message broker.
var dbWords = set("db", "database", "datasource", "postgres", "postgresql", "pg", "psql", "mysql", "mariadb",
	"mongo", "mongodb", "redis", "sql", "mssql", "sqlserver", "oracle", "jdbc", "r2dbc", "rds", "aurora",
	"cassandra", "couchdb", "couchbase", "neo4j", "elasticsearch", "rabbitmq", "rabbit", "amqp", "cockroach",
	"cockroachdb", "clickhouse", "snowflake", "influx", "influxdb", "flyway", "liquibase", "hibernate", "typeorm",
	"sequelize", "prisma", "knex", "memcached", "valkey", "dynamo", "cosmos", "cosmosdb", "supabase", "timescale",
	"questdb", "dbpass", "dbpassword", "pgpassword", "pgpass", "kafka", "nats", "activemq", "artemis", "mq")

// isDatabaseKey reports whether a key names a database or broker setting.
func isDatabaseKey(name string) bool {
	for _, x := range keyWords(name) {
		if dbWords[x] {
			return true
		}
	}
	return false
}

// awsField is the part of an AWS key pair a key name holds.
type awsField int

const (
	awsNone awsField = iota
	awsKeyID
	awsSecret
	awsSession
)

// awsKeyField recognises AWS key-pair keys in any style: aws_access_key_id,
// AWS_SECRET_ACCESS_KEY, secretAccessKey, aws_session_token... Short names
// (access_key, secret_key, token) count only where the context is AWS
// (inAWS: an AWS profile, a Terraform aws provider), since elsewhere
// SECRET_KEY is a Django or Flask signing key.
func awsKeyField(name string, inAWS bool) awsField {
	j := strings.Join(keyWords(name), "")
	if t, ok := strings.CutPrefix(j, "aws"); ok {
		j, inAWS = t, true
	}
	switch j {
	case "accesskeyid":
		return awsKeyID
	case "secretaccesskey":
		return awsSecret
	case "sessiontoken", "securitytoken":
		if inAWS {
			return awsSession
		}
	case "accesskey":
		if inAWS {
			return awsKeyID
		}
	case "secretkey", "accesssecret", "secret":
		if inAWS {
			return awsSecret
		}
	case "token":
		if inAWS {
			return awsSession
		}
	}
	return awsNone
}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// hasPublicWord reports whether a key name says its value is public
// (NEXT_PUBLIC_*, *_PUBLISHABLE_KEY).
func hasPublicWord(name string) bool {
	for _, w := range keyWords(name) {
		if w == "public" || w == "publishable" || w == "pub" {
			return true
		}
	}
	return false
}

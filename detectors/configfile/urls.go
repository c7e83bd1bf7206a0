package configfile

import (
	"strings"
)

// urlCredKind is what a credential embedded in a URL or connection string
// is.
type urlCredKind int

const (
	// credDatabase is the password of a database or broker URL.
	credDatabase urlCredKind = iota
	// credURL is the password of any other URL (https://user:pass@host).
	credURL
	// credAzureKey is an Azure storage account key or shared access key in
	// a connection string.
	credAzureKey
)

// urlCred is a credential found inside a value.
type urlCred struct {
	kind  urlCredKind
	value string
	idx   int // byte index of value in the input
}

// dbSchemes are the URL schemes of databases and message brokers; a
// "+driver" suffix (postgresql+psycopg2) is ignored.
var dbSchemes = set("postgres", "postgresql", "pgsql", "mysql", "mysqlx", "mariadb", "mongodb", "redis", "rediss",
	"amqp", "amqps", "mssql", "sqlserver", "cockroachdb", "cockroach", "clickhouse", "oracle", "db2", "snowflake",
	"neo4j", "bolt", "couchbase", "couchbases", "cassandra", "memcached", "nats", "kafka", "valkey", "valkeys",
	"timescale", "tidb", "crate", "influxdb", "questdb", "sqlite", "jdbc", "r2dbc", "ldap", "ldaps")

// urlCredentials returns the credentials embedded in v: the password of
// each scheme://user:password@host URL, password= parameters of JDBC URLs
// and of key=value;... connection strings (ADO.NET, ODBC), and the
// AccountKey / SharedAccessKey of Azure connection strings. Values that are
// references or placeholders are left out.
func urlCredentials(v string) []urlCred {
	var out []urlCred
	for i := 0; i < len(v) && len(out) < maxCredsPerValue; {
		j := strings.Index(v[i:], "://")
		if j < 0 {
			break
		}
		j += i
		scheme := schemeBefore(v, j)
		rest := v[j+3:]
		if c, ok := userinfoPassword(rest); ok {
			c.idx += j + 3
			if isDBScheme(scheme) {
				c.kind = credDatabase
			}
			out = append(out, c)
		}
		i = j + 3
	}
	out = append(out, paramCredentials(v)...)
	return out
}

func isDBScheme(scheme string) bool {
	s := strings.ToLower(scheme)
	s, _, _ = strings.Cut(s, "+")
	return dbSchemes[s] || strings.HasPrefix(strings.ToLower(scheme), "jdbc:")
}

// schemeBefore returns the scheme ending at index j (where "://" starts),
// including a "jdbc:" prefix.
func schemeBefore(v string, j int) string {
	k := j
	for k > 0 {
		c := v[k-1]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-' || c == ':' {
			k--
			continue
		}
		break
	}
	return v[k:j]
}

// maxCredsPerValue bounds the credentials read from one value: a real
// connection string holds one or two.
const maxCredsPerValue = 16

// maxAuthority bounds the text searched for user:password@host, so that a
// value holding many "://" is read in linear time.
const maxAuthority = 512

// userinfoPassword finds user:password@ at the start of an authority.
func userinfoPassword(rest string) (urlCred, bool) {
	rest = rest[:min(len(rest), maxAuthority)]
	end := strings.IndexAny(rest, " \t\r\n'\"`<>")
	if end < 0 {
		end = len(rest)
	}
	auth := rest[:end]
	// The authority ends at the first '/', '?' or '#' after the last '@'
	// (passwords written without escaping may hold '/' or '#').
	at := strings.LastIndexByte(auth, '@')
	if at <= 0 {
		return urlCred{}, false
	}
	if slash := strings.IndexAny(auth, "/?#"); slash >= 0 && slash < at {
		// An '@' in the path (…/users/@me) is not userinfo, unless the
		// part before the slash already has the user:password shape.
		if !strings.Contains(auth[:slash], ":") {
			return urlCred{}, false
		}
	}
	colon := strings.IndexByte(auth[:at], ':')
	if colon < 0 {
		return urlCred{}, false
	}
	pass := auth[colon+1 : at]
	host := auth[at+1:]
	if pass == "" || host == "" || !isHostStart(host[0]) || !isLiteral(pass) {
		return urlCred{}, false
	}
	return urlCred{kind: credURL, value: pass, idx: colon + 1}, true
}

func isHostStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '[' || c == '_'
}

// paramCredentials finds password=, pwd=, AccountKey= and SharedAccessKey=
// parameters of connection strings and JDBC URLs.
func paramCredentials(v string) []urlCred {
	var out []urlCred
	lower := strings.ToLower(v)
	pwKind := credURL
	for _, marker := range []string{"jdbc:", "server=", "data source=", "host=", "database=", "initial catalog=", "dbname=", "uid=", "user id="} {
		if strings.Contains(lower, marker) {
			pwKind = credDatabase
		}
	}
	for _, p := range []struct {
		name string
		kind urlCredKind
	}{
		{"password=", credDatabase}, {"pwd=", credDatabase}, {"accountkey=", credAzureKey}, {"sharedaccesskey=", credAzureKey},
	} {
		for i := 0; i < len(lower) && len(out) < maxCredsPerValue; {
			j := strings.Index(lower[i:], p.name)
			if j < 0 {
				break
			}
			j += i
			i = j + len(p.name)
			if j > 0 && !strings.ContainsRune(";&?: \t", rune(lower[j-1])) {
				continue // part of a longer name: userpassword=, sharedaccesskeyname=
			}
			tail := v[i:min(len(v), i+maxAuthority)]
			start := 0
			if len(tail) > 0 && (tail[0] == '"' || tail[0] == '\'') {
				// JAAS and similar: password="..."
				start = 1
				tail = tail[1:]
			}
			end := strings.IndexAny(tail, ";&\"' \t\r\n")
			if end < 0 {
				end = len(tail)
			}
			i += start
			val := v[i : i+end]
			if val == "" || !isLiteral(val) {
				continue
			}
			kind := p.kind
			if kind == credDatabase {
				kind = pwKind
			}
			out = append(out, urlCred{kind: kind, value: val, idx: i})
		}
	}
	return out
}

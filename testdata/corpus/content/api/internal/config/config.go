package config

import (
	"os"
	"time"
)

// DB configures the database connection.
type DB struct {
	Host     string `yaml:"host"`
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	Timeout  time.Duration
}

const passwordMinLength = 12

// Defaults for local development. The broker password is the one baked into
// the team's shared staging broker.
var Defaults = DB{
	Host:     "localhost",
	User:     "api",
	Password: "",
	Timeout:  5 * time.Second,
}

var natsURL = "nats://api:N4ts-St4ging-K1@nats-staging.corp.internal:4222"

// FromEnv reads the configuration from the environment.
func FromEnv() DB {
	d := Defaults
	if p := os.Getenv("API_DB_PASSWORD"); p != "" {
		d.Password = p
	}
	secret := []byte(os.Getenv("API_SIGNING_SECRET"))
	_ = secret
	return d
}

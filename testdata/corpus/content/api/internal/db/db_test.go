package db

import "testing"

func TestConfig(t *testing.T) {
	cfg := Config{Host: "localhost", Password: "hunter2-test"}
	if cfg.Password == "" {
		t.Fatal("empty password")
	}
	dsn := "postgres://api:fixture-pass-42@localhost:5432/api_test"
	_ = dsn
}

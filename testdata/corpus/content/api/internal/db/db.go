// Package db opens the API's PostgreSQL pool.
package db

import (
	"context"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
)

// dsnFormat is filled from the environment; see Open.
const dsnFormat = "postgres://api:%s@%s:5432/api?sslmode=require"

// devDSN is the docker-compose database, used when API_DB_HOST is unset.
var devDSN = "postgres://api:api-dev-7Kq2xP@localhost:5432/api?sslmode=disable"

// Config holds the connection settings.
type Config struct {
	Host     string `json:"host"`
	Password string `json:"password"`
}

// Open connects to the database named by the environment.
func Open(ctx context.Context) (*pgxpool.Pool, error) {
	host := os.Getenv("API_DB_HOST")
	if host == "" {
		return pgxpool.New(ctx, devDSN)
	}
	cfg := Config{Host: host, Password: os.Getenv("API_DB_PASSWORD")}
	return pgxpool.New(ctx, fmt.Sprintf(dsnFormat, cfg.Password, cfg.Host))
}

// Given: you do not need to change this file.
//
// The graders build this program and start it, a fresh process for each test, with its
// configuration in the environment:
//
//	PORT           listen on 127.0.0.1:$PORT
//	CLOCK_FILE     the current time (see clock.go)
//	DATABASE_URL   the PostgreSQL database that holds the users table
//	JWT_SECRET     the HMAC key that signs tokens
//	TOKEN_TTL_SEC  token lifetime in seconds (default 900)
//	ADMIN_EMAILS   emails that register as admins, comma-separated
//
// Run it yourself with DATABASE_URL and JWT_SECRET set and `go run .` (port 8080).
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Config is what NewApp gets: its dependencies and settings, built here from the environment.
type Config struct {
	DB          *pgxpool.Pool    // the users table lives here
	Secret      []byte           // JWT_SECRET
	TokenTTL    time.Duration    // TOKEN_TTL_SEC
	AdminEmails []string         // ADMIN_EMAILS split at the commas, each exactly as configured
	Now         func() time.Time // the clock: take every timestamp from it
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	ttl := 900
	if s := os.Getenv("TOKEN_TTL_SEC"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			log.Fatalf("TOKEN_TTL_SEC=%q: want a positive number of seconds", s)
		}
		ttl = n
	}
	var admins []string
	if s := os.Getenv("ADMIN_EMAILS"); s != "" {
		admins = strings.Split(s, ",")
	}
	secret := os.Getenv("JWT_SECRET")
	if secret == "" {
		log.Fatal("JWT_SECRET is not set")
	}
	dbConfig, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatalf("DATABASE_URL: %v", err)
	}
	dbConfig.MaxConns = 10 // the default (4 on a small machine) would queue concurrent requests
	db, err := pgxpool.NewWithConfig(context.Background(), dbConfig)
	if err != nil {
		log.Fatalf("DATABASE_URL: %v", err)
	}
	defer db.Close()

	app := NewApp(Config{DB: db, Secret: []byte(secret), TokenTTL: time.Duration(ttl) * time.Second, AdminEmails: admins, Now: Now})
	srv := &http.Server{Addr: "127.0.0.1:" + port, Handler: app}
	log.Printf("auth-api listening on http://%s", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}

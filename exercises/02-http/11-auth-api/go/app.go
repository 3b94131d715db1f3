package main

import (
	"net/http"
	"time"
)

// User is a row of the users table (see README.md for its DDL); PublicUser is what the API
// answers with: never the hash.
type User struct {
	ID           string
	Email        string
	PasswordHash string
	Role         string
	CreatedAt    time.Time
}

type PublicUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Role  string `json:"role"`
}

// NewApp returns the Auth API, step by step (see README.md). The users live in cfg.DB, in the
// users table; take every timestamp from cfg.Now.
//
// TODO: step 1 — POST /auth/register: validate, hash the password (crypto/pbkdf2 with a fresh
// random salt per user), INSERT the row and map the unique violation (23505) to 409.
// TODO: step 2 — POST /auth/login with an HS256 JWT (crypto/hmac), GET /me behind a check of
// the Authorization: Bearer token.
// TODO: step 3 — GET /admin/users and PATCH /admin/users/{id} for admins only: 401 vs 403.
func NewApp(cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotImplemented)
		w.Write([]byte(`{"error":"TODO: step 1 — POST /auth/register in NewApp (app.go)"}`))
	})
}

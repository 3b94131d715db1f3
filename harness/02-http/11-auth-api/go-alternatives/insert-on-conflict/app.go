package main

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// User is a row of the users table; PublicUser is what the API answers with (never the hash).
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

func (u User) Public() PublicUser { return PublicUser{ID: u.ID, Email: u.Email, Role: u.Role} }

type app struct {
	cfg    Config
	admins map[string]bool
}

// NewApp returns the Auth API (see README.md).
func NewApp(cfg Config) http.Handler {
	a := &app{cfg: cfg, admins: map[string]bool{}}
	for _, e := range cfg.AdminEmails {
		// Compared with normalized emails, so normalized the same way.
		a.admins[strings.ToLower(strings.TrimSpace(e))] = true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/register", a.register)
	mux.HandleFunc("POST /auth/login", a.login)
	mux.HandleFunc("GET /me", a.authenticated(a.me))
	mux.HandleFunc("GET /admin/users", a.authorized("admin", a.listUsers))
	mux.HandleFunc("PATCH /admin/users/{id}", a.authorized("admin", a.setRole))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fail(w, http.StatusNotFound, "not_found") })
	return mux
}

// ---- step 1: register ----

var emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

func (a *app) register(w http.ResponseWriter, r *http.Request) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	fields := map[string]string{}
	email, password := "", ""
	switch v, present := body["email"]; {
	case !present || v == nil:
		fields["email"] = "required"
	case !isString(v):
		fields["email"] = "type"
	default:
		email = strings.ToLower(strings.TrimSpace(v.(string)))
		if !emailPattern.MatchString(email) {
			fields["email"] = "format"
		}
	}
	switch v, present := body["password"]; {
	case !present || v == nil:
		fields["password"] = "required"
	case !isString(v):
		fields["password"] = "type"
	default:
		password = v.(string)
		// Characters, not bytes: "п" is one character and two bytes.
		if n := utf8.RuneCountInString(password); n < 8 || n > 72 {
			fields["password"] = "length"
		}
	}
	if len(fields) > 0 {
		send(w, http.StatusBadRequest, map[string]any{"error": "validation", "fields": fields})
		return
	}

	hash, err := hashPassword(password)
	if err != nil {
		internal(w, err)
		return
	}
	role := "user"
	if a.admins[email] {
		role = "admin"
	}
	u := User{Email: email, PasswordHash: hash, Role: role, CreatedAt: a.cfg.Now()}
	// ON CONFLICT DO NOTHING (no target: any unique index, here lower(email)) turns a
	// duplicate into "no row back" instead of an error. A concurrent insert of the same
	// email waits for the other transaction, then conflicts too: still one row.
	err = a.cfg.DB.QueryRow(r.Context(),
		`INSERT INTO users (email, password_hash, role, created_at) VALUES ($1, $2, $3, $4)
		 ON CONFLICT DO NOTHING RETURNING id`,
		u.Email, u.PasswordHash, u.Role, u.CreatedAt).Scan(&u.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		fail(w, http.StatusConflict, "email_taken")
		return
	}
	if err != nil {
		internal(w, err)
		return
	}
	send(w, http.StatusCreated, u.Public())
}

const hashIterations = 100_000

// hashPassword is PBKDF2-HMAC-SHA256 with a fresh random salt for every call, stored as
// pbkdf2-sha256$<iterations>$<salt>$<hash>.
func hashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, hashIterations, 32)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", hashIterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

func checkPassword(password, stored string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iterations, err := strconv.Atoi(parts[1])
	if err != nil || iterations < 1 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iterations, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// A hash to check against when the email is unknown, so that both failures cost the same.
var dummyHash, _ = hashPassword("no such user, no such password")

// ---- step 2: login and tokens ----

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	email, _ := body["email"].(string)
	password, _ := body["password"].(string)
	email = strings.ToLower(strings.TrimSpace(email))
	var id, hash string
	err := a.cfg.DB.QueryRow(r.Context(), `SELECT id, password_hash FROM users WHERE lower(email) = $1`, email).Scan(&id, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		checkPassword(password, dummyHash)
		fail(w, http.StatusUnauthorized, "invalid_credentials") // the same answer as a wrong password
		return
	}
	if err != nil {
		internal(w, err)
		return
	}
	if !checkPassword(password, hash) {
		fail(w, http.StatusUnauthorized, "invalid_credentials")
		return
	}
	ttl := int64(a.cfg.TokenTTL / time.Second)
	iat := a.cfg.Now().Unix()
	token, err := a.sign(claims{Sub: id, Iat: iat, Exp: iat + ttl})
	if err != nil {
		internal(w, err)
		return
	}
	send(w, http.StatusOK, map[string]any{"token": token, "tokenType": "Bearer", "expiresIn": ttl})
}

type claims struct {
	Sub string `json:"sub"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
}

var b64 = base64.RawURLEncoding

var jwtHeader = b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

func (a *app) signature(data string) []byte {
	mac := hmac.New(sha256.New, a.cfg.Secret)
	mac.Write([]byte(data))
	return mac.Sum(nil)
}

func (a *app) sign(c claims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	data := jwtHeader + "." + b64.EncodeToString(payload)
	return data + "." + b64.EncodeToString(a.signature(data)), nil
}

// verify returns the user id of a valid, unexpired HS256 token signed with the secret.
func (a *app) verify(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false
	}
	given, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(given, a.signature(parts[0]+"."+parts[1])) {
		return "", false
	}
	// The algorithm is ours to choose, never the token's: anything but HS256 ("none"!) is refused.
	var header struct {
		Alg string `json:"alg"`
	}
	if raw, err := b64.DecodeString(parts[0]); err != nil || json.Unmarshal(raw, &header) != nil || header.Alg != "HS256" {
		return "", false
	}
	var c struct {
		Sub *string `json:"sub"`
		Exp *int64  `json:"exp"`
	}
	if raw, err := b64.DecodeString(parts[1]); err != nil || json.Unmarshal(raw, &c) != nil || c.Sub == nil || c.Exp == nil {
		return "", false
	}
	if *c.Exp <= a.cfg.Now().Unix() { // expired at exp itself
		return "", false
	}
	return *c.Sub, true
}

type userKey struct{}

// authenticated runs next with the calling user in the request's context, or answers 401.
func (a *app) authenticated(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !found {
			unauthorized(w)
			return
		}
		id, ok := a.verify(token)
		if !ok {
			unauthorized(w)
			return
		}
		// The user as stored now: deleted → 401, and the role is the current one.
		var u User
		err := a.cfg.DB.QueryRow(r.Context(), `SELECT id, email, role FROM users WHERE id = $1`, id).Scan(&u.ID, &u.Email, &u.Role)
		if errors.Is(err, pgx.ErrNoRows) {
			unauthorized(w)
			return
		}
		if err != nil {
			internal(w, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	}
}

func caller(r *http.Request) User { return r.Context().Value(userKey{}).(User) }

func (a *app) me(w http.ResponseWriter, r *http.Request) {
	send(w, http.StatusOK, caller(r).Public())
}

// ---- step 3: roles ----

// authorized is authenticated plus a role: a known caller without it gets 403.
func (a *app) authorized(role string, next http.HandlerFunc) http.HandlerFunc {
	return a.authenticated(func(w http.ResponseWriter, r *http.Request) {
		if caller(r).Role != role {
			fail(w, http.StatusForbidden, "forbidden")
			return
		}
		next(w, r)
	})
}

func (a *app) listUsers(w http.ResponseWriter, r *http.Request) {
	rows, err := a.cfg.DB.Query(r.Context(), `SELECT id, email, role, created_at FROM users ORDER BY created_at, id`)
	if err != nil {
		internal(w, err)
		return
	}
	type item struct {
		PublicUser
		CreatedAt string `json:"createdAt"`
	}
	items := []item{}
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.Email, &u.Role, &u.CreatedAt); err != nil {
			rows.Close()
			internal(w, err)
			return
		}
		items = append(items, item{u.Public(), u.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z")})
	}
	if err := rows.Err(); err != nil {
		internal(w, err)
		return
	}
	send(w, http.StatusOK, map[string]any{"items": items})
}

func (a *app) setRole(w http.ResponseWriter, r *http.Request) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	role, _ := body["role"].(string)
	if role != "user" && role != "admin" {
		send(w, http.StatusBadRequest, map[string]any{"error": "validation", "fields": map[string]string{"role": "format"}})
		return
	}
	var u User
	err := a.cfg.DB.QueryRow(r.Context(), `UPDATE users SET role = $2 WHERE id = $1 RETURNING id, email, role`, r.PathValue("id"), role).
		Scan(&u.ID, &u.Email, &u.Role)
	if errors.Is(err, pgx.ErrNoRows) {
		fail(w, http.StatusNotFound, "not_found")
		return
	}
	if err != nil {
		internal(w, err)
		return
	}
	send(w, http.StatusOK, u.Public())
}

// ---- JSON ----

func readObject(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	var body map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil || body == nil {
		fail(w, http.StatusBadRequest, "invalid_json")
		return nil, false
	}
	return body, true
}

func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

func send(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func fail(w http.ResponseWriter, status int, code string) {
	send(w, status, map[string]string{"error": code})
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", "Bearer")
	fail(w, http.StatusUnauthorized, "unauthorized")
}

// internal answers 500 and logs the cause (nothing of it is for the client).
func internal(w http.ResponseWriter, err error) {
	log.Printf("internal error: %v", err)
	fail(w, http.StatusInternalServerError, "internal")
}

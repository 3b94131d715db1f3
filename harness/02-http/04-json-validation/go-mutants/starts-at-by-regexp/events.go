// Package events decodes, validates and encodes the events of a small API.
package events

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// MaxBodyBytes is the largest body POST /events reads.
const MaxBodyBytes = 64 << 10

// Organizer is who runs an event.
type Organizer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Event is a stored, normalized event.
type Event struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	StartsAt  string    `json:"startsAt"`
	Seats     int       `json:"seats"`
	Tags      []string  `json:"tags"`
	Organizer Organizer `json:"organizer"`
}

// input is the body of POST /events as sent: a pointer is nil when the key is missing
// or null.
type input struct {
	Title     *string  `json:"title"`
	StartsAt  *string  `json:"startsAt"`
	Seats     *int     `json:"seats"`
	Tags      []string `json:"tags"`
	Organizer *struct {
		Name  *string `json:"name"`
		Email *string `json:"email"`
	} `json:"organizer"`
}

type app struct {
	mu     sync.Mutex
	events map[string]Event
}

// NewApp returns the events API (POST /events, GET /events/{id}) with its own store.
func NewApp() http.Handler {
	a := &app{events: map[string]Event{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /events", a.create)
	mux.HandleFunc("GET /events/{id}", a.get)
	return mux
}

func (a *app) create(w http.ResponseWriter, r *http.Request) {
	var in input
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("data after the JSON object")
	}
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case err == nil:
	case errors.As(err, &tooBig):
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "payload_too_large"})
		return
	case errors.As(err, &typeErr):
		path := typeErr.Field
		if path == "" {
			path = "$"
		}
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "validation", "fields": map[string]string{path: "type"}})
		return
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_json"})
		return
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unknown_field"})
		return
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_json"})
		return
	}

	ev, fields := validate(in)
	if len(fields) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "validation", "fields": fields})
		return
	}
	ev.ID = newID()
	a.mu.Lock()
	a.events[ev.ID] = ev
	a.mu.Unlock()
	w.Header().Set("Location", "/events/"+ev.ID)
	writeJSON(w, http.StatusCreated, ev)
}

func (a *app) get(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	ev, ok := a.events[r.PathValue("id")]
	a.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	writeJSON(w, http.StatusOK, ev)
}

var startsAt = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$`)

var email = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

// validate checks every field and returns the normalized event, or every problem by path.
func validate(in input) (Event, map[string]string) {
	fields := map[string]string{}
	var ev Event
	ev.Title = text(fields, "title", in.Title, 100)
	switch {
	case in.StartsAt == nil:
		fields["startsAt"] = "required"
	default:
		if !startsAt.MatchString(*in.StartsAt) {
			fields["startsAt"] = "format"
		} else {
			t, _ := time.Parse(time.RFC3339, *in.StartsAt)
			ev.StartsAt = t.UTC().Format(time.RFC3339)
		}
	}
	switch {
	case in.Seats == nil:
		fields["seats"] = "required"
	case *in.Seats < 1 || *in.Seats > 10000:
		fields["seats"] = "range"
	default:
		ev.Seats = *in.Seats
	}
	ev.Tags = []string{}
	if len(in.Tags) > 5 {
		fields["tags"] = "length"
	} else {
		for i, tag := range in.Tags {
			ev.Tags = append(ev.Tags, text(fields, fmt.Sprintf("tags[%d]", i), &tag, 20))
		}
	}
	if in.Organizer == nil {
		fields["organizer"] = "required"
	} else {
		ev.Organizer.Name = text(fields, "organizer.name", in.Organizer.Name, 50)
		switch e := in.Organizer.Email; {
		case e == nil:
			fields["organizer.email"] = "required"
		case !email.MatchString(strings.TrimSpace(*e)):
			fields["organizer.email"] = "format"
		default:
			ev.Organizer.Email = strings.ToLower(strings.TrimSpace(*e))
		}
	}
	return ev, fields
}

// text checks a required string of 1..max characters after trimming and returns it trimmed.
func text(fields map[string]string, path string, s *string, max int) string {
	if s == nil {
		fields[path] = "required"
		return ""
	}
	t := strings.TrimSpace(*s)
	if n := utf8.RuneCountInString(t); n < 1 || n > max {
		fields[path] = "length"
	}
	return t
}

func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

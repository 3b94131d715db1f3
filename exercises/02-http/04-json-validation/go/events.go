// Package events decodes, validates and encodes the events of a small API.
package events

import "net/http"

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

// NewApp returns the events API (POST /events, GET /events/{id}) with its own store.
func NewApp() http.Handler {
	// TODO: decode the body of POST /events into a struct of your own (pointers tell a
	// missing key from a zero value), validate every field, store, answer; see README.md.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "TODO: NewApp (see README.md)", http.StatusNotImplemented)
	})
}

// Package books is a small Books API where each HTTP method means what RFC 9110 says.
package books

import "net/http"

// Book is one book of the collection. Year is optional: nil means "no year", and the
// JSON of a book without a year has no "year" key.
type Book struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Author string `json:"author"`
	Year   *int   `json:"year,omitempty"`
}

// NewApp returns the Books API with its own empty in-memory collection.
// Routes: GET/POST /books, GET/PUT/PATCH/DELETE /books/{id} (see README.md).
func NewApp() http.Handler {
	// TODO: an http.ServeMux with one pattern per method and path,
	// e.g. mux.HandleFunc("GET /books/{id}", …) and r.PathValue("id").
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "TODO: NewApp (see README.md)", http.StatusNotImplemented)
	})
}

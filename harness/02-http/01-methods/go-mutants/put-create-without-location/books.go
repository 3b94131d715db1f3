// Package books is a small Books API where each HTTP method means what RFC 9110 says.
package books

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// Book is one book of the collection. Year is optional: nil means "no year", and the
// JSON of a book without a year has no "year" key.
type Book struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Author string `json:"author"`
	Year   *int   `json:"year,omitempty"`
}

// fields is the body of POST and PUT: a whole book without its id.
type fields struct {
	Title  string `json:"title"`
	Author string `json:"author"`
	Year   *int   `json:"year"`
}

type app struct {
	mu    sync.Mutex
	books map[string]Book
	order []string // ids in creation order
}

// NewApp returns the Books API with its own empty in-memory collection.
func NewApp() http.Handler {
	a := &app{books: map[string]Book{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /books", a.list)
	mux.HandleFunc("POST /books", a.create)
	mux.HandleFunc("GET /books/{id}", a.get)
	mux.HandleFunc("PUT /books/{id}", a.put)
	mux.HandleFunc("PATCH /books/{id}", a.patch)
	mux.HandleFunc("DELETE /books/{id}", a.delete)
	return mux
}

func (a *app) list(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	out := make([]Book, 0, len(a.order))
	for _, id := range a.order {
		out = append(out, a.books[id])
	}
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (a *app) create(w http.ResponseWriter, r *http.Request) {
	f, ok := decodeFields(r)
	if !ok {
		writeError(w, http.StatusBadRequest, "invalid_body")
		return
	}
	b := Book{ID: newID(), Title: f.Title, Author: f.Author, Year: f.Year}
	a.mu.Lock()
	a.store(b)
	a.mu.Unlock()
	w.Header().Set("Location", "/books/"+b.ID)
	writeJSON(w, http.StatusCreated, b)
}

func (a *app) get(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	b, ok := a.books[r.PathValue("id")]
	a.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "not_found")
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (a *app) put(w http.ResponseWriter, r *http.Request) {
	f, ok := decodeFields(r)
	if !ok {
		writeError(w, http.StatusBadRequest, "invalid_body")
		return
	}
	id := r.PathValue("id")
	b := Book{ID: id, Title: f.Title, Author: f.Author, Year: f.Year}
	a.mu.Lock()
	_, existed := a.books[id]
	a.store(b)
	a.mu.Unlock()
	if existed {
		writeJSON(w, http.StatusOK, b)
		return
	}
	writeJSON(w, http.StatusCreated, b)
}

func (a *app) patch(w http.ResponseWriter, r *http.Request) {
	var patch map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil || patch == nil {
		writeError(w, http.StatusBadRequest, "invalid_body")
		return
	}
	id := r.PathValue("id")
	a.mu.Lock()
	defer a.mu.Unlock()
	b, ok := a.books[id]
	if !ok {
		writeError(w, http.StatusNotFound, "not_found")
		return
	}
	// b is a copy: nothing is stored unless the patched book is valid.
	for key, raw := range patch {
		null := bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
		var err error
		switch key {
		case "title":
			b.Title = ""
			if !null {
				err = json.Unmarshal(raw, &b.Title)
			}
		case "author":
			b.Author = ""
			if !null {
				err = json.Unmarshal(raw, &b.Author)
			}
		case "year":
			b.Year = nil
			if !null {
				err = json.Unmarshal(raw, &b.Year)
			}
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_body")
			return
		}
	}
	if !valid(b.Title, b.Author) {
		writeError(w, http.StatusBadRequest, "invalid_body")
		return
	}
	a.books[id] = b
	writeJSON(w, http.StatusOK, b)
}

func (a *app) delete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a.mu.Lock()
	_, ok := a.books[id]
	if ok {
		delete(a.books, id)
		for i, o := range a.order {
			if o == id {
				a.order = append(a.order[:i], a.order[i+1:]...)
				break
			}
		}
	}
	a.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "not_found")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// store puts b under its id, remembering the creation order of a new id. Hold a.mu.
func (a *app) store(b Book) {
	if _, ok := a.books[b.ID]; !ok {
		a.order = append(a.order, b.ID)
	}
	a.books[b.ID] = b
}

func decodeFields(r *http.Request) (fields, bool) {
	var f fields
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
		return f, false
	}
	return f, valid(f.Title, f.Author)
}

func valid(title, author string) bool {
	return strings.TrimSpace(title) != "" && strings.TrimSpace(author) != ""
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

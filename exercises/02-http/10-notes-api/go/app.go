package main

import (
	"net/http"
	"time"
)

// Note is what the API stores and returns.
type Note struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Tags      []string `json:"tags"`
	CreatedAt string   `json:"createdAt"`
	UpdatedAt string   `json:"updatedAt"`
}

// NewApp returns the Notes API, step by step (see README.md). Take every timestamp from
// now(), written as now().UTC().Format("2006-01-02T15:04:05.000Z").
func NewApp(now func() time.Time) http.Handler {
	// TODO: step 1 — a ServeMux with POST/GET /notes and GET/PATCH/DELETE /notes/{id},
	// over a map of notes guarded by a sync.Mutex.
	// TODO: step 2 — tags on POST/PATCH, GET /notes?tag=…&q=…, GET /tags.
	// TODO: step 3 — ETag on POST/GET/PATCH, If-None-Match → 304, If-Match → 412.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotImplemented)
		w.Write([]byte(`{"error":"TODO: step 1 — POST/GET /notes and GET/PATCH/DELETE /notes/{id} in app.go"}` + "\n"))
	})
}

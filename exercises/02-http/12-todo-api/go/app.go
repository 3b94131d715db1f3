package main

import (
	"net/http"
	"time"
)

// Todo is what the API answers with. DueDate is a calendar date "YYYY-MM-DD" or nil (null);
// CreatedAt is now() written as "2006-01-02T15:04:05.000Z".
type Todo struct {
	ID        string  `json:"id"`
	Title     string  `json:"title"`
	Done      bool    `json:"done"`
	Priority  string  `json:"priority"`
	DueDate   *string `json:"dueDate"`
	CreatedAt string  `json:"createdAt"`
}

// NewApp returns the ToDo API, step by step (see README.md). It takes every timestamp from now.
//
// TODO: step 1 — POST /todos and GET /todos, GET/PATCH/DELETE /todos/{id} on an
// http.ServeMux (mux.HandleFunc("GET /todos/{id}", …), r.PathValue("id")), with the todos
// in a map guarded by a sync.Mutex and a creation sequence for the ids.
// TODO: step 2 — the filters (done, priority, dueBefore, q) and sort of GET /todos.
// TODO: step 3 — limit and an opaque nextCursor that holds the sort value and the creation
// sequence of the last item of the page.
func NewApp(now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotImplemented)
		w.Write([]byte(`{"error":"TODO: step 1 — POST/GET /todos and GET/PATCH/DELETE /todos/{id} in NewApp (app.go)"}`))
	})
}

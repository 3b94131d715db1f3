package main

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Todo is what the API answers with. DueDate is a calendar date "YYYY-MM-DD" or nil (null).
type Todo struct {
	ID        string  `json:"id"`
	Title     string  `json:"title"`
	Done      bool    `json:"done"`
	Priority  string  `json:"priority"`
	DueDate   *string `json:"dueDate"`
	CreatedAt string  `json:"createdAt"`
}

// isoMillis is how JavaScript's Date.toISOString writes a time.
const isoMillis = "2006-01-02T15:04:05.000Z"

// priorities in their sort order: low < normal < high.
var priorities = []string{"low", "normal", "high"}

var sortFields = []string{"createdAt", "dueDate", "priority", "title"}

// fieldErrors maps a field or query parameter to its error code.
type fieldErrors map[string]string

// httpError is an answer that ends a request early.
type httpError struct {
	status int
	body   any
}

func (e *httpError) Error() string { return http.StatusText(e.status) }

func invalid(fields fieldErrors) *httpError {
	return &httpError{http.StatusBadRequest, map[string]any{"error": "validation", "fields": fields}}
}

var notFound = &httpError{http.StatusNotFound, map[string]string{"error": "not_found"}}

// row is a stored todo with its creation sequence: the final tie-breaker of every sort.
type row struct {
	todo Todo
	seq  int
}

// position is where an item stands in the chosen order; a cursor is the position of the
// last item of a page, never its index. V is a string, a float64 or nil (no due date).
type position struct {
	V   any     `json:"v"`
	Seq float64 `json:"seq"`
}

type app struct {
	now func() time.Time

	mu   sync.Mutex
	rows map[string]*row
	seq  int
}

// NewApp returns the ToDo API. It takes every timestamp from now.
func NewApp(now func() time.Time) http.Handler {
	a := &app{now: now, rows: map[string]*row{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /todos", a.handle(a.list))
	mux.HandleFunc("POST /todos", a.handle(a.create))
	mux.HandleFunc("GET /todos/{id}", a.handle(a.get))
	mux.HandleFunc("PATCH /todos/{id}", a.handle(a.patch))
	mux.HandleFunc("DELETE /todos/{id}", a.handle(a.remove))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		send(w, notFound.status, notFound.body)
	})
	return mux
}

// handler answers a request whose body has been read: a status and a JSON value (nil for
// no body), or an error. It may set headers on w but never writes to it.
type handler func(w http.ResponseWriter, r *http.Request, body []byte) (int, any, error)

// handle runs h under the store's lock, holding it neither while the body is read from the
// network nor while the answer is written back.
func (a *app) handle(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var status int
		var out any
		if err == nil {
			a.mu.Lock()
			status, out, err = h(w, r, body)
			a.mu.Unlock()
		}
		var he *httpError
		switch {
		case errors.As(err, &he):
			send(w, he.status, he.body)
		case err != nil:
			send(w, http.StatusInternalServerError, map[string]string{"error": "internal"})
		case out == nil:
			w.WriteHeader(status)
		default:
			send(w, status, out)
		}
	}
}

func (a *app) create(w http.ResponseWriter, r *http.Request, body []byte) (int, any, error) {
	value, err := parseJSON(body)
	if err != nil {
		return 0, nil, err
	}
	in, err := validate(value, true)
	if err != nil {
		return 0, nil, err
	}
	a.seq++
	todo := Todo{
		ID:        strconv.Itoa(a.seq),
		Title:     *in.title,
		Priority:  "normal",
		CreatedAt: a.now().UTC().Format(isoMillis),
	}
	in.applyTo(&todo)
	a.rows[todo.ID] = &row{todo: todo, seq: a.seq}
	w.Header().Set("Location", "/todos/"+todo.ID)
	return http.StatusCreated, todo, nil
}

func (a *app) get(w http.ResponseWriter, r *http.Request, _ []byte) (int, any, error) {
	rw, ok := a.rows[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound
	}
	return http.StatusOK, rw.todo, nil
}

func (a *app) patch(w http.ResponseWriter, r *http.Request, body []byte) (int, any, error) {
	rw, ok := a.rows[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound
	}
	value, err := parseJSON(body)
	if err != nil {
		return 0, nil, err
	}
	in, err := validate(value, false)
	if err != nil {
		return 0, nil, err
	}
	in.applyTo(&rw.todo)
	return http.StatusOK, rw.todo, nil
}

func (a *app) remove(w http.ResponseWriter, r *http.Request, _ []byte) (int, any, error) {
	id := r.PathValue("id")
	if _, ok := a.rows[id]; !ok {
		return 0, nil, notFound
	}
	delete(a.rows, id)
	return http.StatusNoContent, nil, nil
}

type listItem struct {
	todo Todo
	at   position
}

func (a *app) list(w http.ResponseWriter, r *http.Request, _ []byte) (int, any, error) {
	query := r.URL.Query()
	fields := fieldErrors{}

	done := query.Get("done")
	if query.Has("done") && done != "true" && done != "false" {
		fields["done"] = "format"
	}
	var wanted []string
	if query.Has("priority") {
		for p := range strings.SplitSeq(query.Get("priority"), ",") {
			p = strings.TrimSpace(p)
			if !slices.Contains(priorities, p) {
				fields["priority"] = "format"
			}
			wanted = append(wanted, p)
		}
	}
	dueBefore := query.Get("dueBefore")
	if query.Has("dueBefore") && !isDate(dueBefore) {
		fields["dueBefore"] = "format"
	}
	q := strings.ToLower(query.Get("q"))
	sortParam := "createdAt"
	if query.Has("sort") {
		sortParam = query.Get("sort")
	}
	field, desc := strings.CutPrefix(sortParam, "-")
	if !slices.Contains(sortFields, field) {
		fields["sort"] = "format"
	}
	limit := 20
	if query.Has("limit") {
		raw := query.Get("limit")
		n, err := strconv.Atoi(raw)
		switch {
		case raw == "" || strings.Trim(raw, "0123456789") != "":
			fields["limit"] = "format"
		case err != nil || n < 1 || n > 100: // all digits but too large for an int is out of range too
			fields["limit"] = "range"
		default:
			limit = n
		}
	}
	var cursor *position
	if query.Has("cursor") {
		c, ok := decodeCursor(query.Get("cursor"))
		if !ok {
			fields["cursor"] = "format"
		}
		cursor = &c
	}
	if len(fields) > 0 {
		return 0, nil, invalid(fields)
	}

	key := func(t Todo) any {
		switch field {
		case "priority":
			return float64(slices.Index(priorities, t.Priority))
		case "title":
			return strings.ToLower(t.Title)
		case "dueDate":
			if t.DueDate == nil {
				return nil
			}
			return *t.DueDate
		default:
			return t.CreatedAt
		}
	}
	// A total order: the sort value (nil always last, whatever the direction), then the
	// creation sequence ascending.
	compare := func(x, y position) int {
		if x.V != y.V {
			if x.V == nil {
				return 1
			}
			if y.V == nil {
				return -1
			}
			c := 1
			if less(x.V, y.V) {
				c = -1
			}
			if desc {
				c = -c
			}
			return c
		}
		return cmp.Compare(x.Seq, y.Seq)
	}

	var matching []listItem
	for _, rw := range a.rows {
		t := rw.todo
		if query.Has("done") && t.Done != (done == "true") {
			continue
		}
		if wanted != nil && !slices.Contains(wanted, t.Priority) {
			continue
		}
		if query.Has("dueBefore") && (t.DueDate == nil || *t.DueDate >= dueBefore) {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(t.Title), q) {
			continue
		}
		at := position{V: key(t), Seq: float64(rw.seq)}
		if cursor != nil && compare(at, *cursor) <= 0 { // keyset: strictly after the cursor
			continue
		}
		matching = append(matching, listItem{todo: t, at: at})
	}
	slices.SortFunc(matching, func(x, y listItem) int { return compare(x.at, y.at) })

	page := matching[:min(limit, len(matching))]
	items := make([]Todo, 0, len(page))
	for _, it := range page {
		items = append(items, it.todo)
	}
	var next *string
	if len(page) == limit {
		s := encodeCursor(page[len(page)-1].at)
		next = &s
	}
	return http.StatusOK, map[string]any{"items": items, "nextCursor": next}, nil
}

// less orders two sort values of the same kind: strings, or numbers (priorities).
func less(x, y any) bool {
	switch x := x.(type) {
	case string:
		y, ok := y.(string)
		return ok && x < y
	case float64:
		y, ok := y.(float64)
		return ok && x < y
	}
	return false
}

func encodeCursor(p position) string {
	data, _ := json.Marshal(p)
	return base64.RawURLEncoding.EncodeToString(data)
}

// decodeCursor accepts only what encodeCursor makes: base64url of an object whose v is a
// string, a number or null and whose seq is a number.
func decodeCursor(raw string) (position, bool) {
	data, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return position{}, false
	}
	var obj map[string]any
	if json.Unmarshal(data, &obj) != nil || obj == nil {
		return position{}, false
	}
	v, hasV := obj["v"]
	switch v.(type) {
	case nil, string, float64:
	default:
		return position{}, false
	}
	seq, ok := obj["seq"].(float64)
	if !hasV || !ok {
		return position{}, false
	}
	return position{V: v, Seq: seq}, true
}

// isDate reports whether s is a real calendar date YYYY-MM-DD (time.Parse checks the day
// exists in that month).
func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// input holds the fields a valid body gave; nil means absent. dueDate is set when the body
// had the key, to a nil *string for null.
type input struct {
	title    *string
	done     *bool
	priority *string
	dueDate  **string
}

func (in input) applyTo(t *Todo) {
	if in.title != nil {
		t.Title = *in.title
	}
	if in.done != nil {
		t.Done = *in.done
	}
	if in.priority != nil {
		t.Priority = *in.priority
	}
	if in.dueDate != nil {
		t.DueDate = *in.dueDate
	}
}

// validate checks a POST (creating) or PATCH body and collects every field error at once.
func validate(body any, creating bool) (input, error) {
	obj, ok := body.(map[string]any)
	if !ok {
		return input{}, invalid(fieldErrors{"$": "type"})
	}
	fields := fieldErrors{}
	var in input
	for k := range obj {
		switch k {
		case "title", "done", "priority", "dueDate":
		default:
			fields[k] = "unknown"
		}
	}

	title, has := obj["title"]
	switch t := title.(type) {
	case nil:
		if creating || has {
			fields["title"] = "required"
		}
	case string:
		t = strings.TrimSpace(t)
		if n := utf8.RuneCountInString(t); n < 1 || n > 200 {
			fields["title"] = "length"
		} else {
			in.title = &t
		}
	default:
		fields["title"] = "type"
	}

	if done, has := obj["done"]; has {
		if d, ok := done.(bool); ok {
			in.done = &d
		} else {
			fields["done"] = "type"
		}
	}
	if priority, has := obj["priority"]; has {
		switch p := priority.(type) {
		case string:
			if slices.Contains(priorities, p) {
				in.priority = &p
			} else {
				fields["priority"] = "format"
			}
		default:
			fields["priority"] = "type"
		}
	}
	if due, has := obj["dueDate"]; has {
		switch d := due.(type) {
		case nil:
			var none *string
			in.dueDate = &none
		case string:
			if isDate(d) {
				p := &d
				in.dueDate = &p
			} else {
				fields["dueDate"] = "format"
			}
		default:
			fields["dueDate"] = "type"
		}
	}
	if len(fields) > 0 {
		return input{}, invalid(fields)
	}
	return in, nil
}

// parseJSON decodes a body as one JSON value of any kind.
func parseJSON(data []byte) (any, error) {
	var value any
	if json.Unmarshal(data, &value) != nil {
		return nil, &httpError{http.StatusBadRequest, map[string]string{"error": "invalid_json"}}
	}
	return value, nil
}

func send(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"error":"internal"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}

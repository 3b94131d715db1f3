package main

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
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

// TagCount is one item of GET /tags.
type TagCount struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

// stored is a note with its version (bumped on every change: the ETag) and its place in
// the order of creation (ties of the list keep it).
type stored struct {
	note    Note
	version int
	seq     int
}

// etag is the note's ETag, quotes included: "<id>.<version>".
func (s *stored) etag() string { return fmt.Sprintf(`"%s.%d"`, s.note.ID, s.version) }

var tagPattern = regexp.MustCompile(`^[a-z0-9-]{1,30}$`)

// stamp is how every timestamp is written: new Date(ms).toISOString() in JavaScript.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// app holds the notes; net/http serves each request on its own goroutine, so mu guards them.
type app struct {
	now   func() time.Time
	mu    sync.Mutex
	notes map[string]*stored
	seq   int
}

// NewApp returns the Notes API: see README.md.
func NewApp(now func() time.Time) http.Handler {
	a := &app{now: now, notes: map[string]*stored{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /notes", a.list)
	mux.HandleFunc("POST /notes", a.create)
	mux.HandleFunc("GET /tags", a.tags)
	mux.HandleFunc("GET /notes/{id}", a.get)
	mux.HandleFunc("PATCH /notes/{id}", a.patch)
	mux.HandleFunc("DELETE /notes/{id}", a.delete)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	return mux
}

func (a *app) list(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	var tags []string
	for _, t := range query["tag"] {
		tags = append(tags, strings.ToLower(strings.TrimSpace(t)))
	}
	q := strings.ToLower(strings.TrimSpace(query.Get("q")))

	a.mu.Lock()
	var found []*stored
	for _, s := range a.notes {
		if hasAll(s.note.Tags, tags) && (q == "" || strings.Contains(strings.ToLower(s.note.Title), q) || strings.Contains(strings.ToLower(s.note.Body), q)) {
			found = append(found, s)
		}
	}
	// Most recently updated first; ISO timestamps compare correctly as strings.
	slices.SortFunc(found, func(x, y *stored) int {
		return cmp.Or(
			strings.Compare(y.note.UpdatedAt, x.note.UpdatedAt),
			strings.Compare(y.note.CreatedAt, x.note.CreatedAt),
			cmp.Compare(x.seq, y.seq),
		)
	})
	items := make([]Note, 0, len(found))
	for _, s := range found {
		items = append(items, s.note)
	}
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// hasAll reports whether have contains every one of want.
func hasAll(have, want []string) bool {
	for _, t := range want {
		if !slices.Contains(have, t) {
			return false
		}
	}
	return true
}

func (a *app) tags(w http.ResponseWriter, r *http.Request) {
	counts := map[string]int{}
	a.mu.Lock()
	for _, s := range a.notes {
		for _, t := range s.note.Tags {
			counts[t]++
		}
	}
	a.mu.Unlock()
	items := make([]TagCount, 0, len(counts))
	for tag, count := range counts {
		items = append(items, TagCount{Tag: tag, Count: count})
	}
	slices.SortFunc(items, func(x, y TagCount) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), strings.Compare(x.Tag, y.Tag))
	})
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *app) create(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		raw = nil // unreadable: answered as invalid JSON
	}
	in, fail := parse(raw, true)
	if fail != nil {
		fail.write(w)
		return
	}
	at := stamp(a.now())
	note := Note{ID: rand.Text(), Title: *in.title, Body: "", Tags: []string{}, CreatedAt: at, UpdatedAt: at}
	if in.body != nil {
		note.Body = *in.body
	}
	if in.tags != nil {
		note.Tags = in.tags
	}

	a.mu.Lock()
	a.seq++
	s := &stored{note: note, version: 1, seq: a.seq}
	a.notes[note.ID] = s
	etag := s.etag()
	a.mu.Unlock()

	w.Header().Set("Location", "/notes/"+note.ID)
	w.Header().Set("ETag", etag)
	writeJSON(w, http.StatusCreated, note)
}

func (a *app) get(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	s, ok := a.notes[r.PathValue("id")]
	var note Note
	var etag string
	if ok {
		note, etag = s.note, s.etag()
	}
	a.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	w.Header().Set("ETag", etag)
	if matches(r.Header.Values("If-None-Match"), etag) {
		// The client's copy is current: 304 and no body.
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, note)
}

func (a *app) patch(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		raw = nil // unreadable: answered as invalid JSON, after the checks that come first
	}
	note, etag, fail := a.update(r, raw)
	if fail != nil {
		fail.write(w)
		return
	}
	w.Header().Set("ETag", etag)
	writeJSON(w, http.StatusOK, note)
}

// update applies a PATCH under the lock: 404, then If-Match (412), then the body (400);
// the note changes only when all of them pass.
func (a *app) update(r *http.Request, raw []byte) (Note, string, *failure) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.notes[r.PathValue("id")]
	if !ok {
		return Note{}, "", errNotFound
	}
	// Optimistic concurrency: a write based on a stale version must not win.
	if !ifMatch(r, s) {
		return Note{}, "", errPrecondition
	}
	in, fail := parse(raw, false)
	if fail != nil {
		return Note{}, "", fail
	}
	if in.title != nil {
		s.note.Title = *in.title
	}
	if in.body != nil {
		s.note.Body = *in.body
	}
	if in.tags != nil {
		s.note.Tags = in.tags
	}
	s.note.UpdatedAt = stamp(a.now())
	s.version++
	return s.note, s.etag(), nil
}

func (a *app) delete(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	s, ok := a.notes[r.PathValue("id")]
	var fail *failure
	switch {
	case !ok:
		fail = errNotFound
	case !ifMatch(r, s):
		fail = errPrecondition
	default:
		delete(a.notes, s.note.ID)
	}
	a.mu.Unlock()
	if fail != nil {
		fail.write(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ifMatch reports whether a write may go ahead: no If-Match at all, or one that names the
// current ETag or *.
func ifMatch(r *http.Request, s *stored) bool {
	values := r.Header.Values("If-Match")
	return len(values) == 0 || matches(values, s.etag())
}

// matches reports whether If-Match / If-None-Match (comma-separated ETags, or *) names etag.
func matches(values []string, etag string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t == "*" || t == etag {
				return true
			}
		}
	}
	return false
}

// input is a validated body: nil means the field was absent.
type input struct {
	title, body *string
	tags        []string
}

// failure is a 4xx answer to a body that is not acceptable.
type failure struct {
	status int
	body   any
}

func (f *failure) write(w http.ResponseWriter) { writeJSON(w, f.status, f.body) }

// parse decodes and validates a POST (creating) or PATCH body, collecting every field error.
func parse(raw []byte, creating bool) (input, *failure) {
	var decoded any
	if err := json.Unmarshal(raw, &decoded); err != nil {
		return input{}, errInvalidJSON
	}
	body, ok := decoded.(map[string]any)
	if !ok {
		return input{}, invalid(map[string]string{"$": "type"})
	}
	fields := map[string]string{}
	var in input
	for key := range body {
		if key != "title" && key != "body" && key != "tags" {
			fields[key] = "unknown"
		}
	}

	title, present := body["title"]
	switch t, isString := title.(string); {
	case title == nil:
		// Absent is fine on PATCH; null never is.
		if creating || present {
			fields["title"] = "required"
		}
	case !isString:
		fields["title"] = "type"
	case utf8.RuneCountInString(strings.TrimSpace(t)) < 1 || utf8.RuneCountInString(strings.TrimSpace(t)) > 200:
		fields["title"] = "length"
	default:
		t = strings.TrimSpace(t)
		in.title = &t
	}

	if value, present := body["body"]; present {
		switch b, isString := value.(string); {
		case !isString:
			fields["body"] = "type"
		case utf8.RuneCountInString(b) > 10_000:
			fields["body"] = "length"
		default:
			in.body = &b
		}
	}

	if value, present := body["tags"]; present {
		list, isArray := value.([]any)
		switch {
		case !isArray:
			fields["tags"] = "type"
		case len(list) >= 10:
			fields["tags"] = "length"
		default:
			in.tags = []string{}
			for i, item := range list {
				t, isString := item.(string)
				t = strings.ToLower(strings.TrimSpace(t))
				switch {
				case !isString:
					fields[fmt.Sprintf("tags[%d]", i)] = "type"
				case !tagPattern.MatchString(t):
					fields[fmt.Sprintf("tags[%d]", i)] = "format"
				case !slices.Contains(in.tags, t):
					in.tags = append(in.tags, t)
				}
			}
		}
	}

	if len(fields) > 0 {
		return input{}, invalid(fields)
	}
	return in, nil
}

var (
	errNotFound     = &failure{http.StatusNotFound, map[string]string{"error": "not_found"}}
	errInvalidJSON  = &failure{http.StatusBadRequest, map[string]string{"error": "invalid_json"}}
	errPrecondition = &failure{http.StatusPreconditionFailed, map[string]string{"error": "precondition_failed"}}
)

func invalid(fields map[string]string) *failure {
	return &failure{http.StatusBadRequest, map[string]any{"error": "validation", "fields": fields}}
}

func notFound(w http.ResponseWriter) { errNotFound.write(w) }

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		http.Error(w, `{"error":"internal"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(data)
}

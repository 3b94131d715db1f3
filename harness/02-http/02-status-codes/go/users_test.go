package users

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testKey  = "k-7f3a9"
	testAuth = "Bearer " + testKey
)

// testStore is a correct UserStore. Its not-found errors wrap ErrNotFound, as a real
// repository adds context to them.
type testStore struct {
	mu    sync.Mutex
	users map[string]User
	order []string
}

func newTestStore(seed ...User) *testStore {
	s := &testStore{users: map[string]User{}}
	for _, u := range seed {
		s.users[u.ID] = u
		s.order = append(s.order, u.ID)
	}
	return s
}

func (s *testStore) List(context.Context) ([]User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []User{}
	for _, id := range s.order {
		if u, ok := s.users[id]; ok {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *testStore) Get(_ context.Context, id string) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return User{}, fmt.Errorf("memory store: get %q: %w", id, ErrNotFound)
	}
	return u, nil
}

func (s *testStore) Remove(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[id]; !ok {
		return fmt.Errorf("memory store: remove %q: %w", id, ErrNotFound)
	}
	delete(s.users, id)
	return nil
}

// FindByEmail compares exactly, like a unique index on the stored (lower-cased) column.
func (s *testStore) FindByEmail(_ context.Context, email string) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Email == email {
			return u, nil
		}
	}
	return User{}, fmt.Errorf("memory store: find by email %q: %w", email, ErrNotFound)
}

func (s *testStore) Insert(_ context.Context, u User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	s.order = append(s.order, u.ID)
	return nil
}

func (s *testStore) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.users)
}

const testSecret = "dial tcp 10.0.0.7:5432: connection refused (user=app password=hunter2)"

// brokenTestStore fails every call with an error whose text must never reach the client.
type brokenTestStore struct{}

func (brokenTestStore) List(context.Context) ([]User, error) { return nil, errors.New(testSecret) }
func (brokenTestStore) Get(context.Context, string) (User, error) {
	return User{}, errors.New(testSecret)
}
func (brokenTestStore) Remove(context.Context, string) error { return errors.New(testSecret) }
func (brokenTestStore) FindByEmail(context.Context, string) (User, error) {
	return User{}, errors.New(testSecret)
}
func (brokenTestStore) Insert(context.Context, User) error { return errors.New(testSecret) }

// panickyTestStore panics in List, as a nil map or a bad index in a store would.
type panickyTestStore struct{ *testStore }

func (panickyTestStore) List(context.Context) ([]User, error) { panic(testSecret) }

var testAda = User{ID: "u1", Name: "Ada", Email: "ada@example.com"}

func testApp(store UserStore, max int64) http.Handler {
	return NewApp(Options{Store: store, APIKey: testKey, MaxBodyBytes: max})
}

type testResponse struct {
	status int
	header http.Header
	body   string
}

func (r testResponse) String() string {
	return fmt.Sprintf("%d %s", r.status, strings.TrimSpace(r.body))
}

// serve runs the handler on testReq, turning a panic that escapes it into a test failure.
func testServe(t *testing.T, h http.Handler, testReq *http.Request) (res testResponse) {
	t.Helper()
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if v := recover(); v != nil {
				t.Fatalf("%s %s: the handler panicked (%v); recover in one place and answer 500", testReq.Method, testReq.URL.Path, v)
			}
		}()
		h.ServeHTTP(rec, testReq)
	}()
	return testResponse{rec.Code, rec.Header(), rec.Body.String()}
}

type testReq struct {
	method, path, body, contentType, authz string
}

func (q testReq) String() string {
	s := q.method + " " + q.path
	if q.authz == "" {
		s += " without Authorization"
	} else if q.authz != testAuth {
		s += " with Authorization: " + q.authz
	}
	if q.contentType != "application/json" && q.body != "" {
		s += " with Content-Type: " + q.contentType
	}
	if len(q.body) > 200 {
		s += fmt.Sprintf(" and a %d-byte body", len(q.body))
	} else if q.body != "" {
		s += " " + q.body
	}
	return s
}

func testCall(t *testing.T, h http.Handler, q testReq) testResponse {
	t.Helper()
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	r := httptest.NewRequest(q.method, q.path, body)
	if q.contentType != "" {
		r.Header.Set("Content-Type", q.contentType)
	}
	if q.authz != "" {
		r.Header.Set("Authorization", q.authz)
	}
	return testServe(t, h, r)
}

// authed is a request with the right key and, with a body, Content-Type: application/json.
func testAuthed(method, path, body string) testReq {
	q := testReq{method: method, path: path, body: body, authz: testAuth}
	if body != "" {
		q.contentType = "application/json"
	}
	return q
}

func expectError(t *testing.T, what fmt.Stringer, r testResponse, status int, code string) {
	t.Helper()
	want := fmt.Sprintf(`{"error":%q}`, code)
	var got any
	err := json.Unmarshal([]byte(r.body), &got)
	if r.status != status || err != nil || !reflect.DeepEqual(got, map[string]any{"error": code}) {
		t.Fatalf("%s: got %s, want %d %s", what, r, status, want)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: Content-Type %q, want application/json", what, ct)
	}
}

func TestSuccess(t *testing.T) {
	t.Run("200: GET /users lists the users", func(t *testing.T) {
		grace := User{ID: "u2", Name: "Grace", Email: "grace@example.com"}
		r := testCall(t, testApp(newTestStore(testAda, grace), 0), testAuthed("GET", "/users", ""))
		var got []User
		if r.status != 200 || json.Unmarshal([]byte(r.body), &got) != nil || !reflect.DeepEqual(got, []User{testAda, grace}) {
			t.Fatalf("GET /users with Ada and Grace stored: got %s, want 200 with both", r)
		}
	})

	t.Run("200: GET /users/{id} returns one user", func(t *testing.T) {
		r := testCall(t, testApp(newTestStore(testAda), 0), testAuthed("GET", "/users/u1", ""))
		var got User
		if r.status != 200 || json.Unmarshal([]byte(r.body), &got) != nil || got != testAda {
			t.Fatalf("GET /users/u1: got %s, want 200 %+v", r, testAda)
		}
	})

	t.Run("201: POST /users creates the user with a new id and a Location", func(t *testing.T) {
		store := newTestStore(testAda)
		q := testAuthed("POST", "/users", `{"name":"Grace","email":"grace@example.com"}`)
		r := testCall(t, testApp(store, 0), q)
		var got User
		if r.status != 201 || json.Unmarshal([]byte(r.body), &got) != nil || got.ID == "" || got.ID == "u1" ||
			got.Name != "Grace" || got.Email != "grace@example.com" {
			t.Fatalf("%s: got %s, want 201 with the new user and a new id", q, r)
		}
		if loc := r.header.Get("Location"); loc != "/users/"+got.ID {
			t.Fatalf("%s: Location %q, want %q", q, loc, "/users/"+got.ID)
		}
		if stored, err := store.Get(context.Background(), got.ID); err != nil || stored != got {
			t.Fatalf("%s: store holds %+v (%v), want %+v", q, stored, err, got)
		}
	})

	t.Run("204: DELETE /users/{id} removes the user, with no body", func(t *testing.T) {
		store := newTestStore(testAda)
		r := testCall(t, testApp(store, 0), testAuthed("DELETE", "/users/u1", ""))
		if r.status != 204 || r.body != "" {
			t.Fatalf("DELETE /users/u1: got %s, want 204 with no body", r)
		}
		if store.size() != 0 {
			t.Fatalf("DELETE /users/u1 answered 204 but the user is still stored")
		}
	})
}

func Test4xx(t *testing.T) {
	t.Run("404 not_found: unknown ids (the store wraps ErrNotFound) and unknown paths", func(t *testing.T) {
		for _, q := range []testReq{
			testAuthed("GET", "/users/nope", ""),
			testAuthed("DELETE", "/users/nope", ""),
			{method: "GET", path: "/accounts"},
			testAuthed("GET", "/users/u1/extra", ""),
			testAuthed("GET", "/users/", ""),
		} {
			expectError(t, q, testCall(t, testApp(newTestStore(testAda), 0), q), 404, "not_found")
		}
	})

	t.Run("405 method_not_allowed with an Allow header of what the path supports", func(t *testing.T) {
		for _, tc := range []struct {
			q     testReq
			allow []string
		}{
			{testAuthed("PUT", "/users/u1", ""), []string{"DELETE", "GET"}},
			{testAuthed("PATCH", "/users/u1", ""), []string{"DELETE", "GET"}},
			{testAuthed("DELETE", "/users", ""), []string{"GET", "POST"}},
			{testAuthed("PUT", "/users", ""), []string{"GET", "POST"}},
		} {
			r := testCall(t, testApp(newTestStore(testAda), 0), tc.q)
			expectError(t, tc.q, r, 405, "method_not_allowed")
			var listed []string
			for _, m := range strings.Split(r.header.Get("Allow"), ",") {
				if m = strings.TrimSpace(m); m != "" {
					listed = append(listed, m)
				}
			}
			sort.Strings(listed)
			if !reflect.DeepEqual(listed, tc.allow) {
				t.Fatalf("%s: Allow %q, want %s", tc.q, r.header.Get("Allow"), strings.Join(tc.allow, ", "))
			}
		}
	})

	t.Run("405 comes before 401: a wrong method is reported even without a testKey", func(t *testing.T) {
		q := testReq{method: "PUT", path: "/users/u1"}
		expectError(t, q, testCall(t, testApp(newTestStore(testAda), 0), q), 405, "method_not_allowed")
	})

	t.Run("401 unauthorized with WWW-Authenticate when the testKey is missing or wrong", func(t *testing.T) {
		for _, a := range []string{"", "Bearer wrong-testKey", testKey, "Basic " + testKey, "Bearer " + testKey + " "} {
			q := testReq{method: "GET", path: "/users", authz: a}
			r := testCall(t, testApp(newTestStore(testAda), 0), q)
			expectError(t, q, r, 401, "unauthorized")
			if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Fatalf("%s: WWW-Authenticate %q, want Bearer", q, got)
			}
		}
	})

	t.Run("401 also protects writes: nothing is created without the testKey", func(t *testing.T) {
		store := newTestStore()
		q := testReq{method: "POST", path: "/users", body: `{"name":"Grace","email":"grace@example.com"}`, contentType: "application/json"}
		expectError(t, q, testCall(t, testApp(store, 0), q), 401, "unauthorized")
		if store.size() != 0 {
			t.Fatalf("%s: a user was stored", q)
		}
	})

	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		t.Run("415 unsupported_media_type: POST with Content-Type "+fmt.Sprintf("%q", ct), func(t *testing.T) {
			store := newTestStore()
			q := testAuthed("POST", "/users", `{"name":"Grace","email":"grace@example.com"}`)
			q.contentType = ct
			expectError(t, q, testCall(t, testApp(store, 0), q), 415, "unsupported_media_type")
			if store.size() != 0 {
				t.Fatalf("%s: a user was stored", q)
			}
		})
	}

	t.Run("415 comes before 413: a big body of the wrong type is refused for its type", func(t *testing.T) {
		q := testAuthed("POST", "/users", strings.Repeat("x", 5000))
		q.contentType = "text/plain"
		expectError(t, q, testCall(t, testApp(newTestStore(), 1024), q), 415, "unsupported_media_type")
	})

	t.Run("application/json with parameters is accepted", func(t *testing.T) {
		q := testAuthed("POST", "/users", `{"name":"Grace","email":"grace@example.com"}`)
		q.contentType = "application/json; charset=utf-8"
		if r := testCall(t, testApp(newTestStore(), 0), q); r.status != 201 {
			t.Fatalf("%s: got %s, want 201", q, r)
		}
	})

	t.Run("413 payload_too_large: a body over MaxBodyBytes stores nothing", func(t *testing.T) {
		store := newTestStore()
		q := testAuthed("POST", "/users", fmt.Sprintf(`{"name":%q,"email":"big@example.com"}`, strings.Repeat("x", 2000)))
		expectError(t, testStringer(q.String()+" (MaxBodyBytes 1024)"), testCall(t, testApp(store, 1024), q), 413, "payload_too_large")
		if store.size() != 0 {
			t.Fatalf("a user was stored after the 413")
		}
	})

	t.Run("413 counts the default limit of 1024 bytes; a body of exactly the limit is accepted", func(t *testing.T) {
		body := func(size int) string {
			base := `{"name":"","email":"exact@example.com"}`
			return fmt.Sprintf(`{"name":%q,"email":"exact@example.com"}`, strings.Repeat("n", size-len(base)))
		}
		// The name is over 100 characters, so the accepted body answers 400 invalid_body.
		exact := testAuthed("POST", "/users", body(1024))
		if r := testCall(t, testApp(newTestStore(), 0), exact); r.status == 413 {
			t.Fatalf("%s (exactly 1024 bytes, MaxBodyBytes 0 means 1024): got %s, want it read (here 400 invalid_body), not 413", exact, r)
		}
		over := testAuthed("POST", "/users", body(1025))
		expectError(t, over, testCall(t, testApp(newTestStore(), 0), over), 413, "payload_too_large")
		custom := testAuthed("POST", "/users", body(1500))
		if r := testCall(t, testApp(newTestStore(), 2000), custom); r.status == 413 {
			t.Fatalf("%s with MaxBodyBytes 2000: got %s, want the body read, not 413", custom, r)
		}
	})

	t.Run("400 invalid_json: the body is not JSON", func(t *testing.T) {
		for _, body := range []string{`{"name": "Grace",`, `name=Grace`, `{"name":"Grace"}}`} {
			q := testAuthed("POST", "/users", body)
			expectError(t, q, testCall(t, testApp(newTestStore(), 0), q), 400, "invalid_json")
		}
	})

	for _, tc := range []struct{ name, body string }{
		{"a JSON array", `[{"name":"Grace","email":"grace@example.com"}]`},
		{"a number for the name", `{"name":42,"email":"grace@example.com"}`},
		{"an empty name", `{"name":"  ","email":"grace@example.com"}`},
		{"a missing email", `{"name":"Grace"}`},
		{"an email without a dot in the domain", `{"name":"Grace","email":"grace@example"}`},
		{"an email with a space", `{"name":"Grace","email":"grace hopper@example.com"}`},
		{"a name of 101 characters", fmt.Sprintf(`{"name":%q,"email":"grace@example.com"}`, strings.Repeat("g", 101))},
	} {
		t.Run("400 invalid_body: "+tc.name, func(t *testing.T) {
			store := newTestStore()
			q := testAuthed("POST", "/users", tc.body)
			expectError(t, q, testCall(t, testApp(store, 0), q), 400, "invalid_body")
			if store.size() != 0 {
				t.Fatalf("%s: a user was stored", q)
			}
		})
	}

	for _, tc := range []struct{ name, body string }{
		{"a name of exactly 100 characters", fmt.Sprintf(`{"name":%q,"email":"grace@example.com"}`, strings.Repeat("g", 100))},
		{"a name of 100 Cyrillic characters (200 bytes)", fmt.Sprintf(`{"name":%q,"email":"grace@example.com"}`, strings.Repeat("ж", 100))},
	} {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			q := testAuthed("POST", "/users", tc.body)
			if r := testCall(t, testApp(newTestStore(), 0), q); r.status != 201 {
				t.Fatalf("%s: got %s, want 201 (the limit is 100 characters, not bytes: len counts bytes, utf8.RuneCountInString counts characters)", q, r)
			}
		})
	}

	t.Run("stores the email lower-cased", func(t *testing.T) {
		store := newTestStore()
		q := testAuthed("POST", "/users", `{"name":"Grace","email":"Grace@Example.COM"}`)
		r := testCall(t, testApp(store, 0), q)
		var got User
		if r.status != 201 || json.Unmarshal([]byte(r.body), &got) != nil || got.Email != "grace@example.com" {
			t.Fatalf("%s: got %s, want 201 with email grace@example.com", q, r)
		}
		if u, err := store.FindByEmail(context.Background(), "grace@example.com"); err != nil || u.ID != got.ID {
			t.Fatalf("%s: the store has no user with email grace@example.com: store it lower-cased", q)
		}
	})

	t.Run("409 conflict: the email is taken, compared case-insensitively", func(t *testing.T) {
		store := newTestStore(testAda)
		q := testAuthed("POST", "/users", `{"name":"Another Ada","email":"ADA@example.com"}`)
		expectError(t, testStringer(q.String()+" (ada@example.com is stored)"), testCall(t, testApp(store, 0), q), 409, "conflict")
		if store.size() != 1 {
			t.Fatalf("%s: %d users stored, want only Ada", q, store.size())
		}
	})

	t.Run("400 invalid_body comes before 409: an invalid user is not looked up", func(t *testing.T) {
		q := testAuthed("POST", "/users", `{"name":"","email":"ADA@example.com"}`)
		expectError(t, q, testCall(t, testApp(newTestStore(testAda), 0), q), 400, "invalid_body")
	})
}

// stream sends testReq to h in a goroutine and waits up to 10 s for the handler to return.
// The body keeps the connection open: it never ends unless the handler has returned.
func testStream(t *testing.T, h http.Handler, what string, first string, contentLength int64) testResponse {
	t.Helper()
	pr, pw := io.Pipe()
	go func() { pw.Write([]byte(first)) }() // then nothing: the client is still "sending"
	r := httptest.NewRequest("POST", "/users", pr)
	r.Header.Set("Authorization", testAuth)
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = contentLength
	if contentLength >= 0 {
		r.Header.Set("Content-Length", fmt.Sprint(contentLength))
	}
	rec := httptest.NewRecorder()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		h.ServeHTTP(rec, r)
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("%s: the handler panicked: %v", what, v)
		}
	case <-time.After(10 * time.Second):
		pw.CloseWithError(errors.New("test gave up"))
		<-done
		t.Fatalf("%s: no answer after 10 s: the handler waits for a body that will never end instead of answering 413 now", what)
	}
	pw.CloseWithError(errors.New("test finished"))
	return testResponse{rec.Code, rec.Header(), rec.Body.String()}
}

func Test413Early(t *testing.T) {
	t.Run("413 at once when Content-Length announces too much", func(t *testing.T) {
		t.Parallel()
		what := "POST /users announcing Content-Length: 5000000 and sending only 9 bytes (MaxBodyBytes 1024)"
		expectError(t, testStringer(what), testStream(t, testApp(newTestStore(), 1024), what, `{"name":"`, 5_000_000), 413, "payload_too_large")
	})

	t.Run("413 as soon as a body without Content-Length grows over the limit", func(t *testing.T) {
		t.Parallel()
		what := "POST /users with a body of unknown length (chunked) that has sent 1200 bytes and goes on (MaxBodyBytes 1024)"
		first := `{"name":"Grace","email":"grace@example.com","bio":"` + strings.Repeat("b", 1200)
		expectError(t, testStringer(what), testStream(t, testApp(newTestStore(), 1024), what, first, -1), 413, "payload_too_large")
	})
}

type testStringer string

func (s testStringer) String() string { return string(s) }

func Test5xx(t *testing.T) {
	t.Run("500 internal when the store fails, without showing the error", func(t *testing.T) {
		for _, q := range []testReq{
			testAuthed("GET", "/users", ""),
			testAuthed("GET", "/users/u1", ""),
			testAuthed("DELETE", "/users/u1", ""),
			testAuthed("POST", "/users", `{"name":"Grace","email":"grace@example.com"}`),
		} {
			what := testStringer(q.String() + " while every store call fails")
			r := testCall(t, testApp(brokenTestStore{}, 0), q)
			if strings.Contains(r.body, "hunter2") || strings.Contains(r.body, "10.0.0.7") {
				t.Fatalf("%s: the body %q shows the store's error; log it, and answer only {\"error\":\"internal\"}", what, r.body)
			}
			expectError(t, what, r, 500, "internal")
		}
	})

	t.Run("500 also when the store panics", func(t *testing.T) {
		q := testAuthed("GET", "/users", "")
		r := testCall(t, testApp(panickyTestStore{newTestStore(testAda)}, 0), q)
		expectError(t, testStringer(q.String()+" while store.List panics"), r, 500, "internal")
	})
}

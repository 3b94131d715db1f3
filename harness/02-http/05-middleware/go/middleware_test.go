package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var generatedID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// serve starts a real server for h; its error log is discarded (the panics here are meant).
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// do sends one request through h in memory and returns the recorded response.
func do(h http.Handler, method, target string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func echoID(w http.ResponseWriter, r *http.Request) {
	_, _ = io.WriteString(w, GetRequestID(r.Context()))
}

func TestChain(t *testing.T) {
	t.Run("the first middleware is outermost and the code after next unwinds in reverse", func(t *testing.T) {
		var trace []string
		mw := func(name string) Middleware {
			return func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					trace = append(trace, name+">")
					next.ServeHTTP(w, r)
					trace = append(trace, "<"+name)
				})
			}
		}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			trace = append(trace, "handler")
			_, _ = io.WriteString(w, "done")
		})
		do(Chain(h, mw("a"), mw("b"), mw("c")), "GET", "/", nil)
		want := []string{"a>", "b>", "c>", "handler", "<c", "<b", "<a"}
		if !reflect.DeepEqual(trace, want) {
			t.Errorf("trace of Chain(handler, a, b, c) = %v, want %v (a outermost: the request goes a → b → c → handler)", trace, want)
		}
	})

	t.Run("a middleware may answer by itself without calling next", func(t *testing.T) {
		reached := false
		deny := func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "no", http.StatusUnauthorized)
			})
		}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true })
		rec := do(Chain(h, deny), "GET", "/", nil)
		if rec.Code != http.StatusUnauthorized || reached {
			t.Errorf("Chain(handler, deny): status %d, handler ran: %v; want 401 from deny and the handler not run", rec.Code, reached)
		}
	})

	t.Run("with no middleware it serves the handler itself", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			_, _ = io.WriteString(w, "hello")
		})
		rec := do(Chain(h), "GET", "/", nil)
		if rec.Code != http.StatusAccepted || rec.Body.String() != "hello" {
			t.Errorf("Chain(handler) answered %d %q, want the handler's 202 \"hello\"", rec.Code, rec.Body.String())
		}
	})
}

func TestRequestID(t *testing.T) {
	t.Run("generates an id, sends it as X-Request-Id and puts it in the context", func(t *testing.T) {
		rec := do(Chain(http.HandlerFunc(echoID), RequestID()), "GET", "/", nil)
		id := rec.Header().Get("X-Request-Id")
		if !generatedID.MatchString(id) {
			t.Fatalf("a request without X-Request-Id got X-Request-Id %q, want 8..64 characters of [A-Za-z0-9._-]", id)
		}
		if got := rec.Body.String(); got != id {
			t.Errorf("GetRequestID(r.Context()) in the handler = %q, want the id sent back, %q: call next with r.WithContext(context.WithValue(...))", got, id)
		}
		if got := GetRequestID(context.Background()); got != "" {
			t.Errorf("GetRequestID(context.Background()) = %q, want \"\"", got)
		}
	})

	t.Run("generates a different id for each request", func(t *testing.T) {
		h := Chain(http.HandlerFunc(echoID), RequestID())
		seen := map[string]int{}
		for i := 1; i <= 20; i++ {
			id := do(h, "GET", "/", nil).Header().Get("X-Request-Id")
			if prev, ok := seen[id]; ok {
				t.Fatalf("requests %d and %d without X-Request-Id both got the id %q: generate a new id inside the handler, per request, not once when the middleware is built", prev, i, id)
			}
			seen[id] = i
		}
	})

	t.Run("hands the id to the middlewares further down", func(t *testing.T) {
		var seen string
		spy := func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = GetRequestID(r.Context())
				next.ServeHTTP(w, r)
			})
		}
		rec := do(Chain(http.HandlerFunc(echoID), RequestID(), spy), "GET", "/", map[string]string{"X-Request-Id": "trace-9"})
		if seen != "trace-9" || rec.Body.String() != "trace-9" {
			t.Errorf("X-Request-Id: trace-9: the next middleware saw %q and the handler %q, want both \"trace-9\"", seen, rec.Body.String())
		}
	})

	for _, good := range []string{"checkout-7f3a.2", "a", "A_b.c-9", strings.Repeat("z", 64)} {
		t.Run(fmt.Sprintf("keeps the valid incoming id %q", good), func(t *testing.T) {
			rec := do(Chain(http.HandlerFunc(echoID), RequestID()), "GET", "/", map[string]string{"X-Request-Id": good})
			if got := rec.Header().Get("X-Request-Id"); got != good || rec.Body.String() != good {
				t.Errorf("X-Request-Id: %q came back as %q, the handler saw %q; want it kept in both", good, got, rec.Body.String())
			}
		})
	}

	for _, bad := range []string{"has spaces", strings.Repeat("x", 65), "<script>alert(1)</script>", "ids/with/slashes"} {
		t.Run(fmt.Sprintf("replaces the unsafe incoming id %.20q", bad), func(t *testing.T) {
			rec := do(Chain(http.HandlerFunc(echoID), RequestID()), "GET", "/", map[string]string{"X-Request-Id": bad})
			got := rec.Header().Get("X-Request-Id")
			if got == bad || !generatedID.MatchString(got) {
				t.Errorf("X-Request-Id: %q (%d characters) came back as %q; want a new generated id (keep only 1..64 characters of [A-Za-z0-9._-])", bad, len(bad), got)
			}
			if rec.Body.String() != got {
				t.Errorf("the handler saw the id %q, but %q was sent back", rec.Body.String(), got)
			}
		})
	}
}

// logSpy collects the entries AccessLog hands to it.
type logSpy struct {
	mu      sync.Mutex
	entries []LogEntry
}

func (s *logSpy) log(e LogEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, e)
}

func (s *logSpy) one(t *testing.T, what string) LogEntry {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.entries) != 1 {
		t.Fatalf("%s: log was called %d times, want once (after the handler returned)", what, len(s.entries))
	}
	return s.entries[0]
}

func TestAccessLog(t *testing.T) {
	t.Run("logs method, path without the query, status, duration and request id", func(t *testing.T) {
		spy := &logSpy{}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(30 * time.Millisecond)
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, "{}")
		})
		do(Chain(h, RequestID(), AccessLog(spy.log)), "POST", "/orders/7?x=1", map[string]string{"X-Request-Id": "abc-1"})
		e := spy.one(t, "POST /orders/7?x=1")
		if e.Duration < 30*time.Millisecond {
			t.Errorf("POST /orders/7?x=1 whose handler takes 30 ms was logged with Duration %v, want at least 30ms: measure from entering the middleware until the handler returns", e.Duration)
		}
		e.Duration = 0
		want := LogEntry{Method: "POST", Path: "/orders/7", Status: 201, RequestID: "abc-1"}
		if e != want {
			t.Errorf("POST /orders/7?x=1 (X-Request-Id: abc-1) answered 201, logged %+v, want %+v", e, want)
		}
	})

	t.Run("logs 200 for a handler that writes nothing", func(t *testing.T) {
		spy := &logSpy{}
		do(AccessLog(spy.log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})), "GET", "/ping", nil)
		if e := spy.one(t, "GET /ping"); e.Status != 200 || e.RequestID != "" {
			t.Errorf("GET /ping whose handler writes nothing (net/http sends 200) logged Status %d and RequestID %q, want 200 and \"\"", e.Status, e.RequestID)
		}
	})

	t.Run("logs the status actually sent, not a WriteHeader that came too late", func(t *testing.T) {
		spy := &logSpy{}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "partial")
			w.WriteHeader(http.StatusInternalServerError) // too late: Write already sent 200
		})
		rec := do(AccessLog(spy.log)(h), "GET", "/report", nil)
		if e := spy.one(t, "GET /report"); e.Status != rec.Code {
			t.Errorf("GET /report: the handler wrote a body (which sends 200) and then called WriteHeader(500); the client got %d, the log says %d: the first Write or WriteHeader decides the status", rec.Code, e.Status)
		}
	})

	t.Run("logs a 404 from http.NotFound", func(t *testing.T) {
		spy := &logSpy{}
		do(AccessLog(spy.log)(http.HandlerFunc(http.NotFound)), "DELETE", "/nope", nil)
		if e := spy.one(t, "DELETE /nope"); e.Status != 404 || e.Method != "DELETE" {
			t.Errorf("DELETE /nope answered by http.NotFound logged %s %d, want DELETE 404", e.Method, e.Status)
		}
	})

	t.Run("keeps Flush reachable through http.NewResponseController", func(t *testing.T) {
		spy := &logSpy{}
		flushErr := errors.New("the handler never ran")
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "event 1\n")
			flushErr = http.NewResponseController(w).Flush()
		})
		do(Chain(h, AccessLog(spy.log), Recovery(nil)), "GET", "/events", nil)
		if flushErr != nil {
			t.Errorf("behind AccessLog and Recovery, http.NewResponseController(w).Flush() failed: %v; give your ResponseWriter wrapper an Unwrap() http.ResponseWriter method", flushErr)
		}
	})
}

func TestRecovery(t *testing.T) {
	type call struct {
		v    any
		path string
	}
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"a string", "boom: card 4242 declined"},
		{"an error", errors.New("db password=hunter2 rejected")},
		{"an int", 7},
	} {
		t.Run("answers 500 with the request id when the handler panics with "+tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var calls []call
			onPanic := func(v any, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				calls = append(calls, call{v, r.URL.Path})
			}
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(tc.v) })
			srv := serve(t, Chain(h, RequestID(), Recovery(onPanic)))
			req, _ := http.NewRequest("GET", srv.URL+"/checkout", nil)
			req.Header.Set("X-Request-Id", "req-42")
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatalf("GET /checkout whose handler panics with %#v: the connection broke (%v) instead of a 500: recover() only works when called directly by the deferred function", tc.v, err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			var got map[string]any
			if res.StatusCode != 500 || json.Unmarshal(body, &got) != nil || !reflect.DeepEqual(got, map[string]any{"error": "internal", "requestId": "req-42"}) {
				t.Errorf("GET /checkout (X-Request-Id: req-42) whose handler panics with %#v answered %d %s, want 500 {\"error\":\"internal\",\"requestId\":\"req-42\"} and nothing about the panic in the body", tc.v, res.StatusCode, body)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(calls) != 1 || calls[0] != (call{tc.v, "/checkout"}) {
				t.Errorf("onPanic calls: %v, want one with the panic value %#v and the request for /checkout", calls, tc.v)
			}
		})
	}

	t.Run("leaves requestId out when there is none and accepts a nil onPanic", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("nil map") })
		srv := serve(t, Recovery(nil)(h))
		res, err := srv.Client().Get(srv.URL + "/")
		if err != nil {
			t.Fatalf("GET / whose handler panics, behind Recovery(nil): the connection broke (%v) instead of a 500", err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var got map[string]any
		if res.StatusCode != 500 || json.Unmarshal(body, &got) != nil || !reflect.DeepEqual(got, map[string]any{"error": "internal"}) {
			t.Errorf("GET / whose handler panics, without RequestID, answered %d %s, want 500 {\"error\":\"internal\"}", res.StatusCode, body)
		}
	})

	t.Run("lets a handler that does not panic answer as it likes", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, "made")
		})
		srv := serve(t, Recovery(nil)(h))
		res, err := srv.Client().Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 201 || string(body) != "made" {
			t.Errorf("GET / behind Recovery answered %d %q, want the handler's 201 \"made\"", res.StatusCode, body)
		}
	})

	t.Run("breaks the connection when the headers were already sent", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "id,amount\n1,100\n")
			_ = http.NewResponseController(w).Flush()
			panic("lost the database halfway")
		})
		srv := serve(t, Chain(h, RequestID(), Recovery(nil)))
		res, err := srv.Client().Get(srv.URL + "/export.csv")
		if err != nil {
			return // broken before the body: fine too
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err == nil {
			t.Errorf("GET /export.csv whose handler panics after sending 200 and part of the body: the client read a complete %d response %q; a 500 is impossible now, so panic(http.ErrAbortHandler) to break the connection and let the client see the response is cut", res.StatusCode, body)
		}
	})
}

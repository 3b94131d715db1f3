// Package middleware wraps http.Handlers with what every route shares: request ids,
// access logs and protection from panics.
package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"time"
)

// Middleware wraps a handler in another one.
type Middleware func(http.Handler) http.Handler

// Chain wraps h in mws, the first one outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// ctxKey is unexported: no other package can read or overwrite the id.
type ctxKey struct{}

var validID = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// RequestID keeps a valid incoming X-Request-Id or generates one, sends it back and puts
// it in the request's context.
func RequestID() Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Request-Id")
			if !validID.MatchString(id) {
				id = newID()
			}
			w.Header().Set("X-Request-Id", id)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, id)))
		})
	}
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// GetRequestID returns the id RequestID put in ctx, or "" when there is none.
func GetRequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// LogEntry is one line of the access log.
type LogEntry struct {
	Method    string
	Path      string
	Status    int
	Duration  time.Duration
	RequestID string
}

// recorder remembers the status a handler sends.
type recorder struct {
	http.ResponseWriter
	status int
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and friends of the real writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// AccessLog calls log once per request, after the handler has returned.
func AccessLog(log func(LogEntry)) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &recorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			log(LogEntry{Method: r.Method, Path: r.URL.Path, Status: status, Duration: time.Since(start), RequestID: GetRequestID(r.Context())})
		})
	}
}

// Recovery turns a panic of the handlers it wraps into a 500, or aborts the response when
// its headers are already out.
func Recovery(onPanic func(v any, r *http.Request)) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &recorder{ResponseWriter: w}
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				if onPanic != nil {
					onPanic(v, r)
				}
				if rec.status != 0 {
					panic(http.ErrAbortHandler)
				}
				body := map[string]string{"error": "internal"}
				if id := GetRequestID(r.Context()); id != "" {
					body["requestId"] = id
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_ = json.NewEncoder(w).Encode(body)
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

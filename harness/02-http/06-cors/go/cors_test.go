package cors

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

const app = "https://app.example.com"

// call sends one request through Handler(handler, o) and says whether the handler ran.
func call(o Options, method, origin string, header map[string]string) (*httptest.ResponseRecorder, bool) {
	ran := false
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran = true
		w.Header().Set("X-Total", "3")
		_, _ = w.Write([]byte("from the handler"))
	})
	req := httptest.NewRequest(method, "/items/7", nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	Handler(h, o).ServeHTTP(rec, req)
	return rec, ran
}

// tokens lists the comma-separated values of a header, over all its lines, lower-cased.
func tokens(h http.Header, name string) []string {
	var out []string
	for _, line := range h.Values(name) {
		for _, v := range strings.Split(line, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, strings.ToLower(v))
			}
		}
	}
	return out
}

func corsHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			out[k] = v
		}
	}
	return out
}

func preflight(method, headers string) map[string]string {
	m := map[string]string{"Access-Control-Request-Method": method}
	if headers != "" {
		m["Access-Control-Request-Headers"] = headers
	}
	return m
}

var full = Options{
	Origins:       []string{app, "http://localhost:5173"},
	Methods:       []string{"GET", "POST", "PUT", "DELETE"},
	AllowHeaders:  []string{"Content-Type", "Authorization", "X-Request-Id"},
	ExposeHeaders: []string{"X-Total", "X-Request-Id"},
	Credentials:   true,
	MaxAge:        10 * time.Minute,
}

func TestWithoutOrigin(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{{"a list of origins", full}, {"origins *", Options{Origins: []string{"*"}}}} {
		t.Run("runs the handler and adds no Access-Control header, with "+tc.name, func(t *testing.T) {
			for _, method := range []string{"GET", "OPTIONS"} {
				rec, ran := call(tc.o, method, "", nil)
				if !ran || rec.Code != 200 {
					t.Errorf("%s /items/7 without Origin: handler ran %v, status %d; want the handler's 200", method, ran, rec.Code)
				}
				if extra := corsHeaders(rec.Header()); len(extra) > 0 {
					t.Errorf("%s /items/7 without Origin (same origin, curl) got %v, want no Access-Control-* header", method, extra)
				}
			}
		})
	}
}

func TestActualRequest(t *testing.T) {
	t.Run("an allowed origin gets Allow-Origin, Allow-Credentials, Expose-Headers and Vary", func(t *testing.T) {
		rec, ran := call(full, "POST", app, nil)
		if !ran || rec.Code != 200 {
			t.Fatalf("POST from %s: handler ran %v, status %d; want the handler's 200", app, ran, rec.Code)
		}
		h := rec.Header()
		if got := h.Get("Access-Control-Allow-Origin"); got != app {
			t.Errorf("POST from %s: Access-Control-Allow-Origin %q, want %q", app, got, app)
		}
		if got := h.Get("Access-Control-Allow-Credentials"); got != "true" {
			t.Errorf("POST from %s with Credentials: Access-Control-Allow-Credentials %q, want \"true\"", app, got)
		}
		if got := tokens(h, "Access-Control-Expose-Headers"); !slices.Contains(got, "x-total") || !slices.Contains(got, "x-request-id") {
			t.Errorf("POST from %s: Access-Control-Expose-Headers %q, want X-Total and X-Request-Id", app, h.Values("Access-Control-Expose-Headers"))
		}
		if !slices.Contains(tokens(h, "Vary"), "origin") {
			t.Errorf("POST from %s: Vary %q, want it to include Origin", app, h.Values("Vary"))
		}
	})

	t.Run("a disallowed origin still runs the handler, gets Vary and no CORS header", func(t *testing.T) {
		evil := "https://evil.io"
		rec, ran := call(full, "POST", evil, nil)
		if !ran || rec.Code != 200 {
			t.Fatalf("POST from %s: handler ran %v, status %d; want the handler to run (the browser enforces CORS, not the server)", evil, ran, rec.Code)
		}
		if extra := corsHeaders(rec.Header()); len(extra) > 0 {
			t.Errorf("POST from the disallowed %s got %v, want no Access-Control-* header at all", evil, extra)
		}
		if !slices.Contains(tokens(rec.Header(), "Vary"), "origin") {
			t.Errorf("POST from the disallowed %s: Vary %q, want Origin (a cache must not serve this answer to an allowed origin)", evil, rec.Header().Values("Vary"))
		}
	})

	for _, tc := range []struct{ name, look string }{
		{"a longer host", "https://app.example.com.evil.io"},
		{"another port", "https://app.example.com:444"},
		{"another scheme", "http://app.example.com"},
		{"a host that ends the same", "https://evil-app.example.com"},
		{"a shorter host", "https://app.example.co"},
		{"the null origin", "null"},
	} {
		look := tc.look
		t.Run("does not allow a lookalike origin with "+tc.name, func(t *testing.T) {
			rec, ran := call(full, "GET", look, nil)
			if !ran || !slices.Contains(tokens(rec.Header(), "Vary"), "origin") {
				t.Errorf("GET from %s: handler ran %v, Vary %q; want the handler run and Vary: Origin", look, ran, rec.Header().Values("Vary"))
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("GET from %s (allowed: %s): Access-Control-Allow-Origin %q, want none: compare the whole origin, scheme, host and port", look, app, got)
			}
		})
	}

	t.Run("a plain OPTIONS without Access-Control-Request-Method reaches the handler", func(t *testing.T) {
		rec, ran := call(full, "OPTIONS", app, nil)
		if !ran || rec.Header().Get("Access-Control-Allow-Origin") != app {
			t.Errorf("OPTIONS from %s without Access-Control-Request-Method: handler ran %v, Access-Control-Allow-Origin %q; it is not a preflight, want the handler run with the CORS headers of an actual request", app, ran, rec.Header().Get("Access-Control-Allow-Origin"))
		}
	})

	t.Run("keeps a Vary set by an outer middleware", func(t *testing.T) {
		inner := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), full)
		outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Vary", "Accept-Encoding")
			inner.ServeHTTP(w, r)
		})
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Origin", app)
		rec := httptest.NewRecorder()
		outer.ServeHTTP(rec, req)
		if got := tokens(rec.Header(), "Vary"); !slices.Contains(got, "accept-encoding") || !slices.Contains(got, "origin") {
			t.Errorf("behind a middleware that set Vary: Accept-Encoding, the answer's Vary is %q, want both Accept-Encoding and Origin: Header().Add, not Set", rec.Header().Values("Vary"))
		}
	})

	t.Run("origins * answers * without credentials", func(t *testing.T) {
		rec, _ := call(Options{Origins: []string{"*"}}, "GET", "https://anyone.example", nil)
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("GET from https://anyone.example with Origins [*]: Access-Control-Allow-Origin %q, want \"*\"", got)
		}
	})

	t.Run("origins * echoes the origin with credentials", func(t *testing.T) {
		o := Options{Origins: []string{"*"}, Credentials: true}
		rec, _ := call(o, "GET", "https://anyone.example", nil)
		h := rec.Header()
		if got := h.Get("Access-Control-Allow-Origin"); got != "https://anyone.example" || h.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("GET from https://anyone.example with Origins [*] and Credentials: Access-Control-Allow-Origin %q, Allow-Credentials %q; want the origin echoed (browsers refuse * with credentials) and \"true\"", got, h.Get("Access-Control-Allow-Credentials"))
		}
		if !slices.Contains(tokens(h, "Vary"), "origin") {
			t.Errorf("GET from https://anyone.example with an echoed origin: Vary %q, want Origin", h.Values("Vary"))
		}
	})
}

func TestPreflight(t *testing.T) {
	t.Run("an allowed preflight gets 204 with every header and never reaches the handler", func(t *testing.T) {
		rec, ran := call(full, "OPTIONS", app, preflight("PUT", "content-type, x-request-id"))
		if ran {
			t.Errorf("the preflight OPTIONS from %s reached the handler; answer it yourself", app)
		}
		if rec.Code != http.StatusNoContent {
			t.Fatalf("preflight OPTIONS from %s for PUT with content-type, x-request-id: status %d, want 204", app, rec.Code)
		}
		h := rec.Header()
		want := map[string]string{"Access-Control-Allow-Origin": app, "Access-Control-Allow-Credentials": "true", "Access-Control-Max-Age": "600"}
		for k, v := range want {
			if got := h.Get(k); got != v {
				t.Errorf("allowed preflight: %s %q, want %q", k, got, v)
			}
		}
		if got := tokens(h, "Access-Control-Allow-Methods"); !slices.Equal(got, []string{"get", "post", "put", "delete"}) {
			t.Errorf("allowed preflight: Access-Control-Allow-Methods %q, want GET, POST, PUT, DELETE", h.Values("Access-Control-Allow-Methods"))
		}
		if got := tokens(h, "Access-Control-Allow-Headers"); !slices.Equal(got, []string{"content-type", "authorization", "x-request-id"}) {
			t.Errorf("allowed preflight: Access-Control-Allow-Headers %q, want Content-Type, Authorization, X-Request-Id", h.Values("Access-Control-Allow-Headers"))
		}
		if !slices.Contains(tokens(h, "Vary"), "origin") {
			t.Errorf("allowed preflight: Vary %q, want it to include Origin", h.Values("Vary"))
		}
	})

	t.Run("compares the requested headers case-insensitively", func(t *testing.T) {
		rec, _ := call(full, "OPTIONS", app, preflight("POST", "AUTHORIZATION,Content-TYPE"))
		if rec.Code != http.StatusNoContent {
			t.Errorf("preflight for POST with Access-Control-Request-Headers: AUTHORIZATION,Content-TYPE (allowed: Content-Type, Authorization): status %d, want 204", rec.Code)
		}
	})

	t.Run("origins * answers * to a preflight without credentials", func(t *testing.T) {
		rec, ran := call(Options{Origins: []string{"*"}}, "OPTIONS", "https://anyone.example", preflight("GET", ""))
		if ran || rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("preflight for GET from https://anyone.example with Origins [*]: status %d, Allow-Origin %q, handler ran %v; want 204, \"*\", not run", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), ran)
		}
	})

	t.Run("allows GET, HEAD and POST when no methods are given", func(t *testing.T) {
		o := Options{Origins: []string{app}}
		rec, _ := call(o, "OPTIONS", app, preflight("HEAD", ""))
		if rec.Code != http.StatusNoContent || !slices.Equal(tokens(rec.Header(), "Access-Control-Allow-Methods"), []string{"get", "head", "post"}) {
			t.Errorf("preflight for HEAD without Methods in the options: status %d, Allow-Methods %q; want 204 and GET, HEAD, POST", rec.Code, rec.Header().Values("Access-Control-Allow-Methods"))
		}
		if rec, _ := call(o, "OPTIONS", app, preflight("DELETE", "")); rec.Code != http.StatusForbidden {
			t.Errorf("preflight for DELETE without Methods in the options: status %d, want 403", rec.Code)
		}
	})

	for _, tc := range []struct{ name, origin, method, headers string }{
		{"a disallowed origin", "https://evil.io", "GET", ""},
		{"a lookalike origin", "https://app.example.com.evil.io", "GET", ""},
		{"a method that is not allowed", app, "PATCH", ""},
		{"a header that is not allowed", app, "POST", "content-type, x-secret"},
	} {
		t.Run("refuses a preflight with "+tc.name, func(t *testing.T) {
			rec, ran := call(full, "OPTIONS", tc.origin, preflight(tc.method, tc.headers))
			what := "preflight OPTIONS from " + tc.origin + " for " + tc.method + " with headers [" + tc.headers + "]"
			if ran {
				t.Errorf("%s reached the handler; answer a preflight yourself", what)
			}
			if rec.Code != http.StatusForbidden || strings.TrimSpace(rec.Body.String()) != `{"error":"cors_rejected"}` {
				t.Errorf("%s: %d %s, want 403 {\"error\":\"cors_rejected\"}", what, rec.Code, rec.Body.String())
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("%s: Access-Control-Allow-Origin %q, want none", what, got)
			}
		})
	}
}

package framework

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

const token = "adm-31337"

var (
	fixedTime = time.Date(2030, 3, 1, 10, 0, 0, 0, time.UTC)
	fixed     = func() time.Time { return fixedTime }
)

// newApp builds the learner's engine in gin's test mode (no debug output, panics logged nowhere).
func newApp(t *testing.T, now func() time.Time) http.Handler {
	t.Helper()
	gin.SetMode(gin.TestMode)
	gin.DefaultErrorWriter = io.Discard
	gin.DefaultWriter = io.Discard
	h := New(Options{AdminToken: token, Now: now})
	if h == nil {
		t.Fatal("New(Options{…}) returned nil")
	}
	return h
}

type response struct {
	status int
	header http.Header
	body   string
}

type req struct {
	method, path string
	body         string
	contentType  string // "" means application/json when there is a body
	auth         string
}

func (r req) String() string {
	s := r.method + " " + r.path
	if r.auth != "" {
		s += " with Authorization: " + r.auth
	}
	if r.body != "" && len(r.body) < 120 {
		s += " " + r.body
	} else if r.body != "" {
		s += fmt.Sprintf(" (a body of %d bytes)", len(r.body))
	}
	return s
}

func do(h http.Handler, r req) response {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	if r.auth != "" {
		hr.Header.Set("Authorization", r.auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, hr)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func post(h http.Handler, body string) response {
	return do(h, req{method: "POST", path: "/api/v1/bookmarks", body: body})
}

// expectJSON checks the status, a JSON Content-Type and the whole body.
func expectJSON(t *testing.T, what string, res response, status int, want string) {
	t.Helper()
	if res.status != status {
		t.Errorf("%s: status %d, want %d (body %q)", what, res.status, status, res.body)
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json (a JSON body, not the framework's text default); body %q", what, ct, res.body)
	}
	var wantV any
	if err := json.Unmarshal([]byte(want), &wantV); err != nil {
		panic(err)
	}
	var got any
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Errorf("%s: body %q is not JSON, want %s", what, res.body, want)
		return
	}
	if !reflect.DeepEqual(got, wantV) {
		t.Errorf("%s: body %s, want %s", what, strings.TrimSpace(res.body), want)
	}
}

func ids(t *testing.T, what string, res response) []int {
	t.Helper()
	var list struct {
		Items []struct {
			ID int `json:"id"`
		} `json:"items"`
	}
	if res.status != 200 || json.Unmarshal([]byte(res.body), &list) != nil {
		t.Fatalf("%s: status %d, body %q; want 200 {\"items\":[…]}", what, res.status, res.body)
	}
	out := []int{}
	for _, it := range list.Items {
		out = append(out, it.ID)
	}
	return out
}

func TestRoutes(t *testing.T) {
	t.Run("GET /health answers 200 {\"status\":\"ok\"}", func(t *testing.T) {
		expectJSON(t, "GET /health", do(newApp(t, fixed), req{method: "GET", path: "/health"}), 200, `{"status":"ok"}`)
	})

	t.Run("POST creates bookmarks with sequential ids, defaults and a Location", func(t *testing.T) {
		app := newApp(t, fixed)
		r := req{method: "POST", path: "/api/v1/bookmarks", body: `{"url":"https://go.dev/doc/","tags":["Go"," Docs "]}`}
		first := do(app, r)
		expectJSON(t, r.String(), first, 201, `{"id":1,"url":"https://go.dev/doc/","title":"go.dev","tags":["go","docs"],"createdAt":"2030-03-01T10:00:00Z"}`)
		if loc := first.header.Get("Location"); loc != "/api/v1/bookmarks/1" {
			t.Errorf("%s: Location %q, want /api/v1/bookmarks/1", r, loc)
		}
		r2 := req{method: "POST", path: "/api/v1/bookmarks", body: `{"url":"http://gin-gonic.com","title":" Gin "}`}
		expectJSON(t, r2.String()+" (the second POST)", do(app, r2), 201, `{"id":2,"url":"http://gin-gonic.com","title":"Gin","tags":[],"createdAt":"2030-03-01T10:00:00Z"}`)
		if loc := do(app, req{method: "POST", path: "/api/v1/bookmarks", body: `{"url":"https://echo.labstack.com"}`}).header.Get("Location"); loc != "/api/v1/bookmarks/3" {
			t.Errorf("the third POST: Location %q, want /api/v1/bookmarks/3", loc)
		}
	})

	t.Run("ids are per engine: a second New starts again at 1", func(t *testing.T) {
		post(newApp(t, fixed), `{"url":"https://go.dev"}`)
		post(newApp(t, fixed), `{"url":"https://go.dev"}`)
		other := post(newApp(t, fixed), `{"url":"https://gin-gonic.com"}`)
		expectJSON(t, "the first POST to a third New(…) (ids belong to one engine, not to the package)", other, 201,
			`{"id":1,"url":"https://gin-gonic.com","title":"gin-gonic.com","tags":[],"createdAt":"2030-03-01T10:00:00Z"}`)
	})

	t.Run("ids are never reused after a delete", func(t *testing.T) {
		app := newApp(t, fixed)
		for _, u := range []string{"https://go.dev", "https://gin-gonic.com", "https://echo.labstack.com"} {
			post(app, `{"url":"`+u+`"}`)
		}
		del := req{method: "DELETE", path: "/api/v1/admin/bookmarks/1", auth: "Bearer " + token}
		if res := do(app, del); res.status != 204 {
			t.Fatalf("%s: status %d, want 204 (body %q)", del, res.status, res.body)
		}
		next := post(app, `{"url":"https://expressjs.com"}`)
		var b struct{ ID int }
		_ = json.Unmarshal([]byte(next.body), &b)
		if next.status != 201 || b.ID != 4 {
			t.Errorf("POST after deleting 1 of the ids 1..3: status %d, id %d, want 201 and id 4 (body %q)", next.status, b.ID, next.body)
		}
		third := do(app, req{method: "GET", path: "/api/v1/bookmarks/3"})
		var b3 struct{ URL string }
		_ = json.Unmarshal([]byte(third.body), &b3)
		if b3.URL != "https://echo.labstack.com" {
			t.Errorf("GET /api/v1/bookmarks/3 after that: %d %q, want bookmark 3 untouched (url https://echo.labstack.com)", third.status, third.body)
		}
	})

	t.Run("GET /api/v1/bookmarks lists in creation order and ?tag= filters", func(t *testing.T) {
		app := newApp(t, fixed)
		expectJSON(t, "GET /api/v1/bookmarks on a new engine", do(app, req{method: "GET", path: "/api/v1/bookmarks"}), 200, `{"items":[]}`)
		post(app, `{"url":"https://go.dev","tags":["go"]}`)
		post(app, `{"url":"https://gin-gonic.com","tags":["go","web"]}`)
		post(app, `{"url":"https://fastify.dev","tags":["node","Web"]}`)
		if got := ids(t, "GET /api/v1/bookmarks", do(app, req{method: "GET", path: "/api/v1/bookmarks"})); !slices.Equal(got, []int{1, 2, 3}) {
			t.Errorf("GET /api/v1/bookmarks: ids %v, want [1 2 3] (creation order)", got)
		}
		if got := ids(t, "GET /api/v1/bookmarks?tag=web", do(app, req{method: "GET", path: "/api/v1/bookmarks?tag=web"})); !slices.Equal(got, []int{2, 3}) {
			t.Errorf("GET /api/v1/bookmarks?tag=web: ids %v, want [2 3]", got)
		}
		expectJSON(t, "GET /api/v1/bookmarks?tag=rust", do(app, req{method: "GET", path: "/api/v1/bookmarks?tag=rust"}), 200, `{"items":[]}`)
	})

	t.Run("GET /api/v1/bookmarks/:id answers 200, 404 not_found or 400 invalid_id", func(t *testing.T) {
		app := newApp(t, fixed)
		created := post(app, `{"url":"https://go.dev"}`)
		expectJSON(t, "GET /api/v1/bookmarks/1", do(app, req{method: "GET", path: "/api/v1/bookmarks/1"}), 200, created.body)
		expectJSON(t, "GET /api/v1/bookmarks/99", do(app, req{method: "GET", path: "/api/v1/bookmarks/99"}), 404, `{"error":"not_found"}`)
		for _, id := range []string{"abc", "0", "1.5", "-1", "01", "+1", "1e0", "%201"} {
			r := req{method: "GET", path: "/api/v1/bookmarks/" + id}
			expectJSON(t, r.String(), do(app, r), 400, `{"error":"invalid_id"}`)
		}
	})
}

func TestBinding(t *testing.T) {
	cases := []struct{ name, body string }{
		{"no url", `{"title":"x"}`},
		{"an empty url", `{"url":""}`},
		{"a url that is not a URL", `{"url":"not a url"}`},
		{"an ftp url", `{"url":"ftp://files.example.com"}`},
		{"a mailto url", `{"url":"mailto:gopher@go.dev"}`},
		{"a numeric title", `{"url":"https://go.dev","title":7}`},
		{"tags that are a string", `{"url":"https://go.dev","tags":"go"}`},
		{"a JSON array body", `[{"url":"https://go.dev"}]`},
		{"a blank title", `{"url":"https://go.dev","title":"   "}`},
		{"a blank tag", `{"url":"https://go.dev","tags":["go"," "]}`},
	}
	for _, c := range cases {
		t.Run("POST with "+c.name+" answers 400 invalid_body and stores nothing", func(t *testing.T) {
			app := newApp(t, fixed)
			r := req{method: "POST", path: "/api/v1/bookmarks", body: c.body}
			expectJSON(t, r.String(), do(app, r), 400, `{"error":"invalid_body"}`)
			expectJSON(t, "GET /api/v1/bookmarks after the refused POST", do(app, req{method: "GET", path: "/api/v1/bookmarks"}), 200, `{"items":[]}`)
		})
	}
}

func TestFrameworkDefaults(t *testing.T) {
	t.Run("an unknown route is 404 not_found in JSON", func(t *testing.T) {
		app := newApp(t, fixed)
		for _, p := range []string{"/nope", "/api/v2/bookmarks", "/api/v1/bookmarks/1/comments", "/api/v1"} {
			r := req{method: "GET", path: p}
			expectJSON(t, r.String(), do(app, r), 404, `{"error":"not_found"}`)
		}
	})

	t.Run("a trailing slash is not redirected: 404 not_found", func(t *testing.T) {
		app := newApp(t, fixed)
		post(app, `{"url":"https://go.dev"}`)
		for _, r := range []req{
			{method: "GET", path: "/health/"},
			{method: "GET", path: "/api/v1/bookmarks/"},
			{method: "GET", path: "/api/v1/bookmarks/1/"},
			{method: "POST", path: "/api/v1/bookmarks/", body: `{"url":"https://go.dev"}`},
		} {
			res := do(app, r)
			if loc := res.header.Get("Location"); loc != "" {
				t.Errorf("%s: %d with Location %q, want 404 not_found, not a redirect", r, res.status, loc)
				continue
			}
			expectJSON(t, r.String(), res, 404, `{"error":"not_found"}`)
		}
	})

	t.Run("a known path with another method is 405 method_not_allowed with Allow", func(t *testing.T) {
		app := newApp(t, fixed)
		for _, c := range []struct {
			r     req
			allow string
		}{
			{req{method: "DELETE", path: "/health"}, "GET"},
			{req{method: "PUT", path: "/api/v1/bookmarks/1", body: `{"url":"https://go.dev"}`}, "GET"},
			{req{method: "DELETE", path: "/api/v1/bookmarks"}, "GET, POST"},
		} {
			res := do(app, c.r)
			expectJSON(t, c.r.String(), res, 405, `{"error":"method_not_allowed"}`)
			allow := strings.Split(res.header.Get("Allow"), ",")
			for i := range allow {
				allow[i] = strings.TrimSpace(allow[i])
			}
			slices.Sort(allow)
			if strings.Join(allow, ", ") != c.allow {
				t.Errorf("%s: Allow %q, want %q", c.r, res.header.Get("Allow"), c.allow)
			}
		}
	})

	t.Run("malformed JSON is 400 invalid_json", func(t *testing.T) {
		app := newApp(t, fixed)
		for _, body := range []string{`{"url": "https://go.dev",`, `{"url": https://go.dev}`, `{'url': 'https://go.dev'}`} {
			r := req{method: "POST", path: "/api/v1/bookmarks", body: body}
			expectJSON(t, r.String(), do(app, r), 400, `{"error":"invalid_json"}`)
		}
	})

	t.Run("a body over 10 kB is 413 payload_too_large, 10240 bytes are accepted", func(t *testing.T) {
		app := newApp(t, fixed)
		base := `{"url":"https://go.dev","title":""}`
		exact := `{"url":"https://go.dev","title":"` + strings.Repeat("x", 10240-len(base)) + `"}`
		over := `{"url":"https://go.dev","title":"` + strings.Repeat("x", 10241-len(base)) + `"}`
		big := `{"url":"https://go.dev","title":"` + strings.Repeat("x", 64*1024) + `"}`
		for _, c := range []struct {
			what, body string
		}{{"a body of 10241 bytes", over}, {"a body of 64 kB", big}} {
			r := req{method: "POST", path: "/api/v1/bookmarks", body: c.body}
			expectJSON(t, "POST /api/v1/bookmarks with "+c.what, do(app, r), 413, `{"error":"payload_too_large"}`)
		}
		if res := post(app, exact); res.status != 201 {
			t.Errorf("POST /api/v1/bookmarks with a body of exactly 10240 bytes (10 kB is allowed): status %d, want 201 (body %q)", res.status, res.body)
		}
		if res := post(app, `{"url":"https://go.dev","title":"`+strings.Repeat("y", 9*1024)+`"}`); res.status != 201 {
			t.Errorf("POST /api/v1/bookmarks with a 9 kB body: status %d, want 201 (body %q)", res.status, res.body)
		}
	})

	t.Run("a POST that is not application/json is 415 unsupported_media_type", func(t *testing.T) {
		app := newApp(t, fixed)
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/xml"} {
			body := `{"url":"https://go.dev"}`
			if ct == "application/x-www-form-urlencoded" {
				body = "url=https%3A%2F%2Fgo.dev"
			}
			r := req{method: "POST", path: "/api/v1/bookmarks", body: body, contentType: ct}
			expectJSON(t, r.String()+" with Content-Type: "+ct, do(app, r), 415, `{"error":"unsupported_media_type"}`)
		}
		r := req{method: "POST", path: "/api/v1/bookmarks", body: `{"url":"https://go.dev"}`, contentType: "application/json; charset=utf-8"}
		if res := do(app, r); res.status != 201 {
			t.Errorf("%s with Content-Type: application/json; charset=utf-8: status %d, want 201 (body %q)", r, res.status, res.body)
		}
		expectJSON(t, "GET /api/v1/bookmarks after that", do(app, req{method: "GET", path: "/api/v1/bookmarks"}), 200,
			`{"items":[{"id":1,"url":"https://go.dev","title":"go.dev","tags":[],"createdAt":"2030-03-01T10:00:00Z"}]}`)
	})

	t.Run("a panicking handler answers 500 internal in JSON without the panic value", func(t *testing.T) {
		app := newApp(t, func() time.Time { panic("clock exploded at /srv/app/secret.go:42") })
		srv := httptest.NewUnstartedServer(app)
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.Start()
		t.Cleanup(srv.Close)
		const what = `POST /api/v1/bookmarks {"url":"https://go.dev"} while Now() panics`
		hres, err := srv.Client().Post(srv.URL+"/api/v1/bookmarks", "application/json", strings.NewReader(`{"url":"https://go.dev"}`))
		if err != nil {
			t.Fatalf("%s: %v; the panic reached net/http, which cut the connection: add a recovery middleware that answers 500 {\"error\":\"internal\"}", what, err)
		}
		b, _ := io.ReadAll(hres.Body)
		hres.Body.Close()
		res := response{status: hres.StatusCode, header: hres.Header, body: string(b)}
		expectJSON(t, what, res, 500, `{"error":"internal"}`)
		if strings.Contains(res.body, "exploded") || strings.Contains(res.body, "secret.go") {
			t.Errorf("%s: the body %q carries the panic value; answer only {\"error\":\"internal\"}", what, res.body)
		}
		// The engine keeps serving after a panic.
		expectJSON(t, "GET /health after the panic", do(app, req{method: "GET", path: "/health"}), 200, `{"status":"ok"}`)
	})
}

func TestAdminGroup(t *testing.T) {
	t.Run("every /api/v1/admin path answers 401 unauthorized without the right token", func(t *testing.T) {
		app := newApp(t, fixed)
		post(app, `{"url":"https://go.dev"}`)
		for _, auth := range []string{"", "Bearer wrong", token, "Bearer " + token + "x", "Basic " + token} {
			for _, r := range []req{
				{method: "GET", path: "/api/v1/admin/stats"},
				{method: "DELETE", path: "/api/v1/admin/bookmarks/1"},
				{method: "GET", path: "/api/v1/admin/anything-else"},
				{method: "DELETE", path: "/api/v1/admin/users/7"},
			} {
				r.auth = auth
				label := r.String()
				if auth == "" {
					label += " without Authorization"
				}
				expectJSON(t, label, do(app, r), 401, `{"error":"unauthorized"}`)
			}
		}
		if got := ids(t, "GET /api/v1/bookmarks after the refused DELETEs", do(app, req{method: "GET", path: "/api/v1/bookmarks"})); !slices.Equal(got, []int{1}) {
			t.Errorf("GET /api/v1/bookmarks after the refused DELETEs: ids %v, want [1]", got)
		}
	})

	t.Run("with the token, an unknown admin path is 404 not_found", func(t *testing.T) {
		r := req{method: "GET", path: "/api/v1/admin/nope", auth: "Bearer " + token}
		expectJSON(t, r.String(), do(newApp(t, fixed), r), 404, `{"error":"not_found"}`)
	})

	t.Run("GET /api/v1/admin/stats counts bookmarks and tags", func(t *testing.T) {
		app := newApp(t, fixed)
		r := req{method: "GET", path: "/api/v1/admin/stats", auth: "Bearer " + token}
		expectJSON(t, r.String()+" on a new engine", do(app, r), 200, `{"bookmarks":0,"tags":{}}`)
		post(app, `{"url":"https://go.dev","tags":["go"]}`)
		post(app, `{"url":"https://gin-gonic.com","tags":["Go","web"]}`)
		expectJSON(t, r.String(), do(app, r), 200, `{"bookmarks":2,"tags":{"go":2,"web":1}}`)
	})

	t.Run("DELETE /api/v1/admin/bookmarks/:id answers 204, then 404; a bad id is 400", func(t *testing.T) {
		app := newApp(t, fixed)
		post(app, `{"url":"https://go.dev"}`)
		del := req{method: "DELETE", path: "/api/v1/admin/bookmarks/1", auth: "Bearer " + token}
		if res := do(app, del); res.status != 204 {
			t.Fatalf("%s: status %d, want 204 (body %q)", del, res.status, res.body)
		}
		expectJSON(t, "GET /api/v1/bookmarks/1 after the DELETE", do(app, req{method: "GET", path: "/api/v1/bookmarks/1"}), 404, `{"error":"not_found"}`)
		expectJSON(t, del.String()+" again", do(app, del), 404, `{"error":"not_found"}`)
		bad := req{method: "DELETE", path: "/api/v1/admin/bookmarks/01", auth: "Bearer " + token}
		expectJSON(t, bad.String(), do(app, bad), 400, `{"error":"invalid_id"}`)
	})
}

// TestConcurrentRequests sends many POSTs at once: gin serves each on its own goroutine.
// Now() holds every request until all of them are inside their handlers (or, if the code
// calls Now under its own lock, until a generous deadline passes once).
func TestConcurrentRequests(t *testing.T) {
	t.Run("parallel POSTs get distinct ids 1..n and all are stored", func(t *testing.T) {
		const n = 32
		var (
			mu      sync.Mutex
			arrived int
			open    = make(chan struct{})
			once    sync.Once
		)
		release := func() { once.Do(func() { close(open) }) }
		now := func() time.Time {
			mu.Lock()
			arrived++
			if arrived == n {
				release()
			}
			mu.Unlock()
			select {
			case <-open:
			case <-time.After(5 * time.Second):
				release()
			}
			return fixedTime
		}
		app := newApp(t, now)
		got := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				res := post(app, fmt.Sprintf(`{"url":"https://example.com/%d"}`, i))
				var b struct{ ID int }
				_ = json.Unmarshal([]byte(res.body), &b)
				got[i] = b.ID
			})
		}
		wg.Wait()
		slices.Sort(got)
		want := make([]int, n)
		for i := range want {
			want[i] = i + 1
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d parallel POST /api/v1/bookmarks: ids %v, want each of 1..%d once (guard the store with a sync.Mutex)", n, got, n)
		}
		list := ids(t, "GET /api/v1/bookmarks after them", do(app, req{method: "GET", path: "/api/v1/bookmarks"}))
		slices.Sort(list)
		if !slices.Equal(list, want) {
			t.Errorf("GET /api/v1/bookmarks after %d parallel POSTs: ids %v, want 1..%d", n, list, n)
		}
	})
}

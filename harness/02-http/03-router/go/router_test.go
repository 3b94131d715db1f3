package router

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

// testRoute is a handler that answers which route ran and the path values it read.
func testRoute(label string, names ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		params := map[string]string{}
		for _, n := range names {
			params[n] = r.PathValue(n)
		}
		w.Header().Set("X-Route", label)
		json.NewEncoder(w).Encode(params)
	}
}

type testResult struct {
	status int
	route  string
	params map[string]string
	allow  string
	body   string
}

func (r testResult) String() string {
	if r.route != "" {
		return fmt.Sprintf("%s with %v", r.route, r.params)
	}
	return fmt.Sprintf("%d %s", r.status, strings.TrimSpace(r.body))
}

func testServe(t *testing.T, h http.Handler, method, target string) testResult {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := testResult{status: rec.Code, route: rec.Header().Get("X-Route"), allow: rec.Header().Get("Allow"), body: rec.Body.String()}
	if res.route != "" {
		json.Unmarshal(rec.Body.Bytes(), &res.params)
	}
	return res
}

// expectRoute checks that method target ran the route label with params.
func expectRoute(t *testing.T, h http.Handler, method, target, label string, params map[string]string) {
	t.Helper()
	got := testServe(t, h, method, target)
	want := testResult{route: label, params: params}
	if got.route != label || !reflect.DeepEqual(got.params, params) {
		t.Errorf("%s %s: ran %s, want %s", method, target, got, want)
	}
}

func expectError(t *testing.T, h http.Handler, method, target string, status int, code string) testResult {
	t.Helper()
	got := testServe(t, h, method, target)
	var body map[string]any
	json.Unmarshal([]byte(got.body), &body)
	if got.route != "" || got.status != status || !reflect.DeepEqual(body, map[string]any{"error": code}) {
		t.Errorf("%s %s: got %s, want %d {\"error\":%q}", method, target, got, status, code)
	}
	return got
}

func TestMatching(t *testing.T) {
	t.Run("static segments and parameters", func(t *testing.T) {
		rt := NewRouter()
		rt.HandleFunc("GET", "/users", testRoute("GET /users"))
		rt.HandleFunc("GET", "/users/:id", testRoute("GET /users/:id", "id"))
		rt.HandleFunc("GET", "/users/:id/posts/:post", testRoute("GET /users/:id/posts/:post", "id", "post"))
		rt.HandleFunc("GET", "/", testRoute("GET /"))
		expectRoute(t, rt, "GET", "/users", "GET /users", map[string]string{})
		expectRoute(t, rt, "GET", "/users/42", "GET /users/:id", map[string]string{"id": "42"})
		expectRoute(t, rt, "GET", "/users/ada/posts/7", "GET /users/:id/posts/:post", map[string]string{"id": "ada", "post": "7"})
		expectRoute(t, rt, "GET", "/", "GET /", map[string]string{})
	})

	t.Run("the whole path must match: no extra, missing or empty segments", func(t *testing.T) {
		rt := NewRouter()
		rt.HandleFunc("GET", "/users/:id", testRoute("GET /users/:id", "id"))
		rt.HandleFunc("GET", "/users/:id/posts", testRoute("GET /users/:id/posts", "id"))
		for _, target := range []string{"/users/42/extra", "/users/", "/users//posts", "/users", "/orders/42", "/users/42/posts/"} {
			expectError(t, rt, "GET", target, 404, "not_found")
		}
	})

	t.Run("the query string plays no part in matching", func(t *testing.T) {
		rt := NewRouter()
		rt.HandleFunc("GET", "/users/:id", testRoute("GET /users/:id", "id"))
		expectRoute(t, rt, "GET", "/users/42?tab=posts&id=7", "GET /users/:id", map[string]string{"id": "42"})
	})

	t.Run("a rest segment takes one or more remaining segments", func(t *testing.T) {
		rt := NewRouter()
		rt.HandleFunc("GET", "/static/*file", testRoute("GET /static/*file", "file"))
		expectRoute(t, rt, "GET", "/static/app.js", "GET /static/*file", map[string]string{"file": "app.js"})
		expectRoute(t, rt, "GET", "/static/css/site/main.css", "GET /static/*file", map[string]string{"file": "css/site/main.css"})
		expectError(t, rt, "GET", "/static/", 404, "not_found")
		expectError(t, rt, "GET", "/static", 404, "not_found")
	})

	t.Run("segments are decoded after the path is split", func(t *testing.T) {
		rt := NewRouter()
		rt.HandleFunc("GET", "/users/:id", testRoute("GET /users/:id", "id"))
		rt.HandleFunc("GET", "/tags/:tag", testRoute("GET /tags/:tag", "tag"))
		rt.HandleFunc("GET", "/files/*path", testRoute("GET /files/*path", "path"))
		expectRoute(t, rt, "GET", "/users/J%C3%BCrgen", "GET /users/:id", map[string]string{"id": "Jürgen"})
		expectRoute(t, rt, "GET", "/users/a%2Fb", "GET /users/:id", map[string]string{"id": "a/b"})
		expectRoute(t, rt, "GET", "/users/Ada%20Lovelace", "GET /users/:id", map[string]string{"id": "Ada Lovelace"})
		expectRoute(t, rt, "GET", "/tags/c++", "GET /tags/:tag", map[string]string{"tag": "c++"})
		expectRoute(t, rt, "GET", "/files/a%20b/c.txt", "GET /files/*path", map[string]string{"path": "a b/c.txt"})
	})
}

func TestSpecificity(t *testing.T) {
	register := func(rt *Router, order []int, routes [][3]string) {
		for _, i := range order {
			r := routes[i]
			var names []string
			for _, s := range strings.Split(r[1], "/") {
				if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
					names = append(names, s[1:])
				}
			}
			rt.HandleFunc(r[0], r[1], testRoute(r[2], names...))
		}
	}
	for _, order := range [][]int{{0, 1, 2, 3, 4, 5}, {5, 4, 3, 2, 1, 0}} {
		t.Run(fmt.Sprintf("the most specific pattern wins whatever the order of registration (order %v)", order), func(t *testing.T) {
			rt := NewRouter()
			register(rt, order, [][3]string{
				{"GET", "/users/:id", "/users/:id"},
				{"GET", "/users/me", "/users/me"},
				{"GET", "/static/*file", "/static/*file"},
				{"GET", "/static/:name/info", "/static/:name/info"},
				{"GET", "/a/:x/c/d", "/a/:x/c/d"},
				{"GET", "/a/b/:y/:z", "/a/b/:y/:z"},
			})
			expectRoute(t, rt, "GET", "/users/me", "/users/me", map[string]string{})
			expectRoute(t, rt, "GET", "/users/42", "/users/:id", map[string]string{"id": "42"})
			expectRoute(t, rt, "GET", "/static/logo/info", "/static/:name/info", map[string]string{"name": "logo"})
			expectRoute(t, rt, "GET", "/static/logo/big", "/static/*file", map[string]string{"file": "logo/big"})
			// Left to right: at the second segment the static b beats the parameter :x,
			// although /a/:x/c/d has more static segments.
			expectRoute(t, rt, "GET", "/a/b/c/d", "/a/b/:y/:z", map[string]string{"y": "c", "z": "d"})
			expectRoute(t, rt, "GET", "/a/q/c/d", "/a/:x/c/d", map[string]string{"x": "q"})
		})
	}

	t.Run("the method is part of the match: a less specific pattern with the right method runs", func(t *testing.T) {
		rt := NewRouter()
		rt.HandleFunc("GET", "/users/me", testRoute("GET /users/me"))
		rt.HandleFunc("DELETE", "/users/:id", testRoute("DELETE /users/:id", "id"))
		expectRoute(t, rt, "DELETE", "/users/me", "DELETE /users/:id", map[string]string{"id": "me"})
		expectRoute(t, rt, "GET", "/users/me", "GET /users/me", map[string]string{})
	})
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	rt := NewRouter()
	rt.HandleFunc("GET", "/users/:id", testRoute("GET /users/:id", "id"))
	rt.HandleFunc("DELETE", "/users/:id", testRoute("DELETE /users/:id", "id"))
	rt.HandleFunc("GET", "/users/me", testRoute("GET /users/me"))
	rt.HandleFunc("PATCH", "/users/me", testRoute("PATCH /users/me"))
	rt.HandleFunc("POST", "/users", testRoute("POST /users"))

	t.Run("404 not_found when no pattern matches the path", func(t *testing.T) {
		res := expectError(t, rt, "GET", "/orders", 404, "not_found")
		if res.allow != "" {
			t.Errorf("GET /orders (404): Allow %q, want none", res.allow)
		}
	})

	for _, tc := range []struct {
		method, target string
		allow          []string
	}{
		{"PUT", "/users/42", []string{"DELETE", "GET"}},
		{"PUT", "/users/me", []string{"DELETE", "GET", "PATCH"}},
		{"GET", "/users", []string{"POST"}},
	} {
		t.Run(fmt.Sprintf("405 for %s %s, Allow lists each method of every matching pattern once", tc.method, tc.target), func(t *testing.T) {
			res := expectError(t, rt, tc.method, tc.target, 405, "method_not_allowed")
			var got []string
			for _, m := range strings.Split(res.allow, ",") {
				if m = strings.TrimSpace(m); m != "" {
					got = append(got, m)
				}
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, tc.allow) {
				t.Errorf("%s %s: Allow %q, want %s (each once)", tc.method, tc.target, res.allow, strings.Join(tc.allow, ", "))
			}
		})
	}
}

func TestRouters(t *testing.T) {
	t.Run("every router has its own routes", func(t *testing.T) {
		a, b := NewRouter(), NewRouter()
		a.HandleFunc("GET", "/ping", testRoute("router a"))
		b.HandleFunc("GET", "/ping", testRoute("router b"))
		b.HandleFunc("GET", "/only-b", testRoute("router b only"))
		expectRoute(t, a, "GET", "/ping", "router a", map[string]string{})
		expectRoute(t, b, "GET", "/ping", "router b", map[string]string{})
		expectError(t, a, "GET", "/only-b", 404, "not_found")
	})

	t.Run("serves parallel requests, each with its own path values", func(t *testing.T) {
		rt := NewRouter()
		rt.HandleFunc("GET", "/users/:id", testRoute("GET /users/:id", "id"))
		var wg sync.WaitGroup
		errs := make(chan string, 40)
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec := httptest.NewRecorder()
				rt.ServeHTTP(rec, httptest.NewRequest("GET", fmt.Sprintf("/users/u%d", i), nil))
				if want := fmt.Sprintf(`{"id":"u%d"}`, i); strings.TrimSpace(rec.Body.String()) != want {
					errs <- fmt.Sprintf("GET /users/u%d in parallel: got %s, want %s", i, strings.TrimSpace(rec.Body.String()), want)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	})
}

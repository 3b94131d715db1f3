package books

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
)

type testResponse struct {
	status int
	header http.Header
	body   string
}

// call sends one request to h in process and returns what came back.
func testCall(h http.Handler, method, path, body string) testResponse {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return testResponse{rec.Code, rec.Header(), rec.Body.String()}
}

func (r testResponse) String() string {
	return fmt.Sprintf("%d %s", r.status, strings.TrimSpace(r.body))
}

// json decodes the body as any JSON value (objects become map[string]any, numbers float64).
func (r testResponse) json(t *testing.T, what string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("%s: the body %q is not JSON: %v", what, r.body, err)
	}
	return v
}

// parse turns a JSON literal of the test into the same shape as a decoded body.
func testParse(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	return v
}

func expectStatus(t *testing.T, what string, r testResponse, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: got %s, want status %d", what, r, want)
	}
}

func expectJSON(t *testing.T, what string, r testResponse, want string) {
	t.Helper()
	if got := r.json(t, what); !reflect.DeepEqual(got, testParse(want)) {
		t.Fatalf("%s: body %s, want %s", what, strings.TrimSpace(r.body), want)
	}
}

func expectContentType(t *testing.T, what string, r testResponse) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
}

// create POSTs body and returns the new book's id.
func testCreate(t *testing.T, h http.Handler, body string) string {
	t.Helper()
	r := testCall(h, "POST", "/books", body)
	expectStatus(t, "POST /books "+body, r, http.StatusCreated)
	m, _ := r.json(t, "POST /books "+body).(map[string]any)
	id, ok := m["id"].(string)
	if !ok || id == "" {
		t.Fatalf("POST /books %s: body %s, want the created book with a string \"id\"", body, r.body)
	}
	return id
}

const (
	testDune     = `{"title":"Dune","author":"Frank Herbert","year":1965}`
	testSolaris  = `{"title":"Solaris","author":"Stanisław Lem","year":1961}`
	testHyperion = `{"title":"Hyperion","author":"Dan Simmons","year":1989}`
)

// withID is the JSON object book with "id" added.
func testWithID(id, book string) string {
	return fmt.Sprintf(`{"id":%q,%s`, id, book[1:])
}

func TestPost(t *testing.T) {
	t.Run("creates a book: 201, the book with a server-chosen id, Location", func(t *testing.T) {
		h := NewApp()
		r := testCall(h, "POST", "/books", testDune)
		expectStatus(t, "POST /books "+testDune, r, http.StatusCreated)
		expectContentType(t, "POST /books", r)
		m, _ := r.json(t, "POST /books").(map[string]any)
		id, _ := m["id"].(string)
		expectJSON(t, "POST /books "+testDune, r, testWithID(id, testDune))
		if id == "" {
			t.Fatalf("POST /books: body %s, want a non-empty string id", r.body)
		}
		if loc := r.header.Get("Location"); loc != "/books/"+id {
			t.Fatalf("POST /books: Location %q, want %q", loc, "/books/"+id)
		}
		got := testCall(h, "GET", "/books/"+id, "")
		expectStatus(t, "GET the Location of the POST", got, http.StatusOK)
		expectJSON(t, "GET /books/"+id, got, testWithID(id, testDune))
	})

	t.Run("is not idempotent: the same POST twice creates two books", func(t *testing.T) {
		h := NewApp()
		a, b := testCreate(t, h, testDune), testCreate(t, h, testDune)
		if a == b {
			t.Fatalf("two identical POST /books both got id %q, want two different ids", a)
		}
		expectJSON(t, "GET /books after two identical POSTs", testCall(h, "GET", "/books", ""), "["+testWithID(a, testDune)+","+testWithID(b, testDune)+"]")
	})

	t.Run("the server picks the id: an id in the body is not used", func(t *testing.T) {
		h := NewApp()
		body := `{"id":"my-own-id","title":"Dune","author":"Frank Herbert"}`
		id := testCreate(t, h, body)
		if id == "my-own-id" {
			t.Fatalf("POST /books %s: the new book's id is \"my-own-id\", want an id the server picks (the client chooses the URI only with PUT)", body)
		}
		if r := testCall(h, "GET", "/books/my-own-id", ""); r.status != http.StatusNotFound {
			t.Fatalf("GET /books/my-own-id after POST %s: got %s, want 404", body, r)
		}
	})

	t.Run("a book without year has no year key", func(t *testing.T) {
		h := NewApp()
		body := `{"title":"Roadside Picnic","author":"Strugatsky"}`
		id := testCreate(t, h, body)
		expectJSON(t, "GET /books/"+id, testCall(h, "GET", "/books/"+id, ""), testWithID(id, body))
	})

	for _, tc := range []struct{ name, body string }{
		{"a missing author", `{"title":"Dune"}`},
		{"an empty title", `{"title":"  ","author":"Frank Herbert"}`},
		{"a string year", `{"title":"Dune","author":"Frank Herbert","year":"1965"}`},
		{"a fractional year", `{"title":"Dune","author":"Frank Herbert","year":1965.5}`},
		{"a JSON array", "[" + testDune + "]"},
		{"malformed JSON", `{"title": "Dune",`},
	} {
		t.Run("rejects "+tc.name+" with 400 invalid_body and creates nothing", func(t *testing.T) {
			h := NewApp()
			r := testCall(h, "POST", "/books", tc.body)
			expectStatus(t, "POST /books "+tc.body, r, http.StatusBadRequest)
			expectJSON(t, "POST /books "+tc.body, r, `{"error":"invalid_body"}`)
			expectJSON(t, "GET /books after the rejected POST", testCall(h, "GET", "/books", ""), `[]`)
		})
	}
}

func TestGet(t *testing.T) {
	t.Run("lists an empty collection as []", func(t *testing.T) {
		r := testCall(NewApp(), "GET", "/books", "")
		expectStatus(t, "GET /books on a new app", r, http.StatusOK)
		expectContentType(t, "GET /books", r)
		expectJSON(t, "GET /books on a new app (an empty list, not null)", r, `[]`)
	})

	t.Run("lists the books in creation order", func(t *testing.T) {
		h := NewApp()
		a, b, c := testCreate(t, h, testSolaris), testCreate(t, h, testDune), testCreate(t, h, testHyperion)
		expectJSON(t, "GET /books after creating Solaris, Dune, Hyperion (in this order)", testCall(h, "GET", "/books", ""),
			"["+testWithID(a, testSolaris)+","+testWithID(b, testDune)+","+testWithID(c, testHyperion)+"]")
	})

	t.Run("answers 404 not_found for an unknown id", func(t *testing.T) {
		h := NewApp()
		testCreate(t, h, testDune)
		r := testCall(h, "GET", "/books/no-such-id", "")
		expectStatus(t, "GET /books/no-such-id", r, http.StatusNotFound)
		expectJSON(t, "GET /books/no-such-id", r, `{"error":"not_found"}`)
	})

	t.Run("every NewApp has its own collection", func(t *testing.T) {
		testCreate(t, NewApp(), testDune)
		expectJSON(t, "GET /books on a second NewApp() after a POST to the first", testCall(NewApp(), "GET", "/books", ""), `[]`)
	})
}

func TestPut(t *testing.T) {
	t.Run("replaces every field: a field left out of the body is gone", func(t *testing.T) {
		h := NewApp()
		id := testCreate(t, h, testDune)
		body := `{"title":"Dune Messiah","author":"Frank Herbert"}`
		r := testCall(h, "PUT", "/books/"+id, body)
		expectStatus(t, "PUT /books/"+id+" "+body+" on an existing book", r, http.StatusOK)
		expectJSON(t, "PUT "+body+" over a book with year 1965: PUT replaces the whole book, so year is gone", r, testWithID(id, body))
		expectJSON(t, "GET /books/"+id+" after the PUT", testCall(h, "GET", "/books/"+id, ""), testWithID(id, body))
	})

	t.Run("creates the book at the client's URI: 201 and Location", func(t *testing.T) {
		h := NewApp()
		r := testCall(h, "PUT", "/books/dune-1965", testDune)
		expectStatus(t, "PUT /books/dune-1965 when it does not exist", r, http.StatusCreated)
		if loc := r.header.Get("Location"); loc != "/books/dune-1965" {
			t.Errorf("PUT /books/dune-1965 that created the book: Location %q, want \"/books/dune-1965\"", loc)
		}
		expectJSON(t, "PUT /books/dune-1965", r, testWithID("dune-1965", testDune))
		expectStatus(t, "GET /books/dune-1965 after the PUT", testCall(h, "GET", "/books/dune-1965", ""), http.StatusOK)
	})

	t.Run("is idempotent: the same PUT twice leaves the same state, 200 the second time", func(t *testing.T) {
		h := NewApp()
		testCall(h, "PUT", "/books/solaris", testSolaris)
		r := testCall(h, "PUT", "/books/solaris", testSolaris)
		expectStatus(t, "the second identical PUT /books/solaris", r, http.StatusOK)
		expectJSON(t, "GET /books after two identical PUTs", testCall(h, "GET", "/books", ""), "["+testWithID("solaris", testSolaris)+"]")
	})

	t.Run("takes the id from the URL, not from the body", func(t *testing.T) {
		h := NewApp()
		body := testWithID("something-else", testSolaris)
		r := testCall(h, "PUT", "/books/solaris", body)
		expectJSON(t, "PUT /books/solaris "+body, r, testWithID("solaris", testSolaris))
		expectStatus(t, "GET /books/something-else", testCall(h, "GET", "/books/something-else", ""), http.StatusNotFound)
	})

	t.Run("rejects an incomplete book with 400 and changes nothing", func(t *testing.T) {
		h := NewApp()
		id := testCreate(t, h, testDune)
		body := `{"title":"Only a title"}`
		r := testCall(h, "PUT", "/books/"+id, body)
		expectStatus(t, "PUT /books/"+id+" "+body, r, http.StatusBadRequest)
		expectJSON(t, "PUT /books/"+id+" "+body, r, `{"error":"invalid_body"}`)
		expectJSON(t, "GET /books/"+id+" after the rejected PUT", testCall(h, "GET", "/books/"+id, ""), testWithID(id, testDune))
	})
}

func TestPatch(t *testing.T) {
	t.Run("changes only the keys it mentions", func(t *testing.T) {
		h := NewApp()
		id := testCreate(t, h, testDune)
		r := testCall(h, "PATCH", "/books/"+id, `{"year":1966}`)
		expectStatus(t, "PATCH /books/"+id+` {"year":1966}`, r, http.StatusOK)
		want := testWithID(id, `{"title":"Dune","author":"Frank Herbert","year":1966}`)
		expectJSON(t, `PATCH {"year":1966}: the whole book, title and author kept`, r, want)
		expectJSON(t, "GET /books/"+id+" after the PATCH", testCall(h, "GET", "/books/"+id, ""), want)
	})

	t.Run("removes a key set to null", func(t *testing.T) {
		h := NewApp()
		id := testCreate(t, h, testDune)
		r := testCall(h, "PATCH", "/books/"+id, `{"year":null,"title":"Dune!"}`)
		expectStatus(t, "PATCH /books/"+id+` {"year":null,"title":"Dune!"}`, r, http.StatusOK)
		want := testWithID(id, `{"title":"Dune!","author":"Frank Herbert"}`)
		expectJSON(t, `PATCH {"year":null,"title":"Dune!"}: null removes year (a nil *int after decoding cannot tell null from absent)`, r, want)
		expectJSON(t, "GET /books/"+id+" after the PATCH", testCall(h, "GET", "/books/"+id, ""), want)
	})

	t.Run("an empty patch changes nothing", func(t *testing.T) {
		h := NewApp()
		id := testCreate(t, h, testDune)
		r := testCall(h, "PATCH", "/books/"+id, `{}`)
		expectStatus(t, "PATCH /books/"+id+" {}", r, http.StatusOK)
		expectJSON(t, "PATCH /books/"+id+" {}", r, testWithID(id, testDune))
	})

	for _, tc := range []struct{ name, body string }{
		{"a patch that leaves the book without a title", `{"year":2000,"title":null}`},
		{"a patch with a mistyped field", `{"author":"Someone","year":"1966"}`},
		{"a JSON array", `[{"year":2000}]`},
		{"a JSON string", `"year"`},
	} {
		t.Run("rejects "+tc.name+" with 400 and changes nothing", func(t *testing.T) {
			h := NewApp()
			id := testCreate(t, h, testDune)
			r := testCall(h, "PATCH", "/books/"+id, tc.body)
			expectStatus(t, "PATCH /books/"+id+" "+tc.body, r, http.StatusBadRequest)
			expectJSON(t, "PATCH /books/"+id+" "+tc.body, r, `{"error":"invalid_body"}`)
			expectJSON(t, "GET /books/"+id+" after the rejected PATCH "+tc.body+": the stored book must be unchanged", testCall(h, "GET", "/books/"+id, ""), testWithID(id, testDune))
		})
	}

	t.Run("answers 404 for an unknown id and creates nothing", func(t *testing.T) {
		h := NewApp()
		r := testCall(h, "PATCH", "/books/nope", `{"year":2000}`)
		expectStatus(t, `PATCH /books/nope {"year":2000}`, r, http.StatusNotFound)
		expectJSON(t, "PATCH /books/nope", r, `{"error":"not_found"}`)
		expectJSON(t, "GET /books after PATCH of an unknown id", testCall(h, "GET", "/books", ""), `[]`)
	})
}

func TestDelete(t *testing.T) {
	t.Run("removes the book: 204 with no body, then 404", func(t *testing.T) {
		h := NewApp()
		keep := testCreate(t, h, testSolaris)
		id := testCreate(t, h, testDune)
		r := testCall(h, "DELETE", "/books/"+id, "")
		expectStatus(t, "DELETE /books/"+id, r, http.StatusNoContent)
		if r.body != "" {
			t.Errorf("DELETE /books/%s: body %q, want none with 204", id, r.body)
		}
		expectStatus(t, "GET /books/"+id+" after the DELETE", testCall(h, "GET", "/books/"+id, ""), http.StatusNotFound)
		again := testCall(h, "DELETE", "/books/"+id, "")
		expectStatus(t, "the second DELETE /books/"+id, again, http.StatusNotFound)
		expectJSON(t, "the second DELETE /books/"+id, again, `{"error":"not_found"}`)
		expectJSON(t, "GET /books after the DELETEs", testCall(h, "GET", "/books", ""), "["+testWithID(keep, testSolaris)+"]")
	})

	t.Run("a deleted id created again by PUT goes to the end of the list", func(t *testing.T) {
		h := NewApp()
		testCall(h, "PUT", "/books/a", testDune)
		testCall(h, "PUT", "/books/b", testSolaris)
		testCall(h, "DELETE", "/books/a", "")
		expectStatus(t, "PUT /books/a after it was deleted", testCall(h, "PUT", "/books/a", testDune), http.StatusCreated)
		expectJSON(t, "GET /books after PUT a, PUT b, DELETE a, PUT a", testCall(h, "GET", "/books", ""), "["+testWithID("b", testSolaris)+","+testWithID("a", testDune)+"]")
	})
}

func TestConcurrentRequests(t *testing.T) {
	t.Run("50 parallel POSTs create 50 books (the handler is safe for concurrent use)", func(t *testing.T) {
		h := NewApp()
		var wg sync.WaitGroup
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				testCall(h, "POST", "/books", testDune)
				testCall(h, "GET", "/books", "")
			}()
		}
		wg.Wait()
		var list []any
		r := testCall(h, "GET", "/books", "")
		if err := json.Unmarshal([]byte(r.body), &list); err != nil || len(list) != 50 {
			t.Fatalf("GET /books after 50 parallel POSTs: %d books (%v), want 50: net/http serves each request on its own goroutine, guard the collection with a sync.Mutex", len(list), err)
		}
	})
}

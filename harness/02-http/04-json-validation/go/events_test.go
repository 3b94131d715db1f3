package events

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

func (r testResponse) String() string {
	return fmt.Sprintf("%d %s", r.status, strings.TrimSpace(r.body))
}

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

func testParse(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(fmt.Sprintf("%v: %s", err, s))
	}
	return v
}

func testShort(s string) string {
	if len(s) > 300 {
		return fmt.Sprintf("%s… (%d bytes)", s[:120], len(s))
	}
	return s
}

// expectAnswer checks the status and the whole JSON body.
func expectAnswer(t *testing.T, what string, r testResponse, status int, want string) {
	t.Helper()
	var got any
	err := json.Unmarshal([]byte(r.body), &got)
	if r.status != status || err != nil || !reflect.DeepEqual(got, testParse(want)) {
		t.Fatalf("%s: got %s, want %d %s", what, r, status, want)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: Content-Type %q, want application/json; charset=utf-8", what, ct)
	}
}

// testEvent is a valid body with the given keys replaced (a nil value removes the key).
func testEvent(changes map[string]any) string {
	ev := map[string]any{
		"title":     "Go meetup",
		"startsAt":  "2030-05-01T10:00:00Z",
		"seats":     50,
		"tags":      []any{"go", "meetup"},
		"organizer": map[string]any{"name": "Ada", "email": "ada@example.com"},
	}
	for k, v := range changes {
		if v == nil {
			delete(ev, k)
		} else {
			ev[k] = v
		}
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

func expectCreated(t *testing.T, h http.Handler, body string, want string) {
	t.Helper()
	what := "POST /events " + testShort(body)
	r := testCall(h, "POST", "/events", body)
	var got map[string]any
	if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &got) != nil {
		t.Fatalf("%s: got %s, want 201 with the normalized event", what, r)
	}
	id, _ := got["id"].(string)
	if id == "" {
		t.Fatalf("%s: body %s, want a string id", what, r.body)
	}
	exp := testParse(want).(map[string]any)
	exp["id"] = id
	if !reflect.DeepEqual(any(got), any(exp)) {
		e, _ := json.Marshal(exp)
		t.Fatalf("%s: body %s, want %s", what, strings.TrimSpace(r.body), e)
	}
	if loc := r.header.Get("Location"); loc != "/events/"+id {
		t.Fatalf("%s: Location %q, want %q", what, loc, "/events/"+id)
	}
	g := testCall(h, "GET", "/events/"+id, "")
	if g.status != 200 || !reflect.DeepEqual(testParse(g.body), any(exp)) {
		t.Fatalf("GET /events/%s after %s: got %s, want 200 with the same event", id, what, g)
	}
}

func TestCreate(t *testing.T) {
	t.Run("201: stores and returns the normalized event", func(t *testing.T) {
		body := `{"title":"  Встреча гоферов 🚀  ","startsAt":"2030-05-01T10:00:00+03:00","seats":120,` +
			`"tags":[" go ","встреча"],"organizer":{"name":" Ада ","email":"  Ada@Example.COM "}}`
		expectCreated(t, NewApp(), body, `{"title":"Встреча гоферов 🚀","startsAt":"2030-05-01T07:00:00Z","seats":120,`+
			`"tags":["go","встреча"],"organizer":{"name":"Ада","email":"ada@example.com"}}`)
	})

	t.Run("tags absent or null are an empty list, not null", func(t *testing.T) {
		h := NewApp()
		want := `{"title":"Go meetup","startsAt":"2030-05-01T10:00:00Z","seats":50,"tags":[],"organizer":{"name":"Ada","email":"ada@example.com"}}`
		expectCreated(t, h, testEvent(map[string]any{"tags": nil}), want)
		expectCreated(t, h, strings.Replace(testEvent(nil), `"tags":["go","meetup"]`, `"tags":null`, 1), want)
	})

	t.Run("accepts every bound exactly", func(t *testing.T) {
		tags := []any{}
		for i := 0; i < 5; i++ {
			tags = append(tags, strings.Repeat("т", 20))
		}
		body := testEvent(map[string]any{
			"title":     " " + strings.Repeat("я", 100) + " ",
			"seats":     10000,
			"tags":      tags,
			"organizer": map[string]any{"name": strings.Repeat("n", 50), "email": "a@b.c"},
		})
		r := testCall(NewApp(), "POST", "/events", body)
		if r.status != http.StatusCreated {
			t.Fatalf("POST /events with a title of 100 Cyrillic letters (200 bytes) between spaces, seats 10000, 5 tags of 20 characters, a 50-character name: got %s, want 201 (bounds are inclusive, count characters after trimming)", r)
		}
		if r := testCall(NewApp(), "POST", "/events", testEvent(map[string]any{"seats": 1})); r.status != http.StatusCreated {
			t.Fatalf("POST /events with seats 1: got %s, want 201", r)
		}
	})

	t.Run("every app has its own events; GET of an unknown id is 404", func(t *testing.T) {
		a := NewApp()
		r := testCall(a, "POST", "/events", testEvent(nil))
		var ev struct{ ID string }
		json.Unmarshal([]byte(r.body), &ev)
		expectAnswer(t, "GET /events/"+ev.ID+" on another NewApp()", testCall(NewApp(), "GET", "/events/"+ev.ID, ""), 404, `{"error":"not_found"}`)
		expectAnswer(t, "GET /events/nope", testCall(a, "GET", "/events/nope", ""), 404, `{"error":"not_found"}`)
	})
}

func TestValidation(t *testing.T) {
	t.Run("reports every problem at once", func(t *testing.T) {
		body := `{"title":"","startsAt":"2030-02-30T10:00:00Z","seats":-1,"tags":["ok","  "],"organizer":{"email":"x"}}`
		expectAnswer(t, "POST /events "+body, testCall(NewApp(), "POST", "/events", body), 400,
			`{"error":"validation","fields":{"title":"length","startsAt":"format","seats":"range","tags[1]":"length","organizer.name":"required","organizer.email":"format"}}`)
	})

	for _, tc := range []struct {
		name   string
		change map[string]any
		fields string
	}{
		{"missing title", map[string]any{"title": nil}, `{"title":"required"}`},
		{"a title of spaces", map[string]any{"title": "   "}, `{"title":"length"}`},
		{"a title of 101 characters", map[string]any{"title": strings.Repeat("t", 101)}, `{"title":"length"}`},
		{"a missing startsAt", map[string]any{"startsAt": nil}, `{"startsAt":"required"}`},
		{"February 30", map[string]any{"startsAt": "2030-02-30T10:00:00Z"}, `{"startsAt":"format"}`},
		{"February 29 of a common year", map[string]any{"startsAt": "2029-02-29T10:00:00Z"}, `{"startsAt":"format"}`},
		{"hour 24", map[string]any{"startsAt": "2030-05-01T24:00:00Z"}, `{"startsAt":"format"}`},
		{"a time without a zone", map[string]any{"startsAt": "2030-05-01T10:00:00"}, `{"startsAt":"format"}`},
		{"a space instead of T", map[string]any{"startsAt": "2030-05-01 10:00:00Z"}, `{"startsAt":"format"}`},
		{"missing seats", map[string]any{"seats": nil}, `{"seats":"required"}`},
		{"zero seats", map[string]any{"seats": 0}, `{"seats":"range"}`},
		{"10001 seats", map[string]any{"seats": 10001}, `{"seats":"range"}`},
		{"6 tags", map[string]any{"tags": []any{"a", "b", "c", "d", "e", "f"}}, `{"tags":"length"}`},
		{"a tag of 21 characters", map[string]any{"tags": []any{"go", strings.Repeat("x", 21)}}, `{"tags[1]":"length"}`},
		{"a missing organizer", map[string]any{"organizer": nil}, `{"organizer":"required"}`},
		{"a name of 51 characters", map[string]any{"organizer": map[string]any{"name": strings.Repeat("n", 51), "email": "a@b.c"}}, `{"organizer.name":"length"}`},
		{"a missing email", map[string]any{"organizer": map[string]any{"name": "Ada"}}, `{"organizer.email":"required"}`},
		{"an email without a dot in the domain", map[string]any{"organizer": map[string]any{"name": "Ada", "email": "ada@example"}}, `{"organizer.email":"format"}`},
	} {
		t.Run("400 for "+tc.name, func(t *testing.T) {
			h := NewApp()
			body := testEvent(tc.change)
			expectAnswer(t, "POST /events "+testShort(body), testCall(h, "POST", "/events", body), 400, `{"error":"validation","fields":`+tc.fields+`}`)
		})
	}

	t.Run("a title too long only because of its spaces is fine", func(t *testing.T) {
		body := testEvent(map[string]any{"title": "   " + strings.Repeat("t", 100) + "   "})
		if r := testCall(NewApp(), "POST", "/events", body); r.status != http.StatusCreated {
			t.Fatalf("POST /events with a title of 100 characters between 3 spaces each side: got %s, want 201 (trim first, then count)", r)
		}
	})
}

func TestDecoding(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"a fractional seats is a type error", strings.Replace(testEvent(nil), `"seats":50`, `"seats":50.5`, 1), `{"error":"validation","fields":{"seats":"type"}}`},
		{"a string seats is a type error", strings.Replace(testEvent(nil), `"seats":50`, `"seats":"50"`, 1), `{"error":"validation","fields":{"seats":"type"}}`},
		{"a number for organizer.name is a type error at its path", testEvent(map[string]any{"organizer": map[string]any{"name": 5, "email": "a@b.c"}}), `{"error":"validation","fields":{"organizer.name":"type"}}`},
		{"an array organizer is a type error", testEvent(map[string]any{"organizer": []any{"Ada"}}), `{"error":"validation","fields":{"organizer":"type"}}`},
		{"a body that is an array is a type error of $", `[` + testEvent(nil) + `]`, `{"error":"validation","fields":{"$":"type"}}`},
		{"a body that is a string is a type error of $", `"event"`, `{"error":"validation","fields":{"$":"type"}}`},
		{"an unknown top-level field", testEvent(map[string]any{"extra": true}), `{"error":"unknown_field"}`},
		{"an unknown field inside organizer", testEvent(map[string]any{"organizer": map[string]any{"name": "Ada", "email": "a@b.c", "phone": "1"}}), `{"error":"unknown_field"}`},
		{"malformed JSON", `{"title":"Go meetup",`, `{"error":"invalid_json"}`},
		{"an empty body", ``, `{"error":"invalid_json"}`},
		{"a second JSON value after the event", testEvent(nil) + ` {"title":"again"}`, `{"error":"invalid_json"}`},
	} {
		t.Run("400: "+tc.name, func(t *testing.T) {
			h := NewApp()
			r := testCall(h, "POST", "/events", tc.body)
			if tc.body == "" {
				r = testCall(h, "POST", "/events", "")
			}
			expectAnswer(t, "POST /events "+testShort(tc.body), r, 400, tc.want)
		})
	}

	t.Run("413 payload_too_large for a body over 64 KiB", func(t *testing.T) {
		body := testEvent(map[string]any{"title": strings.Repeat("t", 70<<10)})
		expectAnswer(t, fmt.Sprintf("POST /events with a %d-byte body", len(body)), testCall(NewApp(), "POST", "/events", body), 413, `{"error":"payload_too_large"}`)
	})
}

func TestConcurrency(t *testing.T) {
	t.Run("parallel POSTs and GETs (the handler is safe for concurrent use)", func(t *testing.T) {
		h := NewApp()
		var wg sync.WaitGroup
		ids := make(chan string, 30)
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := testCall(h, "POST", "/events", testEvent(map[string]any{"title": fmt.Sprintf("event %d", i)}))
				var ev struct{ ID string }
				json.Unmarshal([]byte(r.body), &ev)
				testCall(h, "GET", "/events/"+ev.ID, "")
				ids <- ev.ID
			}()
		}
		wg.Wait()
		close(ids)
		for id := range ids {
			if r := testCall(h, "GET", "/events/"+id, ""); r.status != 200 {
				t.Fatalf("GET /events/%s after 30 parallel POSTs: got %s, want 200", id, r)
			}
		}
	})
}

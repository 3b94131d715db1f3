package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// patience bounds a wait that a correct solution ends at once.
const patience = 10 * time.Second

// provider is a fake payment provider: it counts charges and can hold them or fail them.
type provider struct {
	mu      sync.Mutex
	calls   []ChargeRequest
	fails   int           // how many of the next calls fail
	hold    bool          // calls wait on release
	entered chan struct{} // one value per call, when hold
	release chan struct{}
}

func newProvider() *provider {
	return &provider{entered: make(chan struct{}, 100), release: make(chan struct{})}
}

func (p *provider) charge(ctx context.Context, req ChargeRequest) (string, error) {
	p.mu.Lock()
	p.calls = append(p.calls, req)
	n, hold := len(p.calls), p.hold
	failing := p.fails > 0
	if failing {
		p.fails--
	}
	p.mu.Unlock()
	if hold {
		p.entered <- struct{}{}
		<-p.release
	}
	if failing {
		return "", errors.New("card declined by the network")
	}
	return fmt.Sprintf("ch_%d", n), nil
}

func (p *provider) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type reply struct {
	status int
	header http.Header
	body   string
	err    error
}

func (r reply) String() string {
	if r.err != nil {
		return "error " + r.err.Error()
	}
	return fmt.Sprintf("%d %s", r.status, strings.TrimSpace(r.body))
}

func start(t *testing.T, o Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(NewApp(o))
	t.Cleanup(srv.Close)
	return srv
}

func send(srv *httptest.Server, method, path, key, body string) reply {
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		return reply{err: err}
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	req.Header.Set("Content-Type", "application/json")
	client := *srv.Client()
	client.Timeout = patience // a request stuck behind a held lock fails instead of hanging the suite
	res, err := client.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, header: res.Header, body: string(b), err: err}
}

func post(srv *httptest.Server, key, body string) reply {
	return send(srv, "POST", "/payments", key, body)
}

// sameJSON says whether body is the JSON value want.
func sameJSON(body, want string) bool {
	var a, b any
	return json.Unmarshal([]byte(body), &a) == nil && json.Unmarshal([]byte(want), &b) == nil && reflect.DeepEqual(a, b)
}

func expectError(t *testing.T, what string, got reply, status int, code string) {
	t.Helper()
	if got.status != status || !sameJSON(got.body, fmt.Sprintf(`{"error":%q}`, code)) {
		t.Errorf("%s answered %v, want %d {\"error\":%q}", what, got, status, code)
	}
}

const ada = `{"amount":4200,"currency":"EUR","customer":"cus_ada"}`
const adaPayment = `{"id":"ch_1","amount":4200,"currency":"EUR","customer":"cus_ada","status":"succeeded"}`

func TestNewKey(t *testing.T) {
	t.Run("charges once and answers 201 with the payment and its Location", func(t *testing.T) {
		p := newProvider()
		srv := start(t, Options{Charge: p.charge})
		got := post(srv, "key-1", ada)
		if got.status != 201 || !sameJSON(got.body, adaPayment) || got.header.Get("Location") != "/payments/ch_1" {
			t.Fatalf("POST /payments (Idempotency-Key: key-1) %s answered %v, Location %q; want 201 %s, Location /payments/ch_1", ada, got, got.header.Get("Location"), adaPayment)
		}
		if got.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("the first answer to key-1 carries Idempotent-Replayed: %q; only replays do", got.header.Get("Idempotent-Replayed"))
		}
		p.mu.Lock()
		calls := p.calls
		p.mu.Unlock()
		if want := []ChargeRequest{{4200, "EUR", "cus_ada"}}; !reflect.DeepEqual(calls, want) {
			t.Errorf("charge calls: %+v, want %+v", calls, want)
		}
		if got := send(srv, "GET", "/payments/ch_1", "", ""); got.status != 200 || !sameJSON(got.body, adaPayment) {
			t.Errorf("GET /payments/ch_1 answered %v, want 200 %s", got, adaPayment)
		}
		expectError(t, "GET /payments/ch_999", send(srv, "GET", "/payments/ch_999", "", ""), 404, "not_found")
	})

	t.Run("different keys charge separately", func(t *testing.T) {
		p := newProvider()
		srv := start(t, Options{Charge: p.charge})
		a, b := post(srv, "key-a", ada), post(srv, "key-b", ada)
		if a.status != 201 || b.status != 201 || p.count() != 2 {
			t.Errorf("the same body under key-a, then key-b: %v, %v, %d charges; want 201, 201 and 2 charges", a, b, p.count())
		}
	})
}

func TestCompletedKey(t *testing.T) {
	t.Run("a retry replays status, body and Location without charging", func(t *testing.T) {
		p := newProvider()
		srv := start(t, Options{Charge: p.charge})
		post(srv, "key-1", ada)
		got := post(srv, "key-1", ada)
		if got.status != 201 || !sameJSON(got.body, adaPayment) {
			t.Errorf("a retry of key-1 answered %v, want the stored 201 %s", got, adaPayment)
		}
		if got.header.Get("Location") != "/payments/ch_1" || got.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("a retry of key-1: Location %q, Idempotent-Replayed %q; want /payments/ch_1 and true", got.header.Get("Location"), got.header.Get("Idempotent-Replayed"))
		}
		if n := p.count(); n != 1 {
			t.Errorf("after a request and its retry with key-1, charge ran %d times, want once", n)
		}
	})

	t.Run("the same JSON with other key order and spacing is the same body", func(t *testing.T) {
		p := newProvider()
		srv := start(t, Options{Charge: p.charge})
		post(srv, "key-1", ada)
		same := "{ \"customer\": \"cus_ada\",\n  \"currency\": \"EUR\", \"amount\": 4200 }"
		if got := post(srv, "key-1", same); got.status != 201 || got.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("a retry of key-1 with %q (the same JSON value as %s) answered %v, want the replayed 201: compare the parsed JSON, not the text", same, ada, got)
		}
	})

	t.Run("a different body with the same key is 422", func(t *testing.T) {
		p := newProvider()
		srv := start(t, Options{Charge: p.charge})
		post(srv, "key-1", ada)
		other := `{"amount":9900,"currency":"EUR","customer":"cus_ada"}`
		expectError(t, "POST with key-1 again but "+other, post(srv, "key-1", other), 422, "idempotency_key_reused")
		if n := p.count(); n != 1 {
			t.Errorf("charge ran %d times, want once", n)
		}
	})

	t.Run("a completed key is forgotten after TTL, measured with Now", func(t *testing.T) {
		p := newProvider()
		c := &clock{now: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
		srv := start(t, Options{Charge: p.charge, TTL: time.Hour, Now: c.Now})
		post(srv, "key-1", ada)
		c.advance(59 * time.Minute)
		if got := post(srv, "key-1", ada); got.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("a retry of key-1 59 minutes later (TTL 1 h) answered %v, want the replay", got)
		}
		c.advance(2 * time.Minute)
		other := `{"amount":100,"currency":"USD","customer":"cus_bob"}`
		if got := post(srv, "key-1", other); got.status != 201 || got.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("key-1 used again for %s 61 minutes later (TTL 1 h, by Options.Now) answered %v, want a new 201 charge: the key has expired", other, got)
		}
	})

	t.Run("TTL 0 remembers a key for 24 hours", func(t *testing.T) {
		p := newProvider()
		c := &clock{now: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
		srv := start(t, Options{Charge: p.charge, Now: c.Now})
		post(srv, "key-1", ada)
		c.advance(23 * time.Hour)
		if got := post(srv, "key-1", ada); got.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("a retry of key-1 23 hours later (TTL 0: 24 h) answered %v, want the replay", got)
		}
		c.advance(2 * time.Hour)
		if got := post(srv, "key-1", ada); got.status != 201 || got.header.Get("Idempotent-Replayed") != "" || p.count() != 2 {
			t.Errorf("key-1 used again 25 hours later (TTL 0: 24 h) answered %v after %d charges, want a second charge", got, p.count())
		}
	})
}

func TestConcurrentDuplicates(t *testing.T) {
	t.Run("10 concurrent identical requests charge once", func(t *testing.T) {
		p := newProvider()
		p.hold = true
		srv := start(t, Options{Charge: p.charge})
		replies := make(chan reply, 10)
		for i := 0; i < 10; i++ {
			go func() { replies <- post(srv, "key-1", ada) }()
		}
		released := false
		defer func() {
			if !released {
				close(p.release)
			}
		}()
		select {
		case <-p.entered:
		case <-time.After(patience):
			t.Fatal("10 concurrent POSTs with key-1: charge was not called")
		}
		for i := 0; i < 9; i++ {
			select {
			case r := <-replies:
				if r.err != nil {
					t.Fatalf("a duplicate of key-1 sent while its first request is charging got no answer within %v (%v): answer it 409 at once; do not hold the mutex while charge runs", patience, r.err)
				}
				if r.status != 409 || !sameJSON(r.body, `{"error":"request_in_progress"}`) || r.header.Get("Retry-After") != "1" {
					t.Fatalf("a duplicate of key-1 while its first request is charging answered %v (Retry-After %q), want 409 {\"error\":\"request_in_progress\"} with Retry-After: 1", r, r.header.Get("Retry-After"))
				}
			case <-p.entered:
				t.Fatal("10 concurrent POSTs with key-1: charge ran a second time while the first was still running: mark the key in progress in the same critical section that finds it free, before charging")
			case <-time.After(patience):
				t.Fatalf("while the first POST with key-1 is charging, only %d of its 9 duplicates answered: answer them 409 at once; do not hold the mutex while charge runs", i)
			}
		}
		close(p.release)
		released = true
		select {
		case r := <-replies:
			if r.status != 201 || !sameJSON(r.body, adaPayment) {
				t.Errorf("the first POST with key-1 answered %v once charge returned, want 201 %s", r, adaPayment)
			}
		case <-time.After(patience):
			t.Fatal("the first POST with key-1 did not answer after charge returned")
		}
		if n := p.count(); n != 1 {
			t.Errorf("charge ran %d times for 10 concurrent requests with one key, want once", n)
		}
		if r := post(srv, "key-1", ada); r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("a retry of key-1 after it completed answered %v, want the replayed 201", r)
		}
	})

	t.Run("a different body while the first request runs is 422, not 409", func(t *testing.T) {
		p := newProvider()
		p.hold = true
		srv := start(t, Options{Charge: p.charge})
		first := make(chan reply, 1)
		go func() { first <- post(srv, "key-1", ada) }()
		defer close(p.release)
		select {
		case <-p.entered:
		case <-time.After(patience):
			t.Fatal("POST with key-1: charge was not called")
		}
		other := `{"amount":9900,"currency":"EUR","customer":"cus_ada"}`
		expectError(t, "POST with key-1 and "+other+" while the first request with key-1 is charging", post(srv, "key-1", other), 422, "idempotency_key_reused")
	})
}

func TestFailedCharge(t *testing.T) {
	t.Run("answers 502 and forgets the key, so a retry charges", func(t *testing.T) {
		p := newProvider()
		p.fails = 1
		srv := start(t, Options{Charge: p.charge})
		expectError(t, "POST with key-1 whose charge fails", post(srv, "key-1", ada), 502, "payment_failed")
		got := post(srv, "key-1", ada)
		if got.status != 201 || got.header.Get("Idempotent-Replayed") != "" || p.count() != 2 {
			t.Errorf("a retry of key-1 after its charge failed answered %v after %d charges, want a new 201 and 2 charges: forget a key whose charge failed", got, p.count())
		}
	})
}

func TestValidation(t *testing.T) {
	t.Run("a missing or too long key is 400", func(t *testing.T) {
		p := newProvider()
		srv := start(t, Options{Charge: p.charge})
		expectError(t, "POST without Idempotency-Key", post(srv, "", ada), 400, "idempotency_key_required")
		expectError(t, "POST without Idempotency-Key and with a broken body", post(srv, "", "{"), 400, "idempotency_key_required")
		expectError(t, "POST with a 256-character Idempotency-Key", post(srv, strings.Repeat("k", 256), ada), 400, "idempotency_key_required")
		if n := p.count(); n != 0 {
			t.Errorf("charge ran %d times for requests without a valid key, want 0", n)
		}
	})

	t.Run("a 255-character key is accepted", func(t *testing.T) {
		p := newProvider()
		srv := start(t, Options{Charge: p.charge})
		if got := post(srv, strings.Repeat("k", 255), ada); got.status != 201 {
			t.Errorf("POST with a 255-character Idempotency-Key answered %v, want 201 (keys of 1..255 characters are valid)", got)
		}
	})

	for _, tc := range []struct{ name, body string }{
		{"broken JSON", `{"amount":4200,`},
		{"a zero amount", `{"amount":0,"currency":"EUR","customer":"cus_ada"}`},
		{"a negative amount", `{"amount":-5,"currency":"EUR","customer":"cus_ada"}`},
		{"a fractional amount", `{"amount":12.5,"currency":"EUR","customer":"cus_ada"}`},
		{"an amount in a string", `{"amount":"4200","currency":"EUR","customer":"cus_ada"}`},
		{"a lower-case currency", `{"amount":4200,"currency":"eur","customer":"cus_ada"}`},
		{"a four-letter currency", `{"amount":4200,"currency":"EURO","customer":"cus_ada"}`},
		{"an empty customer", `{"amount":4200,"currency":"EUR","customer":""}`},
		{"no customer", `{"amount":4200,"currency":"EUR"}`},
		{"an array", `[4200,"EUR","cus_ada"]`},
	} {
		t.Run("a body with "+tc.name+" is 400", func(t *testing.T) {
			p := newProvider()
			srv := start(t, Options{Charge: p.charge})
			expectError(t, "POST with key-1 and "+tc.body, post(srv, "key-1", tc.body), 400, "invalid_body")
			if n := p.count(); n != 0 {
				t.Errorf("charge ran %d times for an invalid body, want 0", n)
			}
		})
	}
}

// Package payments takes payments that a retry can never charge twice.
//
// No mutex: the keys live in a sync.Map, where LoadOrStore is the atomic "check and
// mark"; each entry has a done channel that is closed once its response is stored, so
// "still running" is a non-blocking receive and the close publishes the response to the
// goroutines that replay it.
package payments

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"sync"
	"time"
)

// ChargeRequest is what the payment provider is asked to charge.
type ChargeRequest struct {
	Amount   int64 // cents, > 0
	Currency string
	Customer string
}

// Options configure the app.
type Options struct {
	// Charge is the side effect: it charges the card and returns the charge's id.
	Charge func(ctx context.Context, req ChargeRequest) (chargeID string, err error)
	TTL    time.Duration    // how long a completed key is remembered; 0 means 24 h
	Now    func() time.Time // the clock; nil means time.Now
}

// Payment is the answer to a successful charge.
type Payment struct {
	ID       string `json:"id"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Customer string `json:"customer"`
	Status   string `json:"status"`
}

// entry is one idempotency key. fingerprint never changes; the other fields are
// written once, before done is closed, and read only after it is.
type entry struct {
	fingerprint string
	done        chan struct{}
	body        []byte
	location    string
	expires     time.Time
}

func (e *entry) finished() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

type app struct {
	opts     Options
	keys     sync.Map // string → *entry
	payments sync.Map // string → Payment
}

// NewApp serves POST /payments and GET /payments/{id}.
func NewApp(opts Options) http.Handler {
	if opts.TTL == 0 {
		opts.TTL = 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &app{opts: opts}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /payments", a.create)
	mux.HandleFunc("GET /payments/{id}", a.get)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

var currency = regexp.MustCompile(`^[A-Z]{3}$`)

// parse validates the body and returns the request and its fingerprint: the body
// re-encoded, so key order and whitespace do not count.
func parse(body []byte) (ChargeRequest, string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.More() {
		return ChargeRequest{}, "", false
	}
	num, _ := m["amount"].(json.Number)
	amount, err := num.Int64()
	cur, _ := m["currency"].(string)
	cus, _ := m["customer"].(string)
	if err != nil || amount <= 0 || !currency.MatchString(cur) || cus == "" {
		return ChargeRequest{}, "", false
	}
	canonical, _ := json.Marshal(m) // map keys come out sorted
	return ChargeRequest{Amount: amount, Currency: cur, Customer: cus}, string(canonical), true
}

// claim returns the entry this request created (mine true), or the live entry another
// request created for the key. An expired entry is removed and the claim retried.
func (a *app) claim(key, fingerprint string) (e *entry, mine bool) {
	for {
		fresh := &entry{fingerprint: fingerprint, done: make(chan struct{})}
		v, loaded := a.keys.LoadOrStore(key, fresh)
		if !loaded {
			return fresh, true
		}
		e = v.(*entry)
		if e.finished() && !a.opts.Now().Before(e.expires) {
			// Only this expired entry goes: a fresh one stored meanwhile stays.
			a.keys.CompareAndDelete(key, e)
			continue
		}
		return e, false
	}
}

func (a *app) create(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) < 1 || len(key) > 255 {
		fail(w, http.StatusBadRequest, "idempotency_key_required")
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		fail(w, http.StatusBadRequest, "invalid_body")
		return
	}
	req, fingerprint, ok := parse(raw)
	if !ok {
		fail(w, http.StatusBadRequest, "invalid_body")
		return
	}

	e, mine := a.claim(key, fingerprint)
	if !mine {
		switch {
		case e.fingerprint != fingerprint:
			fail(w, http.StatusUnprocessableEntity, "idempotency_key_reused")
		case !e.finished():
			w.Header().Set("Retry-After", "1")
			fail(w, http.StatusConflict, "request_in_progress")
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Location", e.location)
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(e.body)
		}
		return
	}

	id, err := a.opts.Charge(r.Context(), req)
	if err != nil {
		// Forget the key; done stays open, so a request that still holds e sees it running.
		a.keys.CompareAndDelete(key, e)
		fail(w, http.StatusBadGateway, "payment_failed")
		return
	}
	p := Payment{ID: id, Amount: req.Amount, Currency: req.Currency, Customer: req.Customer, Status: "succeeded"}
	a.payments.Store(id, p)
	body, _ := json.Marshal(p)
	e.body = append(body, '\n')
	e.location = "/payments/" + id
	e.expires = a.opts.Now().Add(a.opts.TTL)
	close(e.done) // publishes the fields above to every goroutine that sees done closed

	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", e.location)
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(e.body)
}

func (a *app) get(w http.ResponseWriter, r *http.Request) {
	v, ok := a.payments.Load(r.PathValue("id"))
	if !ok {
		fail(w, http.StatusNotFound, "not_found")
		return
	}
	writeJSON(w, http.StatusOK, v.(Payment))
}

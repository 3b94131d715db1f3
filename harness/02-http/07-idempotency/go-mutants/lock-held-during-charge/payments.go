// Package payments takes payments that a retry can never charge twice.
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

// entry is what the app remembers about one idempotency key.
type entry struct {
	fingerprint string
	done        bool // false while the first request is still charging
	status      int
	body        []byte
	location    string
	expires     time.Time
}

type app struct {
	opts     Options
	mu       sync.Mutex
	keys     map[string]*entry
	payments map[string]Payment
}

// NewApp serves POST /payments and GET /payments/{id}.
func NewApp(opts Options) http.Handler {
	if opts.TTL == 0 {
		opts.TTL = 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &app{opts: opts, keys: map[string]*entry{}, payments: map[string]Payment{}}
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

	// Check and mark in one critical section: of concurrent duplicates, one marks the
	// key and charges, the others find it marked.
	a.mu.Lock()
	defer a.mu.Unlock()
	e := a.keys[key]
	if e != nil && e.done && !a.opts.Now().Before(e.expires) {
		delete(a.keys, key)
		e = nil
	}
	if e != nil {
		switch {
		case e.fingerprint != fingerprint:
			fail(w, http.StatusUnprocessableEntity, "idempotency_key_reused")
		case !e.done:
			w.Header().Set("Retry-After", "1")
			fail(w, http.StatusConflict, "request_in_progress")
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Location", e.location)
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(e.status)
			_, _ = w.Write(e.body)
		}
		return
	}
	e = &entry{fingerprint: fingerprint}
	a.keys[key] = e

	// The slow side effect runs outside the lock: other keys are not held up.
	id, err := a.opts.Charge(r.Context(), req)
	if err != nil {
		delete(a.keys, key)
		fail(w, http.StatusBadGateway, "payment_failed")
		return
	}
	p := Payment{ID: id, Amount: req.Amount, Currency: req.Currency, Customer: req.Customer, Status: "succeeded"}
	body, _ := json.Marshal(p)
	body = append(body, '\n')
	location := "/payments/" + id

	a.payments[id] = p
	e.status, e.body, e.location = http.StatusCreated, body, location
	e.expires = a.opts.Now().Add(a.opts.TTL)
	e.done = true

	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(body)
}

func (a *app) get(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	p, ok := a.payments[r.PathValue("id")]
	a.mu.Unlock()
	if !ok {
		fail(w, http.StatusNotFound, "not_found")
		return
	}
	writeJSON(w, http.StatusOK, p)
}

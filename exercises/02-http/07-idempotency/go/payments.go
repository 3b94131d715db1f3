// Package payments takes payments that a retry can never charge twice.
package payments

import (
	"context"
	"net/http"
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

// NewApp serves POST /payments and GET /payments/{id}: see README.md.
func NewApp(opts Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// TODO
		http.Error(w, "TODO: see README.md", http.StatusNotImplemented)
	})
}

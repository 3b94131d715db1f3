// Mutant: Poll waits for the next round with time.Sleep: a cancel during the wait is noticed only when the interval is over.
// Package report runs the queries of a report for a request that the client may
// cancel or that may run out of time.
package report

import (
	"context"
	"fmt"
	"time"
)

// Conn is an open database connection. Query gives up, with an error, when ctx
// is done.
type Conn interface {
	Query(ctx context.Context, q string) (string, error)
	Close() error
}

// Dialer opens a connection. It gives up, with an error, when ctx is done.
type Dialer func(ctx context.Context) (Conn, error)

// ErrTooSlow is the cause of a Run that went past its own timeout. It wraps
// context.DeadlineExceeded, so errors.Is(err, context.DeadlineExceeded) holds too.
var ErrTooSlow = fmt.Errorf("report: past its timeout: %w", context.DeadlineExceeded)

// Run opens a connection with dial and runs the queries in order on it, all under
// a context derived from ctx that also ends after timeout (with the cause
// ErrTooSlow). It returns the results in the order of the queries.
//
// When that context ends, Run starts nothing more and returns context.Cause of it.
// A failing dial or query ends Run with that error. Run closes the connection it
// opened exactly once, and cancels the context it derived, however it returns.
func Run(ctx context.Context, dial Dialer, queries []string, timeout time.Duration) ([]string, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, ErrTooSlow)
	// Frees the deadline's timer and unlinks the child from ctx on every way out.
	defer cancel()
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	conn, err := dial(ctx)
	if err != nil {
		return nil, failure(ctx, "dial", err)
	}
	defer conn.Close()
	results := make([]string, 0, len(queries))
	for _, q := range queries {
		// A query may ignore ctx and succeed after it ended: check before the next one.
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		r, err := conn.Query(ctx, q)
		if err != nil {
			return nil, failure(ctx, fmt.Sprintf("query %q", q), err)
		}
		results = append(results, r)
	}
	return results, nil
}

// failure is the error of a failed step: the context's cause when it ended (the
// step most likely failed because of it), else the step's own error.
func failure(ctx context.Context, step string, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return fmt.Errorf("report: %s: %w", step, err)
}

// Poll runs q on conn at once and then once every interval, from a goroutine of
// its own, and sends each result on the channel it returns. It stops as soon as
// ctx is done, even while it waits for the next tick or for a receiver, and when
// a query fails. When it stops it closes conn and then the channel, so a
// receiver's range loop ends.
func Poll(ctx context.Context, conn Conn, q string, every time.Duration) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		defer conn.Close()
		for ctx.Err() == nil {
			r, err := conn.Query(ctx, q)
			if err != nil {
				return
			}
			select {
			case out <- r:
			case <-ctx.Done():
				return
			}
			time.Sleep(every)
		}
	}()
	return out
}

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
	// TODO: derive a context with the timeout, dial, run the queries (see README.md).
	return nil, nil
}

// Poll runs q on conn at once and then once every interval, from a goroutine of
// its own, and sends each result on the channel it returns. It stops as soon as
// ctx is done, even while it waits for the next tick or for a receiver, and when
// a query fails. When it stops it closes conn and then the channel, so a
// receiver's range loop ends.
func Poll(ctx context.Context, conn Conn, q string, every time.Duration) <-chan string {
	// TODO: start the goroutine that polls and sends, and return its channel (see README.md).
	return nil
}

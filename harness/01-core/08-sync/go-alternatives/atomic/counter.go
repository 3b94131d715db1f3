// Package counter is a counter that many goroutines may use at once.
package counter

import "sync/atomic"

// Counter counts Inc calls. Its zero value is ready to use, and it is safe
// for concurrent use: Inc and Value may be called from any goroutine.
//
// No lock: the count is an atomic.Int64, whose every read and write is atomic.
type Counter struct {
	n atomic.Int64
}

// Inc adds one to the counter.
func (c *Counter) Inc() {
	c.n.Add(1)
}

// Value returns how many times Inc was called.
func (c *Counter) Value() int {
	return int(c.n.Load())
}

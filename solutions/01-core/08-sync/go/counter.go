// Package counter is a counter that many goroutines may use at once.
package counter

import "sync"

// Counter counts Inc calls. Its zero value is ready to use, and it is safe
// for concurrent use: Inc and Value may be called from any goroutine.
type Counter struct {
	mu sync.Mutex
	n  int
}

// Inc adds one to the counter.
func (c *Counter) Inc() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
}

// Value returns how many times Inc was called.
func (c *Counter) Value() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

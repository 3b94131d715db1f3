// Package counter is a counter that many goroutines may use at once.
package counter

// Counter counts Inc calls. Its zero value is ready to use, and it is safe
// for concurrent use: Inc and Value may be called from any goroutine.
type Counter struct {
	n int
}

// Inc adds one to the counter.
func (c *Counter) Inc() {
	// TODO: count the call, safely when many goroutines call Inc at once (see README.md).
}

// Value returns how many times Inc was called.
func (c *Counter) Value() int {
	// TODO
	return 0
}

// Mutant: Inc locks, but Value reads without the lock ("a read cannot hurt"): a data race with Inc.
package counter

import "sync"

type Counter struct {
	mu sync.Mutex
	n  int
}

func (c *Counter) Inc() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
}

func (c *Counter) Value() int {
	return c.n
}

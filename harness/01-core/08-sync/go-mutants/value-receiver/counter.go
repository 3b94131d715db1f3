// Mutant: value receivers: Inc locks and increments a copy of the Counter, so nothing is counted.
package counter

import "sync"

type Counter struct {
	mu sync.Mutex
	n  int
}

func (c Counter) Inc() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
}

func (c Counter) Value() int {
	return c.n
}

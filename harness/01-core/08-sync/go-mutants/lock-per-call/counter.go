// Mutant: a new mutex on every call: each caller locks its own, so none excludes another.
package counter

import "sync"

type Counter struct {
	n int
}

func (c *Counter) Inc() {
	var mu sync.Mutex
	mu.Lock()
	defer mu.Unlock()
	c.n++
}

func (c *Counter) Value() int {
	var mu sync.Mutex
	mu.Lock()
	defer mu.Unlock()
	return c.n
}

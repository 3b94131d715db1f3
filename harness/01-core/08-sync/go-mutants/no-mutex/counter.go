// Mutant: no lock at all; c.n++ is a read and a write, and goroutines interleave them.
package counter

type Counter struct {
	n int
}

func (c *Counter) Inc() { c.n++ }

func (c *Counter) Value() int { return c.n }

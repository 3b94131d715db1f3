package counter

import (
	"sync"
	"testing"
)

func TestCounter(t *testing.T) {
	// A new Counter's zero is checked here, not in a test of its own: a starter that
	// always returns 0 would pass that test without any code of the learner's.
	t.Run("counts every Inc from zero", func(t *testing.T) {
		var c Counter
		if got := c.Value(); got != 0 {
			t.Errorf("Value() of a new Counter = %d, want 0", got)
		}
		for range 3 {
			c.Inc()
		}
		if got := c.Value(); got != 3 {
			t.Errorf("after 3 Inc calls Value() = %d, want 3: does Inc change the Counter itself (a pointer receiver)?", got)
		}
	})

	t.Run("counts every Inc from 50 goroutines", func(t *testing.T) {
		var c Counter
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				for range 1000 {
					c.Inc()
				}
			})
		}
		wg.Wait()
		if got := c.Value(); got != 50*1000 {
			t.Errorf("50 goroutines called Inc 1000 times each, Value() = %d, want %d: updates were lost", got, 50*1000)
		}
	})

	t.Run("Value is read while others Inc", func(t *testing.T) {
		var c Counter
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				for range 1000 {
					c.Inc()
				}
			})
			wg.Go(func() {
				last := 0
				for range 1000 {
					v := c.Value()
					if v < last {
						t.Errorf("Value() went down from %d to %d while others called Inc", last, v)
						return
					}
					last = v
				}
			})
		}
		wg.Wait()
		if got := c.Value(); got != 10*1000 {
			t.Errorf("Value() = %d after 10×1000 Inc calls, want %d", got, 10*1000)
		}
	})
}

// Mutant: Merge ranges over a, then over b: nothing from b is taken while a is open.
// Package stream joins and groups the values that flow through channels.
package stream

import "time"

// Merge forwards every value received from a and b to the channel it returns, as each
// arrives, and closes that channel once both a and b are closed.
func Merge(a, b <-chan int) <-chan int {
	out := make(chan int)
	go func() {
		// The goroutine that sends on out is the one that closes it.
		defer close(out)
		// A nil channel is never ready in a select: a closed input set to nil drops out.
		for v := range a {
			out <- v
		}
		for v := range b {
			out <- v
		}
	}()
	return out
}

// Batch groups the values received from in into batches of up to size values (size ≥ 1)
// and sends each batch on the channel it returns. A batch goes out when it is full, or
// when maxWait has passed since its first value (the channel returned by after(maxWait),
// called when that first value arrives, fires), or when in is closed. No batch is ever
// empty. The returned channel is closed after the last batch. Production code passes
// time.After as after; tests pass a clock they control.
func Batch(in <-chan string, size int, maxWait time.Duration, after func(time.Duration) <-chan time.Time) <-chan []string {
	out := make(chan []string)
	go func() {
		defer close(out)
		var batch []string
		// nil while the batch is empty: no timer runs, and that case never fires.
		var timeout <-chan time.Time
		flush := func() {
			out <- batch
			// A new slice: the receiver owns the one just sent.
			batch = nil
			timeout = nil
		}
		for {
			select {
			case v, ok := <-in:
				if !ok {
					if len(batch) > 0 {
						flush()
					}
					return
				}
				if len(batch) == 0 {
					timeout = after(maxWait)
				}
				batch = append(batch, v)
				if len(batch) >= size {
					flush()
				}
			case <-timeout:
				flush()
			}
		}
	}()
	return out
}

// Package stream joins and groups the values that flow through channels.
package stream

import (
	"sync"
	"time"
)

// Merge forwards every value received from a and b to the channel it returns, as each
// arrives, and closes that channel once both a and b are closed.
//
// Fan-in: one forwarding goroutine per input; a WaitGroup closes out after both.
func Merge(a, b <-chan int) <-chan int {
	out := make(chan int)
	var wg sync.WaitGroup
	for _, in := range []<-chan int{a, b} {
		wg.Go(func() {
			// range stops when in is closed: no zero values from a closed channel.
			for v := range in {
				out <- v
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// Batch groups the values received from in into batches of up to size values (size ≥ 1)
// and sends each batch on the channel it returns. A batch goes out when it is full, or
// when maxWait has passed since its first value (the channel returned by after(maxWait),
// called when that first value arrives, fires), or when in is closed. No batch is ever
// empty. The returned channel is closed after the last batch.
//
// Two nested loops: the outer one waits (with no timer) for the first value of a batch,
// the inner one fills that batch until it is full, its own deadline fires or in closes.
func Batch(in <-chan string, size int, maxWait time.Duration, after func(time.Duration) <-chan time.Time) <-chan []string {
	out := make(chan []string)
	go func() {
		defer close(out)
		for {
			first, ok := <-in
			if !ok {
				return
			}
			batch := []string{first}
			deadline := after(maxWait)
			closed := false
		fill:
			for len(batch) < size {
				select {
				case v, ok := <-in:
					if !ok {
						closed = true
						break fill
					}
					batch = append(batch, v)
				case <-deadline:
					break fill
				}
			}
			// batch is a fresh slice each round: the receiver owns the one it got.
			out <- batch
			if closed {
				return
			}
		}
	}()
	return out
}

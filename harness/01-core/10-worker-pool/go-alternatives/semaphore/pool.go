// Package pool runs a function over many items from a bounded number of goroutines.
package pool

import (
	"context"
	"errors"
	"sync"
)

// ErrWorkers is the error of a Map asked for fewer than one worker.
var ErrWorkers = errors.New("pool: workers must be at least 1")

// Map calls work for every item from at most workers goroutines at once and
// returns the results in the order of items: result i belongs to items[i].
//
// A semaphore instead of long-lived workers: one goroutine per item, started only
// once it holds one of the workers slots of a buffered channel, so at most workers
// run at once and a slot that frees starts the next item at once.
func Map[T, R any](ctx context.Context, items []T, workers int, work func(ctx context.Context, item T) (R, error)) ([]R, error) {
	if workers < 1 {
		return nil, ErrWorkers
	}
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	inner, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	results := make([]R, len(items))
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, workers)
launch:
	for i := range items {
		select {
		case sem <- struct{}{}:
		case <-inner.Done():
			break launch
		}
		// Both cases may be ready at once and select picks at random: check again.
		if inner.Err() != nil {
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			r, err := work(inner, items[i])
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
					// Cancel before the slot is freed, so no item starts after the error.
					cancel(err)
				}
				mu.Unlock()
				return
			}
			results[i] = r
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	if first != nil {
		return nil, first
	}
	return results, nil
}

// Mutant: one goroutine per item: every call starts at once, workers is ignored.
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
// A worker that finishes takes the next item at once. The first error work
// returns cancels the context the other calls got (its cause is that error), no
// item starts after it, and Map returns it. When ctx ends, Map stops the same way
// and returns context.Cause(ctx). Either way Map returns only after every
// goroutine it started has returned.
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
		failOnce sync.Once
		first    error
	)
	var wg sync.WaitGroup
	for i := range items {
		wg.Go(func() {
			if inner.Err() != nil {
				return
			}
			r, err := work(inner, items[i])
			if err != nil {
				failOnce.Do(func() {
					first = err
					cancel(err)
				})
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

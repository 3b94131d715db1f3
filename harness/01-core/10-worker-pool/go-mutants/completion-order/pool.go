// Mutant: collects the results from a channel in the order the calls finish, not by index.
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

	results := make([]R, 0, len(items))
	done := make(chan R, len(items))
	var (
		failOnce sync.Once
		first    error
	)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(items)) {
		wg.Go(func() {
			for i := range jobs {
				// The feeder's select may hand out a job after the cancel: skip it.
				if inner.Err() != nil {
					continue
				}
				r, err := work(inner, items[i])
				if err != nil {
					failOnce.Do(func() {
						first = err
						cancel(err)
					})
					continue
				}
				done <- r
			}
		})
	}
feed:
	for i := range items {
		select {
		case jobs <- i:
		case <-inner.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(done)
	for r := range done {
		results = append(results, r)
	}

	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	if first != nil {
		return nil, first
	}
	return results, nil
}

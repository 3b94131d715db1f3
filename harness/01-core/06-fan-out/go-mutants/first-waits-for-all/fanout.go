// Mutant: First waits for every task with a WaitGroup before picking the first success, so it is as slow as the slowest task.
// Package fanout runs many calls at once, one goroutine each, and gathers what they return.
package fanout

import (
	"errors"
	"fmt"
	"sync"
)

// ErrNoTasks is what First returns when it is given no task.
var ErrNoTasks = errors.New("fanout: no tasks")

// FetchAll calls load for every key, each in its own goroutine, all at once, and returns
// when every call has returned. values[i] is the value for keys[i] ("" where the load
// failed). err is nil when every load succeeded, else the errors.Join of the failures in
// the order of keys, each wrapped as "<key>: <cause>".
func FetchAll(keys []string, load func(key string) (string, error)) ([]string, error) {
	values := make([]string, len(keys))
	// One slot per goroutine: each writes only its own index, so no lock is needed.
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, key := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := load(key)
			if err != nil {
				errs[i] = fmt.Errorf("%s: %w", key, err)
				return
			}
			values[i] = v
		}()
	}
	wg.Wait()
	return values, errors.Join(errs...)
}

// First calls every task at once, each in its own goroutine, and returns the first value
// that comes without an error, as soon as it comes. The other tasks keep running, and each
// goroutine must still be able to finish when its task returns. When every task fails, the
// error is the errors.Join of the failures in task order. With no tasks: ErrNoTasks.
func First(tasks ...func() (string, error)) (string, error) {
	if len(tasks) == 0 {
		return "", ErrNoTasks
	}
	type result struct {
		i     int
		value string
		err   error
	}
	// Room for every result: the goroutines that lose can still send and exit.
	results := make(chan result, len(tasks))
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := task()
			results <- result{i, v, err}
		}()
	}
	wg.Wait()
	errs := make([]error, len(tasks))
	for range tasks {
		r := <-results
		if r.err == nil {
			return r.value, nil
		}
		errs[r.i] = r.err
	}
	return "", errors.Join(errs...)
}

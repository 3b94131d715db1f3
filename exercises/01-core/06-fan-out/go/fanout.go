// Package fanout runs many calls at once, one goroutine each, and gathers what they return.
package fanout

import "errors"

// ErrNoTasks is what First returns when it is given no task.
var ErrNoTasks = errors.New("fanout: no tasks")

// FetchAll calls load for every key, each in its own goroutine, all at once, and returns
// when every call has returned. values[i] is the value for keys[i] ("" where the load
// failed). err is nil when every load succeeded, else the errors.Join of the failures in
// the order of keys, each wrapped as "<key>: <cause>".
func FetchAll(keys []string, load func(key string) (string, error)) ([]string, error) {
	// TODO: see README.md.
	return nil, nil
}

// First calls every task at once, each in its own goroutine, and returns the first value
// that comes without an error, as soon as it comes. The other tasks keep running, and each
// goroutine must still be able to finish when its task returns. When every task fails, the
// error is the errors.Join of the failures in task order. With no tasks: ErrNoTasks.
func First(tasks ...func() (string, error)) (string, error) {
	// TODO
	return "", nil
}

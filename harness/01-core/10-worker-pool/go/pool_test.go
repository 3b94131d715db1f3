// The tests run in synctest bubbles (Go 1.25, hence the go line of go.mod): a work
// call "takes" seconds of fake time, which passes only when every goroutine of the
// bubble waits. So the moment each item starts and how many run at once are exact,
// not measured on a busy machine's clock.
package pool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

var (
	errPartner  = errors.New("partner API: 503 Service Unavailable")
	errShutdown = errors.New("server is shutting down")
)

// probe is a work function that takes dur[item] seconds of fake time and counts
// the calls that run at once.
type probe struct {
	dur     []time.Duration
	running atomic.Int32
	most    atomic.Int32
	calls   atomic.Int32
	// failed is set when the failing item returns its error.
	failed atomic.Bool
	// lateStarts counts calls that began after failed was set.
	lateStarts atomic.Int32
	// failAt is the item that fails (-1: none).
	failAt int
	// causes holds what each cancelled call saw as context.Cause.
	causes chan error
}

func newProbe(dur []time.Duration, failAt int) *probe {
	return &probe{dur: dur, failAt: failAt, causes: make(chan error, len(dur))}
}

func (p *probe) work(ctx context.Context, item int) (string, error) {
	p.calls.Add(1)
	if p.failed.Load() {
		p.lateStarts.Add(1)
	}
	n := p.running.Add(1)
	defer p.running.Add(-1)
	for {
		m := p.most.Load()
		if n <= m || p.most.CompareAndSwap(m, n) {
			break
		}
	}
	select {
	case <-time.After(p.dur[item]):
	case <-ctx.Done():
		p.causes <- context.Cause(ctx)
		// A cancelled call still takes a second to clean up: Map must wait for it.
		time.Sleep(time.Second)
		return "", ctx.Err()
	}
	if item == p.failAt {
		p.failed.Store(true)
		return "", errPartner
	}
	return fmt.Sprintf("price of sku-%d", item), nil
}

func seconds(s ...int) []time.Duration {
	d := make([]time.Duration, len(s))
	for i, v := range s {
		d[i] = time.Duration(v) * time.Second
	}
	return d
}

func items(n int) []int {
	it := make([]int, n)
	for i := range it {
		it[i] = i
	}
	return it
}

func TestMap(t *testing.T) {
	cases := []struct {
		name    string
		dur     []time.Duration
		workers int
		// took is the fake time Map must take: a worker that finishes starts the next item at once.
		took time.Duration
		// most is how many calls must run at once at the busiest moment.
		most int
	}{
		{"10 items, 3 workers, the first item is the slowest", seconds(9, 1, 1, 1, 1, 1, 1, 1, 1, 1), 3, 9 * time.Second, 3},
		{"8 items, 2 workers, finishing in reverse order", seconds(8, 7, 6, 5, 4, 3, 2, 1), 2, 18 * time.Second, 2},
		{"1 worker runs the items one by one", seconds(1, 2, 3), 1, 6 * time.Second, 1},
		{"more workers than items", seconds(2, 1), 5, 2 * time.Second, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				p := newProbe(tc.dur, -1)
				in := items(len(tc.dur))
				start := time.Now()
				got, err := Map(context.Background(), in, tc.workers, p.work)
				took := time.Since(start)
				want := make([]string, len(in))
				for i := range in {
					want[i] = fmt.Sprintf("price of sku-%d", i)
				}
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("Map(%d items, %d workers) = %q, %v; want %q, nil: result i belongs to items[i], whatever order the calls finish in", len(in), tc.workers, got, err, want)
				}
				if m := int(p.most.Load()); m != tc.most {
					t.Errorf("Map(%d items, %d workers) ran %d calls at once at most, want %d: start exactly min(workers, items) goroutines and keep them all busy", len(in), tc.workers, m, tc.most)
				}
				if took != tc.took {
					t.Errorf("Map(%d items, %d workers) took %v (fake time), want %v: when a call finishes, its worker must take the next item at once, not wait for the others (no batches)", len(in), tc.workers, took, tc.took)
				}
				if c := int(p.calls.Load()); c != len(in) {
					t.Errorf("Map(%d items) called work %d times, want %d: once per item", len(in), c, len(in))
				}
			})
		})
	}

	t.Run("fewer than one worker: ErrWorkers, no call", func(t *testing.T) {
		t.Parallel()
		for _, workers := range []int{0, -1} {
			p := newProbe(seconds(1, 1), -1)
			got, err := Map(context.Background(), items(2), workers, p.work)
			if !errors.Is(err, ErrWorkers) || got != nil {
				t.Errorf("Map(2 items, %d workers) = %q, %v; want nil, ErrWorkers", workers, got, err)
			}
			if c := p.calls.Load(); c != 0 {
				t.Errorf("Map(2 items, %d workers) called work %d times, want 0: check workers before starting anything", workers, c)
			}
		}
	})

	t.Run("no items: an empty, non-nil result", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			got, err := Map(context.Background(), []int{}, 4, newProbe(nil, -1).work)
			if err != nil || got == nil || len(got) != 0 {
				t.Errorf("Map(no items, 4 workers) = %#v, %v; want []string{}, nil: an empty slice, not nil (encoding/json writes a nil slice as null, an empty one as [])", got, err)
			}
		})
	})

	t.Run("the first error cancels the running calls and Map waits for them", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			// Item 1 fails after 1s; items 0 and 2 would take an hour unless cancelled.
			p := newProbe(seconds(3600, 1, 3600, 1, 1, 1, 1, 1), 1)
			start := time.Now()
			got, err := Map(context.Background(), items(8), 3, p.work)
			took := time.Since(start)
			still := p.running.Load()
			if !errors.Is(err, errPartner) || got != nil {
				t.Errorf("Map = %q, %v; want nil and the first error, %q: return the first error, not a later one (the cancelled calls return context.Canceled)", got, err, errPartner)
			}
			if still != 0 {
				t.Errorf("Map returned while %d work calls were still running: wait for every goroutine you started before returning (sync.WaitGroup)", still)
			}
			if n := p.lateStarts.Load(); n > 0 {
				t.Errorf("%d items started after the first error: once a call failed, start no more items", n)
			}
			if want := 2 * time.Second; took != want && still == 0 {
				t.Errorf("Map took %v (fake time), want %v (the failure at 1s, then 1s for the cancelled calls to clean up): cancel the context the other calls got at the first error", took, want)
			}
			close(p.causes)
			for cause := range p.causes {
				if !errors.Is(cause, errPartner) {
					t.Errorf("a cancelled call saw context.Cause(ctx) = %v, want %q: cancel with the error as the cause (context.WithCancelCause)", cause, errPartner)
				}
			}
			// Lets the calls that Map left running end inside the bubble.
			time.Sleep(2 * time.Hour)
		})
	})

	t.Run("the caller cancels: Map stops and returns the caller's cause", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			time.AfterFunc(time.Second, func() { cancel(errShutdown) })
			p := newProbe(seconds(3600, 3600, 3600, 3600, 3600), -1)
			start := time.Now()
			got, err := Map(ctx, items(5), 2, p.work)
			took := time.Since(start)
			if still := p.running.Load(); still != 0 {
				t.Errorf("Map returned while %d work calls were still running: wait for every goroutine you started before returning", still)
			}
			if !errors.Is(err, errShutdown) || got != nil {
				t.Errorf("Map = %q, %v; want nil, %q: when ctx ends return context.Cause(ctx)", got, err, errShutdown)
			}
			if c := p.calls.Load(); c != 2 {
				t.Errorf("work was called %d times, want 2: the calls get a context derived from ctx, and no item starts once ctx is done", c)
			}
			if want := 2 * time.Second; took != want {
				t.Errorf("Map took %v (fake time), want %v: derive the calls' context from the caller's ctx, so its cancel reaches them", took, want)
			}
			time.Sleep(2 * time.Hour)
		})
	})

	t.Run("ctx already cancelled: no call, its cause", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(errShutdown)
			p := newProbe(seconds(1, 1, 1), -1)
			got, err := Map(ctx, items(3), 2, p.work)
			if !errors.Is(err, errShutdown) || got != nil {
				t.Errorf("Map with a cancelled ctx = %q, %v; want nil, %q", got, err, errShutdown)
			}
			if c := p.calls.Load(); c != 0 {
				t.Errorf("Map with a cancelled ctx called work %d times, want 0", c)
			}
		})
	})
}

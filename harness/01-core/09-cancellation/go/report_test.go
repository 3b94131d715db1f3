// The tests run in synctest bubbles (Go 1.25, hence the go line of go.mod): time
// there is fake and moves only when every goroutine of the bubble is blocked, so a
// deadline of an hour passes at once and synctest.Wait tells for sure whether a
// goroutine has stopped.
package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

var (
	errClientGone = errors.New("client went away")
	errBadSQL     = errors.New("syntax error at or near \"selec\"")
	errNoRoute    = errors.New("dial tcp: no route to host")
)

type requestIDKey struct{}

// fakeConn records what Run and Poll do with it; query decides how each call answers.
type fakeConn struct {
	query func(ctx context.Context, call int, q string) (string, error)
	calls atomic.Int32
	// closes counts Close calls.
	closes atomic.Int32
	mu     sync.Mutex
	ctxs   []context.Context
}

func (c *fakeConn) Query(ctx context.Context, q string) (string, error) {
	c.mu.Lock()
	c.ctxs = append(c.ctxs, ctx)
	c.mu.Unlock()
	return c.query(ctx, int(c.calls.Add(1)), q)
}

func (c *fakeConn) Close() error {
	c.closes.Add(1)
	return nil
}

func TestRun(t *testing.T) {
	const timeout = time.Hour
	type env struct {
		// cancelCaller cancels the caller's ctx with a cause.
		cancelCaller context.CancelCauseFunc
		// abandon is closed when the test gives up on Run: a blocked query returns then.
		abandon <-chan struct{}
	}
	// blockUntilDone is a well-behaved slow query: it returns only when its ctx ends.
	blockUntilDone := func(ctx context.Context, e env) (string, error) {
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-e.abandon:
			return "", errors.New("abandoned by the test")
		}
	}
	cases := []struct {
		name    string
		queries []string
		// callerDeadline, when set, is the deadline of the caller's ctx (from the start).
		callerDeadline time.Duration
		// cancelFirst cancels the caller's ctx with errClientGone before Run.
		cancelFirst bool
		dialErr     error
		query       func(ctx context.Context, e env, call int, q string) (string, error)
		want        []string
		wantErr     []error
		notErr      error
		wantCalls   int
		wantCloses  int
	}{
		{
			name:    "returns the results in the order of the queries",
			queries: []string{"select 1", "select 2", "select 3"},
			query: func(ctx context.Context, e env, call int, q string) (string, error) {
				return "result of " + q, nil
			},
			want:       []string{"result of select 1", "result of select 2", "result of select 3"},
			wantCalls:  3,
			wantCloses: 1,
		},
		{
			name:        "the caller's ctx is already cancelled: no dial, its cause",
			queries:     []string{"select 1"},
			cancelFirst: true,
			query: func(ctx context.Context, e env, call int, q string) (string, error) {
				return "result", nil
			},
			wantErr: []error{errClientGone},
		},
		{
			name:    "the caller cancels during a query: the cause comes back",
			queries: []string{"select 1", "select 2", "select 3"},
			query: func(ctx context.Context, e env, call int, q string) (string, error) {
				if call == 2 {
					e.cancelCaller(errClientGone)
					return blockUntilDone(ctx, e)
				}
				return "result", nil
			},
			wantErr:    []error{errClientGone},
			wantCalls:  2,
			wantCloses: 1,
		},
		{
			name:    "Run's own timeout passes during a query: ErrTooSlow",
			queries: []string{"select 1", "select pg_sleep(7200)", "select 3"},
			query: func(ctx context.Context, e env, call int, q string) (string, error) {
				if call == 2 {
					return blockUntilDone(ctx, e)
				}
				return "result", nil
			},
			wantErr:    []error{ErrTooSlow, context.DeadlineExceeded},
			wantCalls:  2,
			wantCloses: 1,
		},
		{
			name:           "the caller's earlier deadline passes first: its cause, not ErrTooSlow",
			queries:        []string{"select pg_sleep(7200)"},
			callerDeadline: time.Minute,
			query: func(ctx context.Context, e env, call int, q string) (string, error) {
				return blockUntilDone(ctx, e)
			},
			wantErr:    []error{context.DeadlineExceeded},
			notErr:     ErrTooSlow,
			wantCalls:  1,
			wantCloses: 1,
		},
		{
			name:    "a query ignores the cancel and succeeds: the next one does not start",
			queries: []string{"select 1", "select 2"},
			query: func(ctx context.Context, e env, call int, q string) (string, error) {
				e.cancelCaller(errClientGone)
				return "result", nil
			},
			wantErr:    []error{errClientGone},
			wantCalls:  1,
			wantCloses: 1,
		},
		{
			name:    "a failing query: its error, later queries do not run",
			queries: []string{"select 1", "selec 2", "select 3"},
			query: func(ctx context.Context, e env, call int, q string) (string, error) {
				if call == 2 {
					return "", errBadSQL
				}
				return "result", nil
			},
			wantErr:    []error{errBadSQL},
			wantCalls:  2,
			wantCloses: 1,
		},
		{
			name:    "a failing dial: its error, nothing to close",
			queries: []string{"select 1"},
			dialErr: errNoRoute,
			query: func(ctx context.Context, e env, call int, q string) (string, error) {
				return "result", nil
			},
			wantErr: []error{errNoRoute},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				caller, cancelCaller := context.WithCancelCause(context.WithValue(context.Background(), requestIDKey{}, "req-7"))
				defer cancelCaller(nil)
				if tc.callerDeadline > 0 {
					var cancel context.CancelFunc
					caller, cancel = context.WithTimeout(caller, tc.callerDeadline)
					defer cancel()
				}
				if tc.cancelFirst {
					cancelCaller(errClientGone)
				}
				abandon := make(chan struct{})
				e := env{cancelCaller: cancelCaller, abandon: abandon}
				conn := &fakeConn{}
				conn.query = func(ctx context.Context, call int, q string) (string, error) {
					// Said once: every query gets the same context.
					if got := ctx.Value(requestIDKey{}); got != "req-7" && call == 1 {
						t.Errorf("the ctx Query got has no value of the caller's ctx (request id %v, want req-7): derive Run's context from ctx, not from context.Background()", got)
					}
					if dl, ok := ctx.Deadline(); (!ok || dl.After(start.Add(timeout))) && call == 1 {
						t.Errorf("the ctx Query got has deadline %v (set: %v), want one at most %v after the start: give Run's context the timeout (context.WithTimeoutCause)", dl.Sub(start), ok, timeout)
					}
					return tc.query(ctx, e, call, q)
				}
				dials := 0
				dial := func(ctx context.Context) (Conn, error) {
					dials++
					if tc.dialErr != nil {
						return nil, tc.dialErr
					}
					return conn, nil
				}

				type result struct {
					got []string
					err error
				}
				done := make(chan result, 1)
				go func() {
					got, err := Run(caller, dial, tc.queries, timeout)
					done <- result{got, err}
				}()
				var r result
				select {
				case r = <-done:
				case <-time.After(3 * timeout):
					t.Errorf("Run(%q) did not return in %v (of fake time) though its context ended: stop waiting once ctx is done", tc.queries, 3*timeout)
					close(abandon)
					r = <-done
				}

				if len(tc.wantErr) == 0 {
					if r.err != nil || !slices.Equal(r.got, tc.want) {
						t.Errorf("Run(%q) = %q, %v; want %q, nil", tc.queries, r.got, r.err, tc.want)
					}
				} else {
					if r.err == nil {
						t.Errorf("Run(%q) = %q, nil; want an error: %v", tc.queries, r.got, tc.wantErr[0])
					}
					for _, want := range tc.wantErr {
						if r.err != nil && !errors.Is(r.err, want) {
							t.Errorf("Run(%q) returned the error %q, want one for which errors.Is(err, %q) holds: when the context ended return context.Cause(ctx), else the failing call's error (wrapped with %%w)", tc.queries, r.err, want)
						}
					}
					if tc.notErr != nil && errors.Is(r.err, tc.notErr) {
						t.Errorf("Run(%q) returned %q, which is %q: but it was the caller's deadline that passed first; return context.Cause(ctx), which tells which one ended it", tc.queries, r.err, tc.notErr)
					}
				}
				wantDials := 1
				if tc.cancelFirst {
					wantDials = 0
				}
				if dials != wantDials {
					why := "dial once, with the derived context"
					if tc.cancelFirst {
						why = "a Run whose ctx is already done starts nothing"
					}
					t.Errorf("Run(%q) called dial %d times, want %d: %s", tc.queries, dials, wantDials, why)
				}
				if got := int(conn.calls.Load()); got != tc.wantCalls {
					t.Errorf("Run(%q) ran %d queries, want %d: run them in order and start none after an error or once the context is done (check ctx.Err() before each)", tc.queries, got, tc.wantCalls)
				}
				if got := int(conn.closes.Load()); got != tc.wantCloses {
					t.Errorf("Run(%q) closed the connection %d times, want %d: close what dial opened exactly once, on every way out (defer conn.Close() right after a successful dial)", tc.queries, got, tc.wantCloses)
				}
				conn.mu.Lock()
				defer conn.mu.Unlock()
				for _, ctx := range conn.ctxs {
					if ctx.Err() == nil {
						t.Errorf("after Run(%q) returned, the ctx it gave Query is still live: call the cancel function of the context you derived on every way out (defer cancel())", tc.queries)
						break
					}
				}
			})
		})
	}
}

// next receives the next value of ch, or reports that none came within 10 intervals.
func next(t *testing.T, ch <-chan string, every time.Duration) (string, bool) {
	t.Helper()
	select {
	case v, ok := <-ch:
		return v, ok
	case <-time.After(10 * every):
		t.Fatalf("Poll's channel gave nothing for %v (fake time): send each result from Poll's goroutine", 10*every)
		return "", false
	}
}

// closedNow reports whether ch is closed, after every goroutine of the bubble has
// stopped or blocked; the values still sent on it are drained and counted.
func closedNow(ch <-chan string) (closed bool, drained int) {
	for {
		synctest.Wait()
		select {
		case _, ok := <-ch:
			if !ok {
				return true, drained
			}
			drained++
		default:
			return false, drained
		}
	}
}

// finish lets a Poll that is still running end before its bubble does (a bubble
// must not end with a blocked goroutine): it receives until the channel closes,
// for at most 10 intervals of fake time.
func finish(ch <-chan string, every time.Duration) {
	giveUp := time.After(10 * every)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-giveUp:
			return
		}
	}
}

func TestPoll(t *testing.T) {
	const every = time.Second
	// pollConn answers "tick N" at once and ignores ctx (a query in flight completes);
	// once stop is set it fails, so the test can end a Poll that does not stop itself.
	pollConn := func(stop *atomic.Bool, failAt int) *fakeConn {
		c := &fakeConn{}
		c.query = func(ctx context.Context, call int, q string) (string, error) {
			if stop.Load() || call == failAt {
				return "", errBadSQL
			}
			return fmt.Sprintf("tick %d", call), nil
		}
		return c
	}
	start := func(t *testing.T, ctx context.Context, conn Conn) <-chan string {
		t.Helper()
		ch := Poll(ctx, conn, "select count(*) from jobs", every)
		if ch == nil {
			t.Fatal("Poll returned a nil channel: make the channel, start the goroutine that sends on it, and return it")
		}
		return ch
	}

	t.Run("sends a result at once and then one per interval", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stop atomic.Bool
			conn := pollConn(&stop, 0)
			begin := time.Now()
			ch := start(t, ctx, conn)
			for i, want := range []string{"tick 1", "tick 2", "tick 3"} {
				got, ok := next(t, ch, every)
				at := time.Since(begin)
				if !ok || got != want {
					t.Fatalf("result %d of Poll = %q (open: %v), want %q", i+1, got, ok, want)
				}
				if wantAt := time.Duration(i) * every; at != wantAt {
					t.Errorf("result %d of Poll came at %v, want %v: query at once, then once per interval (a time.Ticker)", i+1, at, wantAt)
				}
			}
			cancel()
			stop.Store(true)
			finish(ch, every)
		})
	})

	cancelled := []struct {
		name string
		// read is how many results the receiver takes before it cancels.
		read int
		// idle is how long the receiver waits, not reading, before it cancels.
		idle time.Duration
		why  string
	}{
		{"cancel while Poll waits for the next tick: it stops at once", 2, 0, "wait for the tick and for ctx.Done() in one select, not with time.Sleep"},
		{"cancel while Poll waits for a receiver: it stops at once", 2, every + every/2, "send in a select with ctx.Done(): nobody will ever receive that value"},
	}
	for _, tc := range cancelled {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var stop atomic.Bool
				conn := pollConn(&stop, 0)
				ch := start(t, ctx, conn)
				for range tc.read {
					next(t, ch, every)
				}
				time.Sleep(tc.idle)
				cancel()
				synctest.Wait()
				stopped := conn.closes.Load() > 0
				if !stopped {
					t.Errorf("ctx was cancelled and Poll's goroutine is still running (it has not closed conn): %s", tc.why)
				}
				calls := int(conn.calls.Load())
				stop.Store(true)
				if closed, _ := closedNow(ch); stopped && !closed {
					t.Errorf("Poll stopped but did not close its channel: a receiver's `for range` waits forever (defer close(out) in the goroutine)")
				}
				if got := int(conn.closes.Load()); got != 1 {
					t.Errorf("Poll closed conn %d times, want 1: close it once when the goroutine stops", got)
				}
				if want := tc.read + 1; calls > want {
					t.Errorf("Poll ran %d queries, want at most %d: do not start a query once ctx is done", calls, want)
				}
				finish(ch, every)
			})
		})
	}

	t.Run("a failing query ends Poll: conn and channel closed", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stop atomic.Bool
			conn := pollConn(&stop, 3)
			ch := start(t, ctx, conn)
			var got []string
			for {
				v, ok := next(t, ch, every)
				if !ok {
					break
				}
				got = append(got, v)
				if len(got) > 2 {
					break
				}
			}
			if want := []string{"tick 1", "tick 2"}; !slices.Equal(got, want) {
				t.Errorf("the third query fails, Poll sent %q then closed the channel, want %q then closed: stop at the first failed query", got, want)
			}
			stop.Store(true)
			finish(ch, every)
			if got := int(conn.closes.Load()); got != 1 {
				t.Errorf("after a failed query Poll closed conn %d times, want 1", got)
			}
		})
	})

	t.Run("ctx already cancelled: no query, conn and channel closed", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var stop atomic.Bool
			conn := pollConn(&stop, 0)
			ch := start(t, ctx, conn)
			closed, drained := closedNow(ch)
			if calls := conn.calls.Load(); calls != 0 || drained != 0 {
				t.Errorf("Poll with a cancelled ctx ran %d queries and sent %d results, want none: check ctx before each query", calls, drained)
			}
			if !closed {
				t.Errorf("Poll with a cancelled ctx did not close its channel")
			}
			if got := conn.closes.Load(); got != 1 {
				t.Errorf("Poll with a cancelled ctx closed conn %d times, want 1: Poll owns conn and closes it when it stops", got)
			}
			finish(ch, every)
		})
	})
}

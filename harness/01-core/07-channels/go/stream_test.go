package stream

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// patience bounds a wait that a correct solution ends at once: past it the code under test
// is stuck (it receives from the wrong channel, or never closes one), never merely slow.
const patience = 5 * time.Second

func send[T any](t *testing.T, ch chan<- T, v T, stuck string) {
	t.Helper()
	select {
	case ch <- v:
	case <-time.After(patience):
		t.Fatal(stuck)
	}
}

func receive[T any](t *testing.T, ch <-chan T, stuck string) (T, bool) {
	t.Helper()
	select {
	case v, ok := <-ch:
		return v, ok
	case <-time.After(patience):
		t.Fatal(stuck)
		panic("unreachable")
	}
}

// collect receives from out until it is closed, or 100 values: more than any test sends.
func collect(out <-chan int) <-chan []int {
	done := make(chan []int, 1)
	go func() {
		var got []int
		for v := range out {
			if got = append(got, v); len(got) == 100 {
				break
			}
		}
		done <- got
	}()
	return done
}

func TestMerge(t *testing.T) {
	t.Run("forwards from whichever input is ready and closes after both", func(t *testing.T) {
		t.Parallel()
		a, b := make(chan int), make(chan int)
		got := collect(Merge(a, b))
		send(t, b, 1, "Merge(a, b) did not take 1 from b while a was open and silent: select on both inputs at once, not one after the other")
		send(t, a, 2, "Merge(a, b) did not take 2 from a")
		send(t, b, 3, "Merge(a, b) did not take 3 from b")
		close(a)
		// Each send gives a select that still watches the closed a a fresh chance to pick it.
		for v := 4; v <= 40; v++ {
			send(t, b, v, fmt.Sprintf("Merge(a, b) stopped taking values from b once a was closed (at %d): a closed input ends only its own case (set it to nil); keep going until both are closed", v))
		}
		close(b)
		values, _ := receive(t, got, "Merge's channel was not closed after a and b were both closed: the goroutine that sends on it must close it, once both inputs are closed")
		if slices.Contains(values, 0) {
			t.Fatalf("Merge(a, b) sent %v, but nobody sent 0: a receive from a closed channel returns the zero value at once; use v, ok := <-a and stop using a when !ok", values)
		}
		slices.Sort(values)
		for i, v := range values {
			if v != i+1 {
				t.Fatalf("Merge(a, b) sent %v, want each of 1…40 once, in any order", values)
			}
		}
		if len(values) != 40 {
			t.Errorf("Merge(a, b) sent %d values, want 40 (1…40)", len(values))
		}
	})

	t.Run("closes when both inputs are already closed", func(t *testing.T) {
		t.Parallel()
		a, b := make(chan int), make(chan int)
		close(a)
		close(b)
		out := Merge(a, b)
		if v, ok := receive(t, out, "Merge(closed, closed) never closed its channel: the sender closes it once both inputs are closed"); ok {
			t.Errorf("receive from Merge(closed, closed) = %d, true, want a closed channel", v)
		}
	})

	t.Run("many values from both", func(t *testing.T) {
		t.Parallel()
		a, b := make(chan int, 10), make(chan int)
		out := Merge(a, b)
		go func() {
			for i := 1; i <= 50; i++ {
				a <- i
			}
			close(a)
		}()
		go func() {
			for i := 51; i <= 90; i++ {
				b <- i
			}
			close(b)
		}()
		var values []int
		for {
			v, ok := receive(t, out, fmt.Sprintf("Merge had sent %d of 90 values and then neither sent another nor closed its channel", len(values)))
			if !ok {
				break
			}
			if values = append(values, v); len(values) > 90 {
				t.Fatalf("Merge sent more than the 90 values it was given (the last: %d): a closed input yields zero values forever; stop using it when !ok", v)
			}
		}
		slices.Sort(values)
		for i, v := range values {
			if v != i+1 {
				t.Fatalf("Merge sent %d values, want each of 1…90 once (the first wrong one: %d at %d)", len(values), v, i)
			}
		}
		if len(values) != 90 {
			t.Errorf("Merge sent %d values, want 90", len(values))
		}
	})
}

// clock is an after func the test controls: each call is recorded, and the timer it
// returns fires only when the test says so.
type clock struct{ timers chan *timer }

type timer struct {
	d time.Duration
	c chan time.Time
}

func newClock() *clock { return &clock{timers: make(chan *timer, 100)} }

func (c *clock) after(d time.Duration) <-chan time.Time {
	tm := &timer{d: d, c: make(chan time.Time, 1)}
	c.timers <- tm
	return tm.c
}

func (c *clock) next(t *testing.T, stuck string) *timer {
	t.Helper()
	tm, _ := receive(t, c.timers, stuck)
	return tm
}

func (tm *timer) fire() { tm.c <- time.Unix(0, 0) }

const maxWait = 50 * time.Millisecond

func TestBatch(t *testing.T) {
	t.Run("sends full batches, then the rest when in closes", func(t *testing.T) {
		t.Parallel()
		in, clk := make(chan string), newClock()
		out := Batch(in, 2, maxWait, clk.after)
		var got [][]string
		var seen []string
		for _, step := range []struct {
			send []string
			want []string
		}{{[]string{"a", "b"}, []string{"a", "b"}}, {[]string{"c", "d"}, []string{"c", "d"}}, {[]string{"e"}, []string{"e"}}} {
			for _, v := range step.send {
				send(t, in, v, fmt.Sprintf("Batch(in, size 2) did not take %q from in: is it still blocked sending the previous batch, or not reading in at all?", v))
			}
			if len(step.want) < 2 {
				close(in)
			}
			batch, ok := receive(t, out, fmt.Sprintf("Batch(in, size 2) got %v but sent no batch: a batch goes out as soon as it has size values, and the rest when in is closed", step.send))
			if !ok || !slices.Equal(batch, step.want) {
				t.Fatalf("Batch(in, size 2) after %v sent %q (ok %v), want %q", step.send, batch, ok, step.want)
			}
			got = append(got, batch)
			seen = append(seen, fmt.Sprint(batch))
		}
		if _, ok := receive(t, out, "Batch did not close its channel after in was closed and the last batch went out: the goroutine that sends on it closes it"); ok {
			t.Fatalf("Batch sent a batch after the last one, want its channel closed")
		}
		if fmt.Sprint(got) != "[[a b] [c d] [e]]" {
			t.Errorf("the batches received were %v, and now hold %v: a batch must not change after it was sent; start a new slice for the next batch (batch = nil), batch[:0] writes into the array the receiver holds", seen, got)
		}
		if n := len(clk.timers); n != 3 {
			t.Errorf("Batch called after %d times for 3 batches, want 3: start one timer when a batch gets its first value, none for each value nor while the batch is empty (keep the timer channel nil then: a nil channel never fires in a select)", n)
		}
		for range len(clk.timers) {
			if tm := <-clk.timers; tm.d != maxWait {
				t.Errorf("Batch called after(%v), want after(%v): the timer is maxWait long", tm.d, maxWait)
			}
		}
	})

	t.Run("sends a partial batch when the timer of its first value fires", func(t *testing.T) {
		t.Parallel()
		in, clk := make(chan string), newClock()
		out := Batch(in, 3, maxWait, clk.after)
		send(t, in, "a", `Batch did not take "a" from in`)
		first := clk.next(t, `Batch(in, size 3) took "a" and started no timer: call after(maxWait) when a batch gets its first value`)
		send(t, in, "b", `Batch did not take "b" from in`)
		first.fire()
		batch, _ := receive(t, out, "Batch(in, size 3) held [a b] after the timer started by its first value fired: select on that timer's channel too; the timer runs from the first value, not the last")
		if !slices.Equal(batch, []string{"a", "b"}) {
			t.Fatalf("Batch sent %q when the timer fired, want [a b]", batch)
		}
		send(t, in, "c", `Batch did not take "c" from in`)
		second := clk.next(t, `Batch started no timer for the batch that began with "c": each batch's maxWait counts from its own first value; after a batch goes out, its timer is done`)
		second.fire()
		batch, _ = receive(t, out, "Batch held [c] after the timer of that batch fired")
		if !slices.Equal(batch, []string{"c"}) {
			t.Fatalf("Batch sent %q when the second timer fired, want [c]", batch)
		}
		close(in)
		if batch, ok := receive(t, out, "Batch did not close its channel after in was closed"); ok {
			t.Errorf("Batch sent %q after in was closed with nothing pending, want its channel closed: never send an empty batch", batch)
		}
		if n := len(clk.timers); n != 0 {
			t.Errorf("Batch called after %d more times than the 2 batches needed: no timer while the batch is empty", n)
		}
	})

	t.Run("closes at once when in closes empty", func(t *testing.T) {
		t.Parallel()
		in, clk := make(chan string), newClock()
		out := Batch(in, 3, maxWait, clk.after)
		close(in)
		if batch, ok := receive(t, out, "Batch did not close its channel after in was closed: the goroutine that sends on it closes it"); ok {
			t.Errorf("Batch sent %q for an empty in, want its channel closed: never send an empty batch", batch)
		}
		if n := len(clk.timers); n != 0 {
			t.Errorf("Batch called after %d times with nothing to send, want 0: start a timer only when a batch gets its first value", n)
		}
	})
}

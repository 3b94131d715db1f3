package fanout

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// patience bounds a wait that a correct solution ends at once: past it the code under test
// is stuck (a deadlock, a missing goroutine), never merely slow.
const patience = 5 * time.Second

// gate holds every load it serves until the test opens it, and tells the test which started.
type gate struct {
	started chan string
	open    chan struct{}
	fail    map[string]error
}

func newGate(keys int, fail map[string]error) *gate {
	return &gate{started: make(chan string, keys), open: make(chan struct{}), fail: fail}
}

func (g *gate) load(key string) (string, error) {
	g.started <- key
	<-g.open
	if err := g.fail[key]; err != nil {
		return "", err
	}
	return strings.ToUpper(key), nil
}

// awaitStarts waits until n loads have started, or reports how many did.
func (g *gate) awaitStarts(t *testing.T, n int, call string) {
	t.Helper()
	deadline := time.After(patience)
	for got := 0; got < n; got++ {
		select {
		case <-g.started:
		case <-deadline:
			t.Errorf("%s: %d of %d loads had started and none may finish yet, want all %d started at once: start one goroutine per key before waiting for any", call, got, n, n)
			return
		}
	}
}

type fetched struct {
	values []string
	err    error
}

func fetchInBackground(keys []string, load func(string) (string, error)) <-chan fetched {
	done := make(chan fetched, 1)
	go func() {
		values, err := FetchAll(keys, load)
		done <- fetched{values, err}
	}()
	return done
}

func await[T any](t *testing.T, ch <-chan T, what string) (T, bool) {
	t.Helper()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(patience):
		t.Errorf("%s never returned: something waits for a goroutine that cannot finish", what)
		var zero T
		return zero, false
	}
}

func message(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestFetchAll(t *testing.T) {
	t.Run("starts every load before any finishes", func(t *testing.T) {
		t.Parallel()
		keys := []string{"a", "b", "c", "d", "e"}
		g := newGate(len(keys), nil)
		done := fetchInBackground(keys, g.load)
		g.awaitStarts(t, len(keys), "FetchAll(a…e)")
		close(g.open)
		r, ok := await(t, done, "FetchAll(a…e)")
		if !ok {
			return
		}
		if fmt.Sprint(r.values) != "[A B C D E]" || r.err != nil {
			t.Errorf("FetchAll(a…e) = %q, %v, want [A B C D E], <nil>: values[i] belongs to keys[i]", r.values, r.err)
		}
	})

	t.Run("joins every failure in the order of keys", func(t *testing.T) {
		t.Parallel()
		errB, errD, errE := errors.New("b is gone"), errors.New("d timed out"), errors.New("e refused")
		keys := []string{"a", "b", "c", "d", "e"}
		g := newGate(len(keys), map[string]error{"b": errB, "d": errD, "e": errE})
		done := fetchInBackground(keys, g.load)
		g.awaitStarts(t, len(keys), "FetchAll(a…e)")
		close(g.open)
		r, ok := await(t, done, "FetchAll(a…e)")
		if !ok {
			return
		}
		if want := "b: b is gone\nd: d timed out\ne: e refused"; message(r.err) != want {
			t.Errorf("FetchAll(a…e) with b, d and e failing: err = %q, want %q: errors.Join every failure, each as fmt.Errorf(\"%%s: %%w\", key, err), in the order of keys (not the order they happened)", message(r.err), want)
		}
		for _, cause := range []error{errB, errD, errE} {
			if !errors.Is(r.err, cause) {
				t.Errorf("errors.Is(err, %q) = false, want true: wrap each cause with %%w and keep every one", cause)
			}
		}
		if fmt.Sprint(r.values) != fmt.Sprint([]string{"A", "", "C", "", ""}) {
			t.Errorf("FetchAll(a…e) values = %q, want [\"A\" \"\" \"C\" \"\" \"\"]: the failed keys keep \"\"", r.values)
		}
	})

	t.Run("many keys at once", func(t *testing.T) {
		t.Parallel()
		keys := make([]string, 200)
		for i := range keys {
			keys[i] = fmt.Sprintf("k%d", i)
		}
		values, err := FetchAll(keys, func(key string) (string, error) {
			if strings.HasSuffix(key, "7") {
				return "", errors.New("unlucky")
			}
			return strings.ToUpper(key), nil
		})
		if len(values) != len(keys) {
			t.Fatalf("FetchAll(200 keys) returned %d values, want 200", len(values))
		}
		for i, key := range keys {
			want := strings.ToUpper(key)
			if strings.HasSuffix(key, "7") {
				want = ""
			}
			if values[i] != want {
				t.Errorf("FetchAll(200 keys) values[%d] = %q, want %q", i, values[i], want)
				break
			}
		}
		if got := strings.Count(message(err), "unlucky"); got != 20 {
			t.Errorf("FetchAll(200 keys) with 20 failing joined %d failures, want 20", got)
		}
	})

	t.Run("no keys and one key", func(t *testing.T) {
		t.Parallel()
		values, err := FetchAll(nil, func(string) (string, error) { return "", errors.New("called") })
		if len(values) != 0 || err != nil {
			t.Errorf("FetchAll(nil) = %q, %v, want [], <nil>", values, err)
		}
		values, err = FetchAll([]string{"x"}, func(key string) (string, error) { return strings.ToUpper(key), nil })
		if len(values) != 1 || values[0] != "X" || err != nil {
			t.Errorf("FetchAll([x]) = %q, %v, want [X], <nil>", values, err)
		}
	})
}

type firstResult struct {
	value string
	err   error
}

func firstInBackground(tasks ...func() (string, error)) <-chan firstResult {
	done := make(chan firstResult, 1)
	go func() {
		v, err := First(tasks...)
		done <- firstResult{v, err}
	}()
	return done
}

// leftovers lists the live goroutines that the package's own code started (the tests'
// helpers excluded), each as its header and top frame. runtime.Stack of every goroutine
// names the function that created each one.
func leftovers() []string {
	prefix := strings.TrimSuffix(runtime.FuncForPC(reflect.ValueOf(First).Pointer()).Name(), "First")
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var found []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		at := strings.Index(g, "\ncreated by "+prefix)
		if at < 0 {
			continue
		}
		if creator := strings.SplitN(g[at+1:], "\n", 3); len(creator) > 1 && strings.Contains(creator[1], "_test.go:") {
			continue
		}
		lines := strings.SplitN(g, "\n", 3)
		found = append(found, strings.Join(lines[:min(2, len(lines))], " "))
	}
	return found
}

// settled waits until every goroutine the package started has ended.
func settled() ([]string, bool) {
	deadline := time.Now().Add(patience)
	for {
		left := leftovers()
		if len(left) == 0 {
			return nil, true
		}
		if time.Now().After(deadline) {
			return left, false
		}
		time.Sleep(time.Millisecond)
	}
}

func TestFirst(t *testing.T) {
	t.Run("returns the first success without waiting for the rest", func(t *testing.T) {
		open := make(chan struct{})
		slow := func() (string, error) { <-open; return "slow", nil }
		done := firstInBackground(slow, func() (string, error) { return "fast", nil }, slow, slow)
		r, ok := await(t, done, "First(slow, fast, slow, slow) while the slow ones run")
		close(open)
		if !ok {
			return
		}
		if r.value != "fast" || r.err != nil {
			t.Errorf("First(slow, fast, slow, slow) = %q, %v, want \"fast\", <nil>", r.value, r.err)
		}
		if left, ok := settled(); !ok {
			t.Errorf("First returned and every slow task ended, yet %d goroutines it started never finish (%s): the ones that lost are stuck sending a result nobody receives; give the channel room for every result", len(left), left[0])
		}
	})

	t.Run("skips failures", func(t *testing.T) {
		failed := make(chan struct{})
		done := firstInBackground(
			func() (string, error) { defer close(failed); return "", errors.New("replica 1 down") },
			func() (string, error) { <-failed; return "from replica 2", nil },
		)
		r, ok := await(t, done, "First(failing, ok)")
		if ok && (r.value != "from replica 2" || r.err != nil) {
			t.Errorf("First(failing, ok) = %q, %v, want \"from replica 2\", <nil>: a failure is not an answer while another task may still succeed", r.value, r.err)
		}
	})

	t.Run("joins the failures in task order when all fail", func(t *testing.T) {
		second := make(chan struct{})
		done := firstInBackground(
			func() (string, error) { <-second; return "", errors.New("replica 1 down") },
			func() (string, error) { defer close(second); return "", errors.New("replica 2 down") },
		)
		r, ok := await(t, done, "First(failing, failing)")
		if !ok {
			return
		}
		if want := "replica 1 down\nreplica 2 down"; r.value != "" || message(r.err) != want {
			t.Errorf("First(failing, failing) = %q, %q, want \"\", %q: when every task fails, errors.Join all the failures in task order", r.value, message(r.err), want)
		}
	})

	t.Run("no tasks", func(t *testing.T) {
		r, ok := await(t, firstInBackground(), "First()")
		if ok && !errors.Is(r.err, ErrNoTasks) {
			t.Errorf("First() = %q, %v, want ErrNoTasks: with nothing to wait for there is no first value", r.value, r.err)
		}
	})
}

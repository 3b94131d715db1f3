package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// patience bounds a wait that a correct solution ends at once (or at a deadline far
// shorter than this); past it the code under test is stuck, never merely slow.
const patience = 10 * time.Second

// gate serves /slow by waiting until the test releases it or the request's context ends,
// and anything else at once.
type gate struct {
	entered  chan struct{}
	release  chan struct{}
	canceled chan struct{}
	finished atomic.Int32
	once     sync.Once
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/slow" {
		_, _ = io.WriteString(w, "fast")
		return
	}
	g.entered <- struct{}{}
	select {
	case <-g.release:
	case <-r.Context().Done():
		g.canceled <- struct{}{}
		return
	}
	_, _ = io.WriteString(w, "done")
	g.finished.Add(1)
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

func start(t *testing.T) (*Server, *gate) {
	t.Helper()
	g := &gate{entered: make(chan struct{}, 10), release: make(chan struct{}), canceled: make(chan struct{}, 10)}
	s, err := Start("127.0.0.1:0", g)
	if err != nil {
		t.Fatalf("Start(\"127.0.0.1:0\", h) failed: %v", err)
	}
	t.Cleanup(g.open) // a stuck Shutdown gets its requests back
	return s, g
}

type reply struct {
	status int
	close  bool
	body   string
	err    error
}

// get sends one request on a connection of its own.
func get(addr, path string) reply {
	client := &http.Client{Transport: &http.Transport{}, Timeout: 2 * patience}
	defer client.CloseIdleConnections()
	res, err := client.Get("http://" + addr + path)
	if err != nil {
		return reply{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, close: res.Close, body: string(b), err: err}
}

// inFlight starts GET /slow and waits until its handler is running.
func inFlight(t *testing.T, s *Server, g *gate) <-chan reply {
	t.Helper()
	out := make(chan reply, 1)
	go func() { out <- get(s.Addr(), "/slow") }()
	select {
	case <-g.entered:
	case <-time.After(patience):
		t.Fatal("GET /slow never reached the handler")
	}
	return out
}

// waitRefused waits until the server refuses new connections: Shutdown has begun.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	until := time.Now().Add(patience)
	for time.Now().Before(until) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("Shutdown was called %v ago and %s still accepts new connections: stop listening first", patience, addr)
}

type result struct {
	forced   bool
	finished int32 // /slow requests finished when Shutdown returned
}

func shutdown(s *Server, g *gate, deadline time.Duration) <-chan result {
	out := make(chan result, 1)
	go func() {
		forced := s.Shutdown(deadline)
		out <- result{forced, g.finished.Load()}
	}()
	return out
}

func TestStart(t *testing.T) {
	t.Run("binds before returning, serves, and an idle server shuts down unforced", func(t *testing.T) {
		s, g := start(t)
		host, port, err := net.SplitHostPort(s.Addr())
		if err != nil || host != "127.0.0.1" || port == "0" {
			t.Fatalf("Addr() after Start(\"127.0.0.1:0\") = %q, want 127.0.0.1 and the port actually bound", s.Addr())
		}
		if r := get(s.Addr(), "/fast"); r.err != nil || r.status != 200 || r.body != "fast" {
			t.Fatalf("GET /fast right after Start answered %d %q (%v), want 200 \"fast\"", r.status, r.body, r.err)
		}
		select {
		case res := <-shutdown(s, g, 5*time.Second):
			if res.forced {
				t.Errorf("Shutdown(5s) of a server with nothing in flight returned forced = true, want false")
			}
		case <-time.After(patience):
			t.Fatalf("Shutdown(5s) of a server with nothing in flight did not return within %v", patience)
		}
		if c, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
			c.Close()
			t.Errorf("after Shutdown returned, %s still accepts connections", s.Addr())
		}
	})
}

func TestShutdown(t *testing.T) {
	t.Run("lets the request in flight finish with Connection: close and waits for it", func(t *testing.T) {
		s, g := start(t)
		slow := inFlight(t, s, g)
		done := shutdown(s, g, 30*time.Second)
		waitRefused(t, s.Addr())
		select {
		case res := <-done:
			t.Fatalf("Shutdown(30s) returned (forced = %v) while GET /slow was still in flight: it must wait for the requests in flight", res.forced)
		default:
		}
		g.open()
		var r reply
		select {
		case r = <-slow:
		case <-time.After(2 * patience):
			t.Fatal("GET /slow got no answer after its handler was released")
		}
		if r.err != nil || r.status != 200 || r.body != "done" {
			t.Fatalf("GET /slow, in flight when Shutdown began, got %d %q (%v), want its 200 \"done\": let requests in flight finish (http.Server.Shutdown, not Close)", r.status, r.body, r.err)
		}
		if !r.close {
			t.Errorf("GET /slow, answered during Shutdown, came without Connection: close, so the client would reuse a connection that is going away")
		}
		select {
		case res := <-done:
			if res.forced || res.finished != 1 {
				t.Errorf("Shutdown(30s) returned forced = %v with %d of 1 requests in flight finished, want false once the request in flight has finished", res.forced, res.finished)
			}
		case <-time.After(patience):
			t.Fatal("Shutdown(30s) did not return after the last request in flight finished")
		}
	})

	t.Run("closes an idle keep-alive connection at once", func(t *testing.T) {
		s, g := start(t)
		idle, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer idle.Close()
		if _, err := io.WriteString(idle, "GET /fast HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(idle)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("GET /fast on a keep-alive connection: %v", err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()

		inFlight(t, s, g) // keeps Shutdown waiting
		done := shutdown(s, g, 30*time.Second)
		waitRefused(t, s.Addr())
		_ = idle.SetReadDeadline(time.Now().Add(patience))
		_, err = br.ReadByte()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("a keep-alive connection idle since its last answer was still open %v after Shutdown began (a request in flight kept Shutdown waiting): close idle connections at once, as http.Server.Shutdown does", patience)
		}
		g.open()
		select {
		case <-done:
		case <-time.After(patience):
			t.Fatal("Shutdown(30s) did not return after the last request in flight finished")
		}
	})

	t.Run("at the deadline cuts the requests still in flight and returns true", func(t *testing.T) {
		s, g := start(t)
		slow := inFlight(t, s, g)
		var res result
		select {
		case res = <-shutdown(s, g, 200*time.Millisecond):
		case <-time.After(patience):
			t.Fatalf("Shutdown(200ms) with a request that never ends did not return within %v: give it a context.WithTimeout", patience)
		}
		if !res.forced {
			t.Errorf("Shutdown(200ms) with a request that never ends returned forced = false, want true")
		}
		select {
		case <-g.canceled:
		case <-time.After(patience):
			t.Fatalf("%v after Shutdown(200ms) returned, the request still in flight was neither cut nor its context canceled: close the remaining connections (http.Server.Close)", patience)
		}
		if r := <-slow; r.err == nil {
			t.Errorf("GET /slow cut at the deadline got a complete %d %q, want a broken connection", r.status, r.body)
		}
		if c, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
			c.Close()
			t.Errorf("after a forced Shutdown, %s still accepts connections", s.Addr())
		}
	})

	t.Run("a second call returns the first call's result", func(t *testing.T) {
		s, g := start(t)
		inFlight(t, s, g)
		var first result
		select {
		case first = <-shutdown(s, g, 200*time.Millisecond):
		case <-time.After(patience):
			t.Fatalf("Shutdown(200ms) with a request that never ends did not return within %v", patience)
		}
		select {
		case again := <-shutdown(s, g, time.Second):
			if again.forced != first.forced || !again.forced {
				t.Errorf("Shutdown returned forced = %v, then a second call returned %v; want true both times (remember the first result: sync.Once)", first.forced, again.forced)
			}
		case <-time.After(patience):
			t.Fatalf("a second Shutdown did not return within %v", patience)
		}
	})
}

// Package server runs an HTTP server that can stop without cutting requests in half.
package server

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is a running HTTP server.
type Server struct {
	srv      *http.Server
	ln       net.Listener
	inFlight sync.WaitGroup
	once     sync.Once
	forced   bool
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves h in the background.
// It returns once the listener is bound.
func Start(addr string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln}
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inFlight.Add(1)
		defer s.inFlight.Done()
		h.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the address actually bound, such as "127.0.0.1:41234".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops accepting, waits for the handlers still running, and cuts them at the
// deadline.
func (s *Server) Shutdown(deadline time.Duration) (forced bool) {
	s.once.Do(func() {
		_ = s.ln.Close() // no new connections
		drained := make(chan struct{})
		go func() { s.inFlight.Wait(); close(drained) }()
		select {
		case <-drained:
		case <-time.After(deadline):
			_ = s.srv.Close()
			s.forced = true
		}
	})
	return s.forced
}

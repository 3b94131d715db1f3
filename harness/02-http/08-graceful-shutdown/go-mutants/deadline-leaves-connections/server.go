// Package server runs an HTTP server that can stop without cutting requests in half.
package server

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is a running HTTP server.
type Server struct {
	srv    *http.Server
	ln     net.Listener
	once   sync.Once
	forced bool
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves h in the background.
// It returns once the listener is bound.
func Start(addr string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, ln: ln}
	go func() { _ = s.srv.Serve(ln) }() // returns http.ErrServerClosed after Shutdown
	return s, nil
}

// Addr is the address actually bound, such as "127.0.0.1:41234".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops the server gracefully, waiting at most deadline for the requests in
// flight, and says whether it had to cut connections. Every call returns the first
// call's result.
func (s *Server) Shutdown(deadline time.Duration) (forced bool) {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.forced = true
		}
	})
	return s.forced
}

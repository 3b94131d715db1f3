// Package server runs an HTTP server that can stop without cutting requests in half.
package server

import (
	"errors"
	"net/http"
	"time"
)

// Server is a running HTTP server.
type Server struct {
	// TODO: what Shutdown needs.
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves h in the background.
// It returns once the listener is bound.
func Start(addr string, h http.Handler) (*Server, error) {
	// TODO
	return nil, errors.New("TODO: see README.md")
}

// Addr is the address actually bound, such as "127.0.0.1:41234".
func (s *Server) Addr() string {
	// TODO
	return ""
}

// Shutdown stops the server gracefully, waiting at most deadline for the requests in
// flight, and says whether it had to cut connections. Every call returns the first
// call's result.
func (s *Server) Shutdown(deadline time.Duration) (forced bool) {
	// TODO
	return false
}

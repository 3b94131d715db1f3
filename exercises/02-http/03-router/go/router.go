// Package router maps a method and a path pattern to a handler, with path parameters,
// the most specific pattern first, and 404 told apart from 405.
package router

import "net/http"

// Router is an http.Handler. Register routes with HandleFunc, then serve.
type Router struct {
	// TODO: the routes of this router.
}

// NewRouter returns a router with no routes.
func NewRouter() *Router {
	return &Router{}
}

// HandleFunc registers h for method and pattern. A pattern is split on "/": a static
// segment matches itself, ":name" one non-empty segment, "*name" (last only) one or more
// remaining segments.
func (rt *Router) HandleFunc(method, pattern string, h http.HandlerFunc) {
	// TODO: see README.md.
}

// ServeHTTP runs the handler of the most specific route that matches the request, with
// the path parameters set by r.SetPathValue; else 405 (with Allow) or 404.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// TODO: see README.md.
	http.Error(w, "TODO: Router.ServeHTTP (see README.md)", http.StatusNotImplemented)
}

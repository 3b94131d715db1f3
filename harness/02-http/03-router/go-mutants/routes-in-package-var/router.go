// Package router maps a method and a path pattern to a handler, with path parameters,
// the most specific pattern first, and 404 told apart from 405.
package router

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

type kind int

// The order of the kinds is their specificity: a static segment beats a parameter,
// which beats a rest segment.
const (
	static kind = iota
	param
	rest
)

type segment struct {
	kind kind
	text string // the literal of a static segment, the name of a parameter or rest
}

type route struct {
	method  string
	pattern []segment
	handler http.HandlerFunc
}

// Router is an http.Handler. Register routes with HandleFunc, then serve.
type Router struct{}

// routes holds every registered route.
var routes []route

// NewRouter returns a router with no routes.
func NewRouter() *Router {
	return &Router{}
}

// HandleFunc registers h for method and pattern. A pattern is split on "/": a static
// segment matches itself, ":name" one non-empty segment, "*name" (last only) one or more
// remaining segments.
func (rt *Router) HandleFunc(method, pattern string, h http.HandlerFunc) {
	var segs []segment
	for _, s := range strings.Split(strings.TrimPrefix(pattern, "/"), "/") {
		switch {
		case strings.HasPrefix(s, ":"):
			segs = append(segs, segment{param, s[1:]})
		case strings.HasPrefix(s, "*"):
			segs = append(segs, segment{rest, s[1:]})
		default:
			segs = append(segs, segment{static, s})
		}
	}
	routes = append(routes, route{method, segs, h})
}

// match reports whether the decoded path segments match pattern, and its parameters.
func match(pattern []segment, path []string) (map[string]string, bool) {
	params := map[string]string{}
	for i, seg := range pattern {
		if seg.kind == rest {
			tail := path[min(i, len(path)):]
			if len(tail) == 0 {
				return nil, false
			}
			for _, s := range tail {
				if s == "" {
					return nil, false
				}
			}
			params[seg.text] = strings.Join(tail, "/")
			return params, true
		}
		if i >= len(path) {
			return nil, false
		}
		switch {
		case seg.kind == static && path[i] != seg.text:
			return nil, false
		case seg.kind == param && path[i] == "":
			return nil, false
		case seg.kind == param:
			params[seg.text] = path[i]
		}
	}
	return params, len(pattern) == len(path)
}

// moreSpecific compares two patterns that match the same path segment by segment.
func moreSpecific(a, b []segment) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i].kind != b[i].kind {
			return a[i].kind < b[i].kind
		}
	}
	return false
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Split the path as sent, then decode each segment: %2F stays inside its segment.
	raw := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	path := make([]string, len(raw))
	for i, s := range raw {
		d, err := url.PathUnescape(s)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_request")
			return
		}
		path[i] = d
	}

	var best *route
	var bestParams map[string]string
	allowed := map[string]bool{}
	for i := range routes {
		rte := &routes[i]
		params, ok := match(rte.pattern, path)
		if !ok {
			continue
		}
		allowed[rte.method] = true
		if rte.method == r.Method && (best == nil || moreSpecific(rte.pattern, best.pattern)) {
			best, bestParams = rte, params
		}
	}
	switch {
	case best != nil:
		for name, value := range bestParams {
			r.SetPathValue(name, value)
		}
		best.handler(w, r)
	case len(allowed) > 0:
		methods := make([]string, 0, len(allowed))
		for m := range allowed {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		w.Header().Set("Allow", strings.Join(methods, ", "))
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed")
	default:
		writeError(w, http.StatusNotFound, "not_found")
	}
}

func writeError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write([]byte(`{"error":"` + code + `"}` + "\n"))
}

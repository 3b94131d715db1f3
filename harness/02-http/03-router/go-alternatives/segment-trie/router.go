// Package router maps a method and a path pattern to a handler, with path parameters,
// the most specific pattern first, and 404 told apart from 405.
//
// The routes live in a trie of segments. A lookup walks it depth first, trying the
// static child, then the parameter child, then the rest child: that order is the
// specificity order, so the first match met for the method is the most specific one.
package router

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// endpoint is one registered route at the end of its trie path.
type endpoint struct {
	handler http.HandlerFunc
	names   []string // the names of the pattern's parameters and rest, left to right
}

type node struct {
	static map[string]*node
	param  *node // ":name": one non-empty segment
	rest   *node // "*name": one or more remaining segments
	ends   map[string]*endpoint
}

// Router is an http.Handler. Register routes with HandleFunc, then serve.
type Router struct {
	root node
}

// NewRouter returns a router with no routes.
func NewRouter() *Router {
	return &Router{}
}

// HandleFunc registers h for method and pattern. A pattern is split on "/": a static
// segment matches itself, ":name" one non-empty segment, "*name" (last only) one or more
// remaining segments.
func (rt *Router) HandleFunc(method, pattern string, h http.HandlerFunc) {
	n := &rt.root
	var names []string
	for _, s := range strings.Split(strings.TrimPrefix(pattern, "/"), "/") {
		switch {
		case strings.HasPrefix(s, ":"):
			names = append(names, s[1:])
			if n.param == nil {
				n.param = &node{}
			}
			n = n.param
		case strings.HasPrefix(s, "*"):
			names = append(names, s[1:])
			if n.rest == nil {
				n.rest = &node{}
			}
			n = n.rest
		default:
			if n.static == nil {
				n.static = map[string]*node{}
			}
			if n.static[s] == nil {
				n.static[s] = &node{}
			}
			n = n.static[s]
		}
	}
	if n.ends == nil {
		n.ends = map[string]*endpoint{}
	}
	if _, taken := n.ends[method]; !taken {
		n.ends[method] = &endpoint{handler: h, names: names}
	}
}

// walk calls visit for every route that matches the rest of the path, most specific
// first, with the values of its parameters so far.
func (n *node) walk(path, values []string, visit func(ends map[string]*endpoint, values []string)) {
	if len(path) == 0 {
		if n.ends != nil {
			visit(n.ends, values)
		}
		return
	}
	seg := path[0]
	if child := n.static[seg]; child != nil {
		child.walk(path[1:], values, visit)
	}
	if n.param != nil && seg != "" {
		n.param.walk(path[1:], append(slices.Clip(values), seg), visit)
	}
	if n.rest != nil && n.rest.ends != nil && !slices.Contains(path, "") {
		visit(n.rest.ends, append(slices.Clip(values), strings.Join(path, "/")))
	}
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

	var (
		found   *endpoint
		params  []string
		allowed []string
	)
	rt.root.walk(path, nil, func(ends map[string]*endpoint, values []string) {
		for m, e := range ends {
			if !slices.Contains(allowed, m) {
				allowed = append(allowed, m)
			}
			if m == r.Method && found == nil {
				found, params = e, values
			}
		}
	})
	switch {
	case found != nil:
		for i, name := range found.names {
			r.SetPathValue(name, params[i])
		}
		found.handler(w, r)
	case len(allowed) > 0:
		slices.Sort(allowed)
		w.Header().Set("Allow", strings.Join(allowed, ", "))
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

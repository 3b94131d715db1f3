// Package cors answers the browser's cross-origin questions for an http.Handler.
package cors

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options says which cross-origin requests are allowed.
type Options struct {
	Origins       []string      // exact origins ("https://app.example.com"), or []string{"*"}
	Methods       []string      // methods a preflight may ask for; default GET, HEAD, POST
	AllowHeaders  []string      // request headers a preflight may ask for (case-insensitive)
	ExposeHeaders []string      // response headers the page may read
	Credentials   bool          // cookies and Authorization allowed
	MaxAge        time.Duration // how long the browser may cache a preflight; 0: not sent
}

// Handler wraps next with CORS.
func Handler(next http.Handler, o Options) http.Handler {
	methods := o.Methods
	if len(methods) == 0 {
		methods = []string{http.MethodGet, http.MethodHead, http.MethodPost}
	}
	anyOrigin := slices.Contains(o.Origins, "*")
	allowHeaders := map[string]bool{}
	for _, h := range o.AllowHeaders {
		allowHeaders[strings.ToLower(h)] = true
	}
	headersAllowed := func(requested string) bool {
		for _, h := range strings.Split(requested, ",") {
			if h = strings.TrimSpace(h); h != "" && !allowHeaders[strings.ToLower(h)] {
				return false
			}
		}
		return true
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		allowed := anyOrigin || slices.Contains(o.Origins, origin)
		if allowed {
			h.Add("Vary", "Origin")
		}
		allowOrigin := origin
		if anyOrigin && !o.Credentials {
			allowOrigin = "*"
		}

		if reqMethod := r.Header.Get("Access-Control-Request-Method"); r.Method == http.MethodOptions && reqMethod != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !allowed || !slices.Contains(methods, reqMethod) || !headersAllowed(r.Header.Get("Access-Control-Request-Headers")) {
				h.Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"error":"cors_rejected"}`))
				return
			}
			h.Set("Access-Control-Allow-Origin", allowOrigin)
			h.Set("Access-Control-Allow-Methods", strings.Join(methods, ", "))
			if len(o.AllowHeaders) > 0 {
				h.Set("Access-Control-Allow-Headers", strings.Join(o.AllowHeaders, ", "))
			}
			if o.Credentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
			if o.MaxAge > 0 {
				h.Set("Access-Control-Max-Age", strconv.Itoa(int(o.MaxAge/time.Second)))
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}

		if allowed {
			h.Set("Access-Control-Allow-Origin", allowOrigin)
			if o.Credentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
			if len(o.ExposeHeaders) > 0 {
				h.Set("Access-Control-Expose-Headers", strings.Join(o.ExposeHeaders, ", "))
			}
		}
		next.ServeHTTP(w, r)
	})
}

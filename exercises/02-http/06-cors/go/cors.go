// Package cors answers the browser's cross-origin questions for an http.Handler.
package cors

import (
	"net/http"
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

// Handler wraps next with CORS: see README.md.
func Handler(next http.Handler, o Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// TODO
		http.Error(w, "TODO: see README.md", http.StatusNotImplemented)
	})
}

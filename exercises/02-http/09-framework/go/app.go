// Package framework is the Bookmarks API on Gin, with the framework's defaults replaced.
package framework

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Options configures New.
type Options struct {
	AdminToken string           // Authorization: Bearer <AdminToken> unlocks /api/v1/admin/*
	Now        func() time.Time // the clock for CreatedAt; nil means time.Now
}

// Bookmark is what the API stores and returns.
type Bookmark struct {
	ID        int       `json:"id"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Tags      []string  `json:"tags"`
	CreatedAt time.Time `json:"createdAt"`
}

// New builds the API on a gin.Engine: see README.md. Every error is JSON {"error": "<code>"}.
func New(opts Options) *gin.Engine {
	r := gin.New()
	// TODO: the routes, the /api/v1/admin group, and the defaults to replace.
	r.NoRoute(func(c *gin.Context) {
		c.String(http.StatusNotImplemented, "TODO: see README.md")
	})
	return r
}

// Package framework is the Bookmarks API on Gin, with the framework's defaults replaced.
package framework

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// MaxBody is the largest request body accepted, in bytes (10 kB).
const MaxBody = 10 * 1024

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

type bookmarkInput struct {
	URL   string   `json:"url" binding:"required"`
	Title *string  `json:"title"`
	Tags  []string `json:"tags"`
}

type store struct {
	mu     sync.Mutex
	nextID int
	items  map[int]Bookmark
	order  []int
}

var plainID = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)

func fail(c *gin.Context, status int, code string) {
	c.AbortWithStatusJSON(status, gin.H{"error": code})
}

// New builds the API. Every error is JSON {"error": "<code>"}.
func New(opts Options) *gin.Engine {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &store{nextID: 1, items: map[int]Bookmark{}}

	r := gin.New()
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = true
	r.Use(gin.CustomRecovery(func(c *gin.Context, _ any) {
		fail(c, http.StatusInternalServerError, "internal")
	}))

	r.GET("/health", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })

	v1 := r.Group("/api/v1")
	v1.GET("/bookmarks", func(c *gin.Context) {
		tag := strings.ToLower(strings.TrimSpace(c.Query("tag")))
		s.mu.Lock()
		items := make([]Bookmark, 0, len(s.order))
		for _, id := range s.order {
			b, ok := s.items[id]
			if ok && (tag == "" || slices.Contains(b.Tags, tag)) {
				items = append(items, b)
			}
		}
		s.mu.Unlock()
		c.JSON(http.StatusOK, gin.H{"items": items})
	})
	v1.POST("/bookmarks", func(c *gin.Context) {
		if c.ContentType() != "application/json" {
			fail(c, http.StatusUnsupportedMediaType, "unsupported_media_type")
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody)
		var in bookmarkInput
		if err := c.ShouldBindJSON(&in); err != nil {
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				fail(c, http.StatusRequestEntityTooLarge, "payload_too_large")
			case isSyntaxError(err):
				fail(c, http.StatusBadRequest, "invalid_json")
			default:
				fail(c, http.StatusBadRequest, "invalid_body")
			}
			return
		}
		b, ok := validate(in)
		if !ok {
			fail(c, http.StatusBadRequest, "invalid_body")
			return
		}
		b.CreatedAt = now()
		s.mu.Lock()
		b.ID = s.nextID
		s.nextID++
		s.items[b.ID] = b
		s.order = append(s.order, b.ID)
		s.mu.Unlock()
		c.Header("Location", "/api/v1/bookmarks/"+strconv.Itoa(b.ID))
		c.JSON(http.StatusCreated, b)
	})
	v1.GET("/bookmarks/:id", func(c *gin.Context) {
		id, ok := parseID(c)
		if !ok {
			return
		}
		s.mu.Lock()
		b, found := s.items[id]
		s.mu.Unlock()
		if !found {
			fail(c, http.StatusNotFound, "not_found")
			return
		}
		c.JSON(http.StatusOK, b)
	})

	// A group's middleware runs only for the routes registered in it: requests Gin cannot
	// route (unknown path, wrong method) go to NoRoute/NoMethod, which check the token too.
	auth := requireToken(opts.AdminToken)
	admin := v1.Group("/admin", auth)
	admin.GET("/stats", func(c *gin.Context) {
		s.mu.Lock()
		tags := map[string]int{}
		for _, b := range s.items {
			for _, t := range b.Tags {
				tags[t]++
			}
		}
		n := len(s.items)
		s.mu.Unlock()
		c.JSON(http.StatusOK, gin.H{"bookmarks": n, "tags": tags})
	})
	admin.DELETE("/bookmarks/:id", func(c *gin.Context) {
		id, ok := parseID(c)
		if !ok {
			return
		}
		s.mu.Lock()
		_, found := s.items[id]
		delete(s.items, id)
		s.mu.Unlock()
		if !found {
			fail(c, http.StatusNotFound, "not_found")
			return
		}
		c.Status(http.StatusNoContent)
	})

	r.NoRoute(adminOnly(auth), func(c *gin.Context) { fail(c, http.StatusNotFound, "not_found") })
	r.NoMethod(adminOnly(auth), func(c *gin.Context) { fail(c, http.StatusMethodNotAllowed, "method_not_allowed") })
	return r
}

func requireToken(token string) gin.HandlerFunc {
	want := "Bearer " + token
	return func(c *gin.Context) {
		if token == "" || c.GetHeader("Authorization") != want {
			fail(c, http.StatusUnauthorized, "unauthorized")
			return
		}
		c.Next()
	}
}

// adminOnly runs auth for paths under /api/v1/admin and lets the others through.
func adminOnly(auth gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := c.Request.URL.Path
		if p == "/api/v1/admin" || strings.HasPrefix(p, "/api/v1/admin/") {
			auth(c)
		}
	}
}

func parseID(c *gin.Context) (int, bool) {
	raw := c.Param("id")
	if !plainID.MatchString(raw) {
		fail(c, http.StatusBadRequest, "invalid_id")
		return 0, false
	}
	id, err := strconv.Atoi(raw)
	if err != nil {
		fail(c, http.StatusBadRequest, "invalid_id")
		return 0, false
	}
	return id, true
}

func isSyntaxError(err error) bool {
	var syntax *json.SyntaxError
	return errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

func validate(in bookmarkInput) (Bookmark, bool) {
	u, err := url.Parse(in.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Bookmark{}, false
	}
	b := Bookmark{URL: in.URL, Title: u.Hostname(), Tags: []string{}}
	if in.Title != nil {
		b.Title = strings.TrimSpace(*in.Title)
		if b.Title == "" {
			return Bookmark{}, false
		}
	}
	for _, t := range in.Tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			return Bookmark{}, false
		}
		b.Tags = append(b.Tags, t)
	}
	return b, true
}

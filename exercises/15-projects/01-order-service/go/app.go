package main

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
)

// AppDeps is what main.go hands the app.
type AppDeps struct {
	DB    *pgxpool.Pool
	Redis *redis.Client
	// KeyPrefix goes in front of every Redis key the app writes.
	KeyPrefix string
	// Channel is in confirm mode: the broker acknowledges every publish.
	Channel *amqp.Channel
	// Exchange is the durable topic exchange the OrderCreated events go to.
	Exchange string
	// CacheTTL is how long a product stays in the cache.
	CacheTTL time.Duration
}

// NewApp returns the HTTP API of the service (README.md).
func NewApp(d AppDeps) http.Handler {
	mux := http.NewServeMux()
	// TODO: the routes of README.md, step by step.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotImplemented)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "not implemented"})
	})
	_ = d
	return mux
}

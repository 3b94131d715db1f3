// Given: you do not need to change this file.
//
// One program, two roles. The graders build it and start it with PORT (listen on
// 127.0.0.1:$PORT), the service URLs and ROLE in its environment, a fresh process for each
// test (two app processes are "two instances"; two consumer processes are two consumers).
//
//	ROLE=app       (default) the HTTP API of README.md: NewApp
//	ROLE=consumer  StartConsumer on QUEUE; it listens on PORT too, and POST /stop stops it
//
// Both roles run Migrate first. Run it yourself with `go run .` (port 8080, local services).
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
)

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	ctx := context.Background()
	db, err := pgxpool.New(ctx, env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
	if err != nil {
		log.Fatalf("database: %v", err)
	}
	if err := Migrate(ctx, db); err != nil {
		log.Fatalf("Migrate: %v", err)
	}
	conn, err := amqp.Dial(env("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
	if err != nil {
		log.Fatalf("rabbitmq: %v", err)
	}
	ch, err := conn.Channel()
	if err != nil {
		log.Fatalf("rabbitmq channel: %v", err)
	}
	exchange := env("EXCHANGE", "orders.events")

	var handler http.Handler
	if env("ROLE", "app") == "consumer" {
		stop, err := StartConsumer(ctx, ConsumerDeps{DB: db, Channel: ch, Exchange: exchange, Queue: env("QUEUE", "orders.stats")})
		if err != nil {
			log.Fatalf("StartConsumer: %v", err)
		}
		var once sync.Once
		mux := http.NewServeMux()
		mux.HandleFunc("POST /stop", func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() {
				stop()
				// Closing the connection hands back whatever was neither acked nor rejected.
				_ = conn.Close()
			})
			w.WriteHeader(http.StatusNoContent)
		})
		handler = mux
	} else {
		opts, err := redis.ParseURL(env("REDIS_URL", "redis://127.0.0.1:6379"))
		if err != nil {
			log.Fatalf("redis: %v", err)
		}
		ttl, err := strconv.Atoi(env("CACHE_TTL_MS", "60000"))
		if err != nil {
			log.Fatalf("CACHE_TTL_MS: %v", err)
		}
		// Publisher confirms: every Publish on this channel is acknowledged by the broker.
		if err := ch.Confirm(false); err != nil {
			log.Fatalf("rabbitmq confirm mode: %v", err)
		}
		handler = NewApp(AppDeps{
			DB:        db,
			Redis:     redis.NewClient(opts),
			KeyPrefix: os.Getenv("REDIS_KEY_PREFIX"),
			Channel:   ch,
			Exchange:  exchange,
			CacheTTL:  time.Duration(ttl) * time.Millisecond,
		})
	}
	srv := &http.Server{Addr: "127.0.0.1:" + env("PORT", "8080"), Handler: handler}
	log.Printf("order-service (%s) listening on http://%s", env("ROLE", "app"), srv.Addr)
	log.Fatal(srv.ListenAndServe())
}

package main

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	amqp "github.com/rabbitmq/amqp091-go"
)

// ConsumerDeps is what main.go hands the consumer.
type ConsumerDeps struct {
	DB      *pgxpool.Pool
	Channel *amqp.Channel
	// Exchange is the topic exchange the app publishes OrderCreated events to.
	Exchange string
	// Queue is the consumer's own durable queue, bound to order.created.
	Queue string
}

type orderCreatedEvent struct {
	EventID string `json:"eventId"`
	Type    string `json:"type"`
	Order   *struct {
		UserID     *int64 `json:"userId"`
		TotalCents *int64 `json:"totalCents"`
	} `json:"order"`
}

func parseEvent(body []byte) (orderCreatedEvent, bool) {
	var e orderCreatedEvent
	if err := json.Unmarshal(body, &e); err != nil {
		return e, false
	}
	ok := e.EventID != "" && e.Type == "OrderCreated" && e.Order != nil && e.Order.UserID != nil && e.Order.TotalCents != nil
	return e, ok
}

// apply counts an event once. The event id goes into processed_events in the same
// transaction as the effect: a redelivered or republished event finds its id taken and
// changes nothing, even when two consumers get copies at the same moment (the primary key
// decides: the second insert waits for the first transaction, then inserts nothing).
func apply(ctx context.Context, db *pgxpool.Pool, e orderCreatedEvent) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var seen bool
	if err := tx.QueryRow(ctx, `select exists (select 1 from processed_events where event_id = $1)`, e.EventID).Scan(&seen); err != nil {
		return err
	}
	if !seen {
		if _, err := tx.Exec(ctx, `
      insert into user_stats (user_id, orders_count, spent_cents) values ($1, 1, $2)
      on conflict (user_id) do update set orders_count = user_stats.orders_count + 1,
                                          spent_cents = user_stats.spent_cents + excluded.spent_cents`,
			*e.Order.UserID, *e.Order.TotalCents); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `insert into processed_events (event_id) values ($1) on conflict do nothing`, e.EventID); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// StartConsumer declares its queue, binds it and starts consuming. It returns once
// consuming has begun; the stop function it returns stops taking new messages and returns
// once the messages in hand are handled.
func StartConsumer(ctx context.Context, d ConsumerDeps) (stop func(), err error) {
	ch := d.Channel
	if err := ch.ExchangeDeclare(d.Exchange, "topic", true, false, false, false, nil); err != nil {
		return nil, err
	}
	if _, err := ch.QueueDeclare(d.Queue, true, false, false, false, nil); err != nil {
		return nil, err
	}
	if err := ch.QueueBind(d.Queue, "order.created", d.Exchange, false, nil); err != nil {
		return nil, err
	}
	if err := ch.Qos(10, 0, false); err != nil {
		return nil, err
	}
	const tag = "order-stats"
	deliveries, err := ch.Consume(d.Queue, tag, false, false, false, false, nil)
	if err != nil {
		return nil, err
	}
	var inFlight sync.WaitGroup
	done := make(chan struct{})
	go func() {
		defer close(done)
		for msg := range deliveries {
			inFlight.Add(1)
			go func(msg amqp.Delivery) {
				defer inFlight.Done()
				e, ok := parseEvent(msg.Body)
				if !ok {
					// A message that can never be understood is dropped, not requeued forever.
					_ = msg.Nack(false, false)
					return
				}
				if err := apply(context.Background(), d.DB, e); err != nil {
					// The database hiccuped: give the message back after a pause, so it is not lost.
					time.Sleep(200 * time.Millisecond)
					_ = msg.Nack(false, true)
					return
				}
				_ = msg.Ack(false)
			}(msg)
		}
	}()
	return func() {
		// Cancel ends the deliveries channel once the broker confirms; then wait for the
		// messages in hand.
		_ = ch.Cancel(tag, false)
		<-done
		inFlight.Wait()
	}, nil
}

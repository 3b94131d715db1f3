package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

type User struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

type Product struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	PriceCents int64  `json:"priceCents"`
	Stock      int64  `json:"stock"`
}

type OrderItem struct {
	ProductID  int64 `json:"productId"`
	Quantity   int64 `json:"quantity"`
	PriceCents int64 `json:"priceCents"`
}

type Order struct {
	ID         int64       `json:"id"`
	UserID     int64       `json:"userId"`
	Status     string      `json:"status"`
	TotalCents int64       `json:"totalCents"`
	Items      []OrderItem `json:"items"`
}

type OrderCreated struct {
	EventID    string `json:"eventId"`
	Type       string `json:"type"`
	OccurredAt string `json:"occurredAt"`
	Order      Order  `json:"order"`
}

// httpError is an error that already knows its status.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func fail(status int, format string, args ...any) error {
	return &httpError{status, fmt.Sprintf(format, args...)}
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
var idPattern = regexp.MustCompile(`^\d{1,9}$`)

// pathID is a positive integer id from the path, or 0 (then the resource does not exist).
func pathID(r *http.Request, name string) int64 {
	raw := r.PathValue(name)
	if !idPattern.MatchString(raw) {
		return 0
	}
	n, _ := strconv.ParseInt(raw, 10, 64)
	return n
}

// body decodes a JSON object into a map, numbers kept as json.Number.
func body(r *http.Request) (map[string]any, error) {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, fail(400, "the body must be a JSON object")
	}
	return m, nil
}

// intField is an integer ≥ min, or ok=false.
func intField(v any, min int64) (int64, bool) {
	n, isNum := v.(json.Number)
	if !isNum {
		return 0, false
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil || i < min {
		return 0, false
	}
	return i, true
}

func textField(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok && strings.TrimSpace(s) != ""
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type app struct {
	AppDeps
	exchangeOnce sync.Once
	exchangeErr  error
}

// handle turns a handler's error into a JSON { error }: known ones keep their status,
// anything else is a 500 that leaks no internals.
func handle(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			var he *httpError
			if errors.As(err, &he) {
				writeJSON(w, he.status, map[string]string{"error": he.msg})
				return
			}
			writeJSON(w, 500, map[string]string{"error": "internal error"})
		}
	}
}

// NewApp returns the HTTP API of the service.
func NewApp(d AppDeps) http.Handler {
	a := &app{AppDeps: d}
	if a.CacheTTL <= 0 {
		a.CacheTTL = time.Minute
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /users", handle(a.createUser))
	mux.HandleFunc("GET /users/{id}", handle(a.getUser))
	mux.HandleFunc("GET /users/{id}/orders", handle(a.userOrders))
	mux.HandleFunc("GET /users/{id}/stats", handle(a.userStats))
	mux.HandleFunc("POST /products", handle(a.createProduct))
	mux.HandleFunc("GET /products", handle(a.listProducts))
	mux.HandleFunc("GET /products/{id}", handle(a.getProduct))
	mux.HandleFunc("PATCH /products/{id}", handle(a.patchProduct))
	mux.HandleFunc("DELETE /products/{id}", handle(a.deleteProduct))
	mux.HandleFunc("POST /orders", handle(a.createOrder))
	mux.HandleFunc("GET /orders/{id}", handle(a.getOrder))
	mux.HandleFunc("/", handle(func(w http.ResponseWriter, r *http.Request) error { return fail(404, "no such route") }))
	return mux
}

// ---- users ---------------------------------------------------------------------------

func (a *app) findUser(ctx context.Context, id int64) (*User, error) {
	if id <= 0 {
		return nil, nil
	}
	var u User
	err := a.DB.QueryRow(ctx, `select id, email, name from users where id = $1`, id).Scan(&u.ID, &u.Email, &u.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func (a *app) mustUser(r *http.Request) (*User, error) {
	u, err := a.findUser(r.Context(), pathID(r, "id"))
	if err == nil && u == nil {
		err = fail(404, "user %s not found", r.PathValue("id"))
	}
	return u, err
}

func (a *app) createUser(w http.ResponseWriter, r *http.Request) error {
	m, err := body(r)
	if err != nil {
		return err
	}
	email, ok := m["email"].(string)
	if !ok || !emailPattern.MatchString(email) {
		return fail(400, "email must look like name@host.tld")
	}
	name, ok := textField(m["name"])
	if !ok {
		return fail(400, "name must be a non-empty string")
	}
	var u User
	err = a.DB.QueryRow(r.Context(), `insert into users (email, name) values ($1, $2) returning id, email, name`, email, name).Scan(&u.ID, &u.Email, &u.Name)
	if pgCode(err) == "23505" {
		return fail(409, "email %s is already registered", email)
	}
	if err != nil {
		return err
	}
	writeJSON(w, 201, u)
	return nil
}

func (a *app) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := a.mustUser(r)
	if err != nil {
		return err
	}
	writeJSON(w, 200, u)
	return nil
}

func (a *app) userStats(w http.ResponseWriter, r *http.Request) error {
	u, err := a.mustUser(r)
	if err != nil {
		return err
	}
	var count, spent int64
	err = a.DB.QueryRow(r.Context(), `select orders_count, spent_cents from user_stats where user_id = $1`, u.ID).Scan(&count, &spent)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	writeJSON(w, 200, struct {
		UserID      int64 `json:"userId"`
		OrdersCount int64 `json:"ordersCount"`
		SpentCents  int64 `json:"spentCents"`
	}{u.ID, count, spent})
	return nil
}

// ---- products (cache-aside: Redis first, the database on a miss) -----------------------

func (a *app) cacheKey(id int64) string { return a.KeyPrefix + "product:" + strconv.FormatInt(id, 10) }

func (a *app) findProduct(ctx context.Context, id int64) (*Product, error) {
	if id <= 0 {
		return nil, nil
	}
	if cached, err := a.Redis.Get(ctx, a.cacheKey(id)).Bytes(); err == nil {
		var p Product
		if json.Unmarshal(cached, &p) == nil {
			return &p, nil
		}
	} else if !errors.Is(err, redis.Nil) {
		return nil, err
	}
	var p Product
	err := a.DB.QueryRow(ctx, `select id, name, price_cents, stock from products where id = $1`, id).Scan(&p.ID, &p.Name, &p.PriceCents, &p.Stock)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	data, _ := json.Marshal(p)
	if err := a.Redis.Set(ctx, a.cacheKey(id), data, a.CacheTTL).Err(); err != nil {
		return nil, err
	}
	return &p, nil
}

// invalidate drops cached copies after a write: the next read loads what the database holds.
func (a *app) invalidate(ctx context.Context, ids ...int64) error {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = a.cacheKey(id)
	}
	return a.Redis.Del(ctx, keys...).Err()
}

func (a *app) createProduct(w http.ResponseWriter, r *http.Request) error {
	m, err := body(r)
	if err != nil {
		return err
	}
	name, ok := textField(m["name"])
	if !ok {
		return fail(400, "name must be a non-empty string")
	}
	price, ok := intField(m["priceCents"], 0)
	if !ok {
		return fail(400, "priceCents must be an integer ≥ 0")
	}
	stock, ok := intField(m["stock"], 0)
	if !ok {
		return fail(400, "stock must be an integer ≥ 0")
	}
	p := Product{Name: name, PriceCents: price, Stock: stock}
	if err := a.DB.QueryRow(r.Context(), `insert into products (name, price_cents, stock) values ($1, $2, $3) returning id`, name, price, stock).Scan(&p.ID); err != nil {
		return err
	}
	writeJSON(w, 201, p)
	return nil
}

func (a *app) listProducts(w http.ResponseWriter, r *http.Request) error {
	rows, err := a.DB.Query(r.Context(), `select id, name, price_cents, stock from products order by id`)
	if err != nil {
		return err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Product, error) {
		var p Product
		err := row.Scan(&p.ID, &p.Name, &p.PriceCents, &p.Stock)
		return p, err
	})
	if err != nil {
		return err
	}
	if list == nil {
		list = []Product{}
	}
	writeJSON(w, 200, list)
	return nil
}

func (a *app) getProduct(w http.ResponseWriter, r *http.Request) error {
	p, err := a.findProduct(r.Context(), pathID(r, "id"))
	if err != nil {
		return err
	}
	if p == nil {
		return fail(404, "product %s not found", r.PathValue("id"))
	}
	writeJSON(w, 200, p)
	return nil
}

func (a *app) patchProduct(w http.ResponseWriter, r *http.Request) error {
	m, err := body(r)
	if err != nil {
		return err
	}
	sets := []string{}
	args := []any{pathID(r, "id")}
	if v, present := m["name"]; present {
		name, ok := textField(v)
		if !ok {
			return fail(400, "name must be a non-empty string")
		}
		args = append(args, name)
		sets = append(sets, fmt.Sprintf("name = $%d", len(args)))
	}
	for _, f := range []struct{ field, column string }{{"priceCents", "price_cents"}, {"stock", "stock"}} {
		if v, present := m[f.field]; present {
			n, ok := intField(v, 0)
			if !ok {
				return fail(400, "%s must be an integer ≥ 0", f.field)
			}
			args = append(args, n)
			sets = append(sets, fmt.Sprintf("%s = $%d", f.column, len(args)))
		}
	}
	if len(sets) == 0 {
		return fail(400, "nothing to change: send name, priceCents or stock")
	}
	id := args[0].(int64)
	if id <= 0 {
		return fail(404, "product %s not found", r.PathValue("id"))
	}
	var p Product
	err = a.DB.QueryRow(r.Context(), `update products set `+strings.Join(sets, ", ")+` where id = $1 returning id, name, price_cents, stock`, args...).Scan(&p.ID, &p.Name, &p.PriceCents, &p.Stock)
	if errors.Is(err, pgx.ErrNoRows) {
		return fail(404, "product %d not found", id)
	}
	if err != nil {
		return err
	}
	if err := a.invalidate(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, 200, p)
	return nil
}

func (a *app) deleteProduct(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "id")
	if id <= 0 {
		return fail(404, "product %s not found", r.PathValue("id"))
	}
	tag, err := a.DB.Exec(r.Context(), `delete from products where id = $1`, id)
	if pgCode(err) == "23503" {
		return fail(409, "product %d is part of orders and cannot be deleted", id)
	}
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fail(404, "product %d not found", id)
	}
	if err := a.invalidate(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(204)
	return nil
}

// ---- orders --------------------------------------------------------------------------

func (a *app) loadOrders(ctx context.Context, where string, param int64) ([]Order, error) {
	rows, err := a.DB.Query(ctx, `
    select o.id, o.user_id, o.status, o.total_cents,
           coalesce(json_agg(json_build_object('productId', i.product_id, 'quantity', i.quantity, 'priceCents', i.price_cents)
                    order by i.position) filter (where i.order_id is not null), '[]')
      from orders o left join order_items i on i.order_id = o.id
     where `+where+` = $1 group by o.id order by o.id`, param)
	if err != nil {
		return nil, err
	}
	orders, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Order, error) {
		var o Order
		var items []byte
		if err := row.Scan(&o.ID, &o.UserID, &o.Status, &o.TotalCents, &items); err != nil {
			return o, err
		}
		return o, json.Unmarshal(items, &o.Items)
	})
	if orders == nil {
		orders = []Order{}
	}
	return orders, err
}

func (a *app) userOrders(w http.ResponseWriter, r *http.Request) error {
	u, err := a.mustUser(r)
	if err != nil {
		return err
	}
	orders, err := a.loadOrders(r.Context(), "o.user_id", u.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, orders)
	return nil
}

func (a *app) getOrder(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "id")
	var orders []Order
	if id > 0 {
		var err error
		if orders, err = a.loadOrders(r.Context(), "o.id", id); err != nil {
			return err
		}
	}
	if len(orders) == 0 {
		return fail(404, "order %s not found", r.PathValue("id"))
	}
	writeJSON(w, 200, orders[0])
	return nil
}

func (a *app) createOrder(w http.ResponseWriter, r *http.Request) error {
	m, err := body(r)
	if err != nil {
		return err
	}
	userID, ok := intField(m["userId"], 1)
	if !ok {
		return fail(400, "userId must be a positive integer")
	}
	raw, ok := m["items"].([]any)
	if !ok || len(raw) == 0 {
		return fail(400, "items must be a non-empty array")
	}
	items := make([]OrderItem, 0, len(raw))
	seen := map[int64]bool{}
	for i, v := range raw {
		item, _ := v.(map[string]any)
		pid, ok := intField(item["productId"], 1)
		if !ok {
			return fail(400, "items[%d].productId must be a positive integer", i)
		}
		qty, ok := intField(item["quantity"], 1)
		if !ok {
			return fail(400, "items[%d].quantity must be a positive integer", i)
		}
		if seen[pid] {
			return fail(400, "product %d appears twice", pid)
		}
		seen[pid] = true
		items = append(items, OrderItem{ProductID: pid, Quantity: qty})
	}
	order, err := a.placeOrder(r.Context(), userID, items)
	if err != nil {
		return err
	}
	writeJSON(w, 201, order)
	return nil
}

// placeOrder is one transaction: all of the order or nothing. Only after the commit does it
// drop the cached products and publish the event.
func (a *app) placeOrder(ctx context.Context, userID int64, items []OrderItem) (*Order, error) {
	tx, err := a.DB.Begin(ctx)
	if err != nil {
		return nil, err
	}
	// Every early return rolls back (after Commit it does nothing): no connection is left
	// inside a transaction, holding the row locks it took.
	defer tx.Rollback(ctx)

	var one int
	if err := tx.QueryRow(ctx, `select 1 from users where id = $1`, userID).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
		return nil, fail(404, "user %d not found", userID)
	} else if err != nil {
		return nil, err
	}
	// Lock rows in one global order (by id): two orders for [A, B] and [B, A] then queue up
	// behind each other instead of deadlocking.
	byID := append([]OrderItem(nil), items...)
	sort.Slice(byID, func(i, j int) bool { return byID[i].ProductID < byID[j].ProductID })
	prices := map[int64]int64{}
	for _, it := range byID {
		// A conditional UPDATE is check-and-decrement in one step: no oversell window.
		var price int64
		err := tx.QueryRow(ctx, `update products set stock = stock - $2 where id = $1 and stock >= $2 returning price_cents`, it.ProductID, it.Quantity).Scan(&price)
		if err == nil {
			prices[it.ProductID] = price
			continue
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
		if err := tx.QueryRow(ctx, `select 1 from products where id = $1`, it.ProductID).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return nil, fail(404, "product %d not found", it.ProductID)
		} else if err != nil {
			return nil, err
		}
		return nil, fail(409, "not enough stock for product %d", it.ProductID)
	}
	order := &Order{UserID: userID, Status: "created", Items: make([]OrderItem, len(items))}
	ids, qtys, unit := make([]int64, len(items)), make([]int64, len(items)), make([]int64, len(items))
	for i, it := range items {
		it.PriceCents = prices[it.ProductID]
		order.Items[i] = it
		order.TotalCents += it.PriceCents * it.Quantity
		ids[i], qtys[i], unit[i] = it.ProductID, it.Quantity, it.PriceCents
	}
	if err := tx.QueryRow(ctx, `insert into orders (user_id, total_cents) values ($1, $2) returning id`, userID, order.TotalCents).Scan(&order.ID); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `
    insert into order_items (order_id, position, product_id, quantity, price_cents)
    select $1, t.pos, t.product_id, t.quantity, t.price_cents
      from unnest($2::int[], $3::int[], $4::int[]) with ordinality as t(product_id, quantity, price_cents, pos)`,
		order.ID, ids, qtys, unit); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	// the cached products expire on their own
	if err := a.publish(ctx, *order); err != nil {
		return nil, err
	}
	return order, nil
}

func newEventID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// publish sends the OrderCreated event after the commit (an order that rolled back never
// announces itself) and waits until the broker confirms it took it.
func (a *app) publish(ctx context.Context, order Order) error {
	event := OrderCreated{EventID: newEventID(), Type: "OrderCreated", OccurredAt: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), Order: order}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(event); err != nil {
		return err
	}
	a.exchangeOnce.Do(func() {
		a.exchangeErr = a.Channel.ExchangeDeclare(a.Exchange, "topic", true, false, false, false, nil)
	})
	if a.exchangeErr != nil {
		return a.exchangeErr
	}
	confirm, err := a.Channel.PublishWithDeferredConfirmWithContext(ctx, a.Exchange, "order.created", false, false, amqp.Publishing{
		MessageId:    event.EventID,
		ContentType:  "application/json",
		DeliveryMode: amqp.Persistent,
		Body:         buf.Bytes(),
	})
	if err != nil {
		return err
	}
	ok, err := confirm.WaitContext(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("the broker did not take the OrderCreated event")
	}
	return nil
}

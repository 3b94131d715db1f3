// Package values is a shopping cart kept in memory and read by many requests at once,
// so no function changes the cart it is given.
package values

import "errors"

// ErrQty is returned for a line whose quantity is not positive.
var ErrQty = errors.New("cart: quantity must be positive")

// Line is one product in a cart.
type Line struct {
	SKU        string
	Qty        int
	PriceCents int
}

// Cart is a cart: its lines in the order they were added, and its coupon codes.
type Cart struct {
	ID      string
	Lines   []Line
	Coupons map[string]bool
}

// Clone returns a copy of c that shares no memory with c.
func Clone(c Cart) Cart {
	// TODO: copy the cart, its lines and its coupons (see README.md).
	return Cart{}
}

// AddLine returns a new cart with l added: a SKU already in the cart gets its
// quantity increased, a new SKU is appended. c is not changed.
func AddLine(c Cart, l Line) (Cart, error) {
	// TODO: refuse a quantity that is not positive with ErrQty; add the line to a copy.
	return Cart{}, nil
}

// WithCoupon returns a new cart that also has the coupon code. c is not changed.
func WithCoupon(c Cart, code string) Cart {
	// TODO: add the code to a copy of the coupons.
	return Cart{}
}

// Totals returns the number of units in the cart and their price in cents.
func Totals(c Cart) (units, cents int) {
	// TODO: sum the quantities, and quantity × price.
	return 0, 0
}

// Mutant: Clone returns the struct copy: its Lines and Coupons still point at the original's backing array and map.
//
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
	// Assigning a struct copies its fields, but a slice and a map are headers
	// that point at shared data: both need a copy of their own.
	cp := c // assigning a struct copies it
	return cp
}

// AddLine returns a new cart with l added: a SKU already in the cart gets its
// quantity increased, a new SKU is appended. c is not changed.
func AddLine(c Cart, l Line) (Cart, error) {
	if l.Qty <= 0 {
		return Cart{}, ErrQty
	}
	out := Clone(c)
	for i := range out.Lines {
		if out.Lines[i].SKU == l.SKU {
			out.Lines[i].Qty += l.Qty
			return out, nil
		}
	}
	out.Lines = append(out.Lines, l)
	return out, nil
}

// WithCoupon returns a new cart that also has the coupon code. c is not changed.
func WithCoupon(c Cart, code string) Cart {
	out := Clone(c)
	// maps.Clone of a nil map is nil, and writing to a nil map panics.
	if out.Coupons == nil {
		out.Coupons = make(map[string]bool)
	}
	out.Coupons[code] = true
	return out
}

// Totals returns the number of units in the cart and their price in cents.
func Totals(c Cart) (units, cents int) {
	for _, l := range c.Lines {
		units += l.Qty
		cents += l.Qty * l.PriceCents
	}
	return units, cents
}

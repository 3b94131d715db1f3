package values

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
)

// sample is a cart as a request handler holds it: built with append, so its
// Lines have spare capacity behind them.
func sample() Cart {
	lines := make([]Line, 0, 8)
	lines = append(lines, Line{SKU: "apple", Qty: 2, PriceCents: 50})
	return Cart{ID: "c1", Lines: lines, Coupons: map[string]bool{"SPRING": true}}
}

// unchanged fails the test when c (with the spare capacity of its Lines) is no longer what sample returned.
func unchanged(t *testing.T, call string, c Cart) {
	t.Helper()
	want := sample()
	if !reflect.DeepEqual(c, want) {
		t.Errorf("after %s the input cart is %+v, want it unchanged %+v: the function changed the cart it was given", call, c, want)
		return
	}
	spare := c.Lines[len(c.Lines):cap(c.Lines)]
	if !reflect.DeepEqual(spare, make([]Line, len(spare))) {
		t.Errorf("after %s the spare capacity of the input's Lines holds %+v, want it untouched: append wrote into the input's backing array", call, spare)
	}
}

// noPanic runs f and turns a panic into a failure that names the call.
func noPanic(t *testing.T, call string, f func()) (ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v, want no panic", call, r)
			ok = false
		}
	}()
	f()
	return true
}

func TestClone(t *testing.T) {
	t.Run("copies every field", func(t *testing.T) {
		t.Parallel()
		if got := Clone(sample()); !reflect.DeepEqual(got, sample()) {
			t.Errorf("Clone(%+v) = %+v, want an equal cart", sample(), got)
		}
	})
	t.Run("a change to a line of the copy leaves the original", func(t *testing.T) {
		t.Parallel()
		c := sample()
		cp := Clone(c)
		if len(cp.Lines) == 0 {
			t.Fatalf("Clone(%+v).Lines is empty, want 1 line", c)
		}
		cp.Lines[0].Qty = 99
		unchanged(t, "Clone(c) and a change to copy.Lines[0].Qty", c)
	})
	t.Run("appending to the copy leaves the original", func(t *testing.T) {
		t.Parallel()
		c := sample()
		cp := Clone(c)
		if !reflect.DeepEqual(cp.Lines, c.Lines) {
			t.Errorf("Clone(%+v).Lines = %+v, want the cart's lines %+v", c, cp.Lines, c.Lines)
		}
		cp.Lines = append(cp.Lines, Line{SKU: "pear", Qty: 1, PriceCents: 70})
		unchanged(t, "Clone(c) and an append to copy.Lines", c)
	})
	t.Run("a coupon added to the copy is not in the original", func(t *testing.T) {
		t.Parallel()
		c := sample()
		cp := Clone(c)
		if cp.Coupons == nil {
			t.Fatalf("Clone(%+v).Coupons is nil, want a map with SPRING", c)
		}
		cp.Coupons["WINTER"] = true
		unchanged(t, `Clone(c) and copy.Coupons["WINTER"] = true`, c)
	})
}

func TestAddLine(t *testing.T) {
	// One cart shared by all the parallel subtests, as one cart is read by many
	// requests: a function that writes into it is a data race -race reports.
	base := sample()
	cases := []struct {
		about string
		line  Line
		want  []Line
	}{
		{"appends a new SKU at the end", Line{SKU: "pear", Qty: 1, PriceCents: 70},
			[]Line{{"apple", 2, 50}, {"pear", 1, 70}}},
		{"adds to the quantity of a SKU already in the cart", Line{SKU: "apple", Qty: 3, PriceCents: 50},
			[]Line{{"apple", 5, 50}}},
	}
	for _, c := range cases {
		t.Run(c.about, func(t *testing.T) {
			t.Parallel()
			got, err := AddLine(base, c.line)
			if err != nil {
				t.Fatalf("AddLine(cart, %+v) returned error %v, want none", c.line, err)
			}
			if !reflect.DeepEqual(got.Lines, c.want) {
				t.Errorf("AddLine(cart, %+v).Lines = %+v, want %+v", c.line, got.Lines, c.want)
			}
			if got.ID != base.ID || !reflect.DeepEqual(got.Coupons, base.Coupons) {
				t.Errorf("AddLine(cart, %+v) = %+v, want the cart's ID %q and coupons %v kept", c.line, got, base.ID, base.Coupons)
			}
		})
	}
	for _, c := range cases {
		t.Run("does not change the cart it was given: "+c.about, func(t *testing.T) {
			t.Parallel()
			mine := sample()
			got, err := AddLine(mine, c.line)
			if err != nil {
				t.Fatalf("AddLine(cart, %+v) returned error %v, want none", c.line, err)
			}
			if !reflect.DeepEqual(got.Lines, c.want) {
				t.Errorf("AddLine(cart, %+v).Lines = %+v, want %+v in a new cart", c.line, got.Lines, c.want)
			}
			unchanged(t, "AddLine", mine)
		})
	}
	t.Run("two carts built from the same cart keep their own lines", func(t *testing.T) {
		t.Parallel()
		mine := sample()
		a, _ := AddLine(mine, Line{SKU: "pear", Qty: 1, PriceCents: 70})
		b, _ := AddLine(mine, Line{SKU: "plum", Qty: 4, PriceCents: 30})
		if len(a.Lines) != 2 || a.Lines[1].SKU != "pear" {
			t.Errorf("a := AddLine(c, pear); b := AddLine(c, plum): a.Lines = %+v, want [apple pear]: a and b share a backing array (append into c.Lines reuses its spare capacity)", a.Lines)
		}
		if len(b.Lines) != 2 || b.Lines[1].SKU != "plum" {
			t.Errorf("a := AddLine(c, pear); b := AddLine(c, plum): b.Lines = %+v, want [apple plum]", b.Lines)
		}
	})
	t.Run("a change to the result leaves the cart it was given", func(t *testing.T) {
		t.Parallel()
		mine := sample()
		got, _ := AddLine(mine, Line{SKU: "pear", Qty: 1, PriceCents: 70})
		if len(got.Lines) == 0 || got.Coupons == nil {
			t.Fatalf("AddLine(cart, pear) = %+v, want the apple line, the pear line and the coupons", got)
		}
		got.Lines[0].Qty = 100
		got.Coupons["WINTER"] = true
		unchanged(t, "AddLine and a change to the result's line and coupons", mine)
	})
	t.Run("works on an empty cart", func(t *testing.T) {
		t.Parallel()
		var got Cart
		var err error
		if !noPanic(t, "AddLine(Cart{}, apple)", func() { got, err = AddLine(Cart{}, Line{SKU: "apple", Qty: 1, PriceCents: 50}) }) {
			return
		}
		if want := []Line{{"apple", 1, 50}}; err != nil || !reflect.DeepEqual(got.Lines, want) {
			t.Errorf("AddLine(Cart{}, apple×1) = %+v, %v, want Lines %+v and no error", got, err, want)
		}
	})
	for _, qty := range []int{0, -1} {
		t.Run("refuses the quantity "+strconv.Itoa(qty), func(t *testing.T) {
			t.Parallel()
			mine := sample()
			_, err := AddLine(mine, Line{SKU: "apple", Qty: qty, PriceCents: 50})
			if !errors.Is(err, ErrQty) {
				t.Errorf("AddLine(cart, apple×%d) error = %v, want ErrQty", qty, err)
			}
			unchanged(t, "a refused AddLine", mine)
		})
	}
}

func TestWithCoupon(t *testing.T) {
	t.Run("adds the code and keeps the others", func(t *testing.T) {
		got := WithCoupon(sample(), "WINTER")
		if want := map[string]bool{"SPRING": true, "WINTER": true}; !reflect.DeepEqual(got.Coupons, want) {
			t.Errorf("WithCoupon(cart with SPRING, WINTER).Coupons = %v, want %v", got.Coupons, want)
		}
		if !reflect.DeepEqual(got.Lines, sample().Lines) || got.ID != "c1" {
			t.Errorf("WithCoupon(cart, WINTER) = %+v, want the cart's ID and lines kept", got)
		}
	})
	t.Run("does not change the cart it was given", func(t *testing.T) {
		mine := sample()
		got := WithCoupon(mine, "WINTER")
		if !got.Coupons["WINTER"] {
			t.Errorf(`WithCoupon(cart, "WINTER").Coupons = %v, want WINTER in the new cart`, got.Coupons)
		}
		unchanged(t, `WithCoupon(cart, "WINTER")`, mine)
	})
	t.Run("works on a cart whose Coupons map is nil", func(t *testing.T) {
		var got Cart
		if !noPanic(t, `WithCoupon(Cart{ID: "c2"}, "WINTER")`, func() { got = WithCoupon(Cart{ID: "c2"}, "WINTER") }) {
			return
		}
		if want := map[string]bool{"WINTER": true}; !reflect.DeepEqual(got.Coupons, want) || got.ID != "c2" {
			t.Errorf(`WithCoupon(Cart{ID: "c2"}, "WINTER") = %+v, want ID c2 and Coupons %v`, got, want)
		}
	})
}

func TestTotals(t *testing.T) {
	t.Run("an empty cart has nothing, a cart of one line has its units", func(t *testing.T) {
		t.Parallel()
		// Paired with a cart of one line: a Totals that always returns 0, 0 is no answer.
		if units, cents := Totals(Cart{}); units != 0 || cents != 0 {
			t.Errorf("Totals(Cart{}) = %d, %d, want 0 units, 0 cents", units, cents)
		}
		one := Cart{Lines: []Line{{"pear", 3, 70}}}
		if units, cents := Totals(one); units != 3 || cents != 210 {
			t.Errorf("Totals(%+v) = %d, %d, want 3 units, 210 cents", one, units, cents)
		}
	})
	cases := []struct {
		about        string
		cart         Cart
		units, cents int
	}{
		{"one line", sample(), 2, 100},
		{"two lines", Cart{Lines: []Line{{"apple", 2, 50}, {"pear", 3, 70}}}, 5, 310},
	}
	for _, c := range cases {
		t.Run(c.about, func(t *testing.T) {
			t.Parallel()
			units, cents := Totals(c.cart)
			if units != c.units || cents != c.cents {
				t.Errorf("Totals(%+v) = %d, %d, want %d units, %d cents", c.cart, units, cents, c.units, c.cents)
			}
		})
	}
}

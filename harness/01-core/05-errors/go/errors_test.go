package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

// message is err.Error(), or what went wrong calling it (a method on a nil pointer panics).
func message(err error) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("<Error() panicked: %v>", r)
		}
	}()
	return err.Error()
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"NotFoundError", &NotFoundError{Entity: "user", ID: "42"}, "user 42 not found"},
		{"ValidationError", &ValidationError{Field: "email", Problem: "must contain @"}, "email: must contain @"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := message(tt.err); got != tt.want {
				t.Errorf("(%#v).Error() = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestNotFoundIs(t *testing.T) {
	missing := &NotFoundError{Entity: "order", ID: "7"}
	tests := []struct {
		name string
		err  error
	}{
		{"a NotFoundError", missing},
		{"a wrapped NotFoundError", fmt.Errorf("load order: %w", missing)},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is ErrNotFound and nothing else", func(t *testing.T) {
			if !errors.Is(tt.err, ErrNotFound) {
				t.Errorf("errors.Is(%q, ErrNotFound) = false, want true: errors.Is unwraps the chain and asks each error's Is method; write (*NotFoundError).Is to report ErrNotFound", message(tt.err))
			}
			if errors.Is(tt.err, errors.New("not found")) {
				t.Errorf("errors.Is(%q, errors.New(\"not found\")) = true, want false: a sentinel is recognised by identity (target == ErrNotFound), never by its message", message(tt.err))
			}
			if errors.Is(tt.err, ErrPermission) {
				t.Errorf("errors.Is(%q, ErrPermission) = true, want false: Is must answer true for ErrNotFound only", message(tt.err))
			}
		})
	}
}

func TestWrap(t *testing.T) {
	t.Run("adds the context before the message", func(t *testing.T) {
		root := &NotFoundError{Entity: "user", ID: "42"}
		err := Wrap(Wrap(root, "load profile"), "GET /me")
		if err == nil {
			t.Fatalf("Wrap(Wrap(%q, \"load profile\"), \"GET /me\") = nil, want an error", message(root))
		}
		if got, want := message(err), "GET /me: load profile: user 42 not found"; got != want {
			t.Errorf("Wrap(Wrap(root, \"load profile\"), \"GET /me\").Error() = %q, want %q", got, want)
		}
	})

	t.Run("errors.As finds the wrapped error itself", func(t *testing.T) {
		root := &NotFoundError{Entity: "user", ID: "42"}
		err := Wrap(Wrap(root, "load profile"), "GET /me")
		var found *NotFoundError
		if !errors.As(err, &found) {
			t.Fatalf("errors.As(Wrap(Wrap(root, …), …), &*NotFoundError) = false, want true: wrap with %%w (fmt.Errorf(\"%%s: %%w\", op, err)), %%v keeps only the text")
		}
		if found != root {
			t.Errorf("errors.As found %p, want the original *NotFoundError %p", found, root)
		}
	})

	t.Run("errors.Is finds a wrapped sentinel", func(t *testing.T) {
		err := Wrap(ErrPermission, "delete order 7")
		if !errors.Is(err, ErrPermission) {
			t.Errorf("errors.Is(Wrap(ErrPermission, \"delete order 7\"), ErrPermission) = false, want true: Wrap must keep the error in the chain (%%w), not only its text")
		}
	})

	t.Run("nil stays nil", func(t *testing.T) {
		if err := Wrap(ErrPermission, "save"); err == nil {
			t.Errorf("Wrap(ErrPermission, \"save\") = nil, want an error")
		}
		if err := Wrap(nil, "save"); err != nil {
			t.Errorf("Wrap(nil, \"save\") = %q, want nil: a caller writes `return Wrap(err, op)` on every path; fmt.Errorf(\"%%w\", nil) is not nil", message(err))
		}
	})
}

func TestValidate(t *testing.T) {
	t.Run("nil only for a valid form", func(t *testing.T) {
		for _, form := range []Signup{{Email: "ann@example.com", Age: 30}, {Email: "a@b", Age: 18}} {
			if err := Validate(form); err != nil {
				t.Errorf("Validate(%+v) = %T %q, want nil: an interface holding a nil *ValidationError is not nil; return the untyped nil (errors.Join() of nothing is nil)", form, err, message(err))
			}
		}
		if form := (Signup{Email: "ann", Age: 30}); Validate(form) == nil {
			t.Errorf("Validate(%+v) = nil, want an error: the email has no @", form)
		}
	})

	tests := []struct {
		name   string
		form   Signup
		fields []string
		text   string
	}{
		{"a bad email", Signup{Email: "ann", Age: 30}, []string{"email"}, "email: must contain @"},
		{"too young", Signup{Email: "ann@example.com", Age: 17}, []string{"age"}, "age: must be 18 or over"},
		{"both at once", Signup{Email: "", Age: 3}, []string{"email", "age"}, "email: must contain @\nage: must be 18 or over"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.form)
			if err == nil {
				t.Fatalf("Validate(%+v) = nil, want an error for %v", tt.form, tt.fields)
			}
			if got := message(err); got != tt.text {
				t.Errorf("Validate(%+v).Error() = %q, want %q", tt.form, got, tt.text)
			}
			var invalid *ValidationError
			if !errors.As(err, &invalid) || invalid == nil || invalid.Field != tt.fields[0] {
				t.Errorf("errors.As(Validate(%+v), &*ValidationError) found %+v, want the %q problem", tt.form, invalid, tt.fields[0])
			}
			members := []error{err}
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				members = joined.Unwrap()
			}
			var got []string
			for _, m := range members {
				var v *ValidationError
				if !errors.As(m, &v) || v == nil {
					got = append(got, fmt.Sprintf("%T(%v)", m, m))
					continue
				}
				got = append(got, v.Field)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.fields) {
				t.Errorf("Validate(%+v) holds problems for %v, want %v: report every bad field at once with errors.Join, one *ValidationError per field, in field order", tt.form, got, tt.fields)
			}
		})
	}
}

func TestStatusOf(t *testing.T) {
	missing := &NotFoundError{Entity: "user", ID: "42"}
	badEmail := &ValidationError{Field: "email", Problem: "must contain @"}
	tests := []struct {
		name string
		err  error
		want int
		why  string
	}{
		{"nil", nil, http.StatusOK, "no error is a success"},
		{"a ValidationError", badEmail, http.StatusBadRequest, ""},
		{"a wrapped ValidationError", fmt.Errorf("signup: %w", badEmail), http.StatusBadRequest, "look inside the chain with errors.As, a type assertion sees only the outer error"},
		{"a joined ValidationError", errors.Join(errors.New("note"), badEmail), http.StatusBadRequest, "errors.As also walks the members of errors.Join"},
		{"ErrPermission", ErrPermission, http.StatusForbidden, ""},
		{"a wrapped ErrPermission", fmt.Errorf("delete order 7: %w", ErrPermission), http.StatusForbidden, "compare with errors.Is, == sees only the outer error"},
		{"the same text is not ErrPermission", errors.New("permission denied"), http.StatusInternalServerError, "a sentinel is recognised by identity (errors.Is), not by its message"},
		{"a NotFoundError", missing, http.StatusNotFound, ""},
		{"a twice wrapped NotFoundError", fmt.Errorf("GET /me: %w", fmt.Errorf("load profile: %w", missing)), http.StatusNotFound, "look inside the chain"},
		{"a wrapped ErrNotFound", fmt.Errorf("find order: %w", ErrNotFound), http.StatusNotFound, ""},
		{"an unknown error", errors.New("connection refused"), http.StatusInternalServerError, "anything unrecognised is the server's fault"},
		{"a validation problem wins over not found", errors.Join(fmt.Errorf("load: %w", missing), badEmail), http.StatusBadRequest, "check ValidationError first, then ErrPermission, then ErrNotFound"},
		{"permission wins over not found", fmt.Errorf("%w; %w", missing, ErrPermission), http.StatusForbidden, "check ErrPermission before ErrNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StatusOf(tt.err); got != tt.want {
				text := "nil"
				if tt.err != nil {
					text = fmt.Sprintf("%q", message(tt.err))
				}
				why := ""
				if tt.why != "" {
					why = ": " + tt.why
				}
				t.Errorf("StatusOf(%s) = %d, want %d%s", text, got, tt.want, why)
			}
		})
	}
}

package firstverdict

import "testing"

func TestGreet(t *testing.T) {
	cases := []struct {
		about, name, want string
	}{
		{"greets a person by name", "Ada", "Hello, Ada!"},
		{"works for any name, not only one", "Grace", "Hello, Grace!"},
		{"ignores spaces around the name", "  Linus ", "Hello, Linus!"},
		{"keeps the spaces inside the name", " Ada Lovelace  ", "Hello, Ada Lovelace!"},
		{"greets the world when the name is empty", "", "Hello, world!"},
		{"greets the world when the name is blank", "   ", "Hello, world!"},
	}
	for _, c := range cases {
		t.Run(c.about, func(t *testing.T) {
			// Parallel subtests: a Greet that keeps shared state shows up as a data race.
			t.Parallel()
			if got := Greet(c.name); got != c.want {
				t.Errorf("Greet(%q) = %q, want %q", c.name, got, c.want)
			}
		})
	}
}

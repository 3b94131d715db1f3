// Package firstverdict is your first Go kata: edit, save, read the verdict.
package firstverdict

import (
	"cmp"
	"fmt"
	"strings"
	"unicode"
)

// Greet returns "Hello, <name>!" for the name without its surrounding spaces,
// and "Hello, world!" when the name is empty or blank.
func Greet(name string) string {
	// cmp.Or returns its first argument that is not the zero value: "" falls through to "world".
	return fmt.Sprintf("Hello, %s!", cmp.Or(strings.TrimFunc(name, unicode.IsSpace), "world"))
}

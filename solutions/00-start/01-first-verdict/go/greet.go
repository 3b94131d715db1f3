// Package firstverdict is your first Go kata: edit, save, read the verdict.
package firstverdict

import "strings"

// Greet returns "Hello, <name>!" for the name without its surrounding spaces,
// and "Hello, world!" when the name is empty or blank.
func Greet(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "world"
	}
	return "Hello, " + name + "!"
}

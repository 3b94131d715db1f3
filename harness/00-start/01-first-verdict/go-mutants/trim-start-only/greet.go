// Mutant: trims only the leading spaces, so trailing spaces stay inside the greeting.
package firstverdict

import "strings"

func Greet(name string) string {
	name = strings.TrimLeft(name, " ")
	if name == "" {
		name = "world"
	}
	return "Hello, " + name + "!"
}

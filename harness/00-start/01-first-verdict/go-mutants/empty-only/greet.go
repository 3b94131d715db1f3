// Mutant: greets the world only for the empty string, and checks before trimming: a blank name gives "Hello, !".
package firstverdict

import "strings"

func Greet(name string) string {
	if name == "" {
		name = "world"
	}
	return "Hello, " + strings.TrimSpace(name) + "!"
}

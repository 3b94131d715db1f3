// Mutant: removes every space, also the ones inside the name: "Ada Lovelace" becomes "AdaLovelace".
package firstverdict

import "strings"

func Greet(name string) string {
	name = strings.ReplaceAll(name, " ", "")
	if name == "" {
		name = "world"
	}
	return "Hello, " + name + "!"
}

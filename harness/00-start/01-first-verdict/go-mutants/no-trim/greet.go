// Mutant: uses the name as given: Greet("  Linus ") keeps the spaces and a blank name is greeted as spaces.
package firstverdict

func Greet(name string) string {
	if name == "" {
		name = "world"
	}
	return "Hello, " + name + "!"
}

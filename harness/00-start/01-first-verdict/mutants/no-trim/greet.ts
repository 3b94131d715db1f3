/**
 * greet("Ada") must return "Hello, Ada!".
 * An empty or blank name greets the world: "Hello, world!".
 */
export function greet(name: string): string {
  const who = name || 'world'
  return `Hello, ${who}!`
}

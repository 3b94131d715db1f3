/**
 * greet("Ada") must return "Hello, Ada!".
 * An empty or blank name greets the world: "Hello, world!".
 * Edit this function, save, and watch the verdict change.
 */
export function greet(name: string): string {
  return 'Hello'
}

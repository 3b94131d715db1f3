import { describe, expect, it } from 'vitest'
import { greet } from '@kata/start/first-verdict'

describe('greet(name)', () => {
  it('greets a person by name: greet("Ada") is "Hello, Ada!"', () => {
    expect(greet('Ada'), 'greet("Ada")').toBe('Hello, Ada!')
  })
  it('works for any name, not only one: greet("Grace") is "Hello, Grace!"', () => {
    expect(greet('Grace'), 'greet("Grace")').toBe('Hello, Grace!')
  })
  it('ignores spaces around the name: greet("  Linus ") is "Hello, Linus!"', () => {
    expect(greet('  Linus '), 'greet("  Linus ")').toBe('Hello, Linus!')
  })
  it('keeps the spaces inside the name: greet(" Ada Lovelace  ") is "Hello, Ada Lovelace!"', () => {
    expect(greet(' Ada Lovelace  '), 'greet(" Ada Lovelace  "): only the spaces around the name go').toBe('Hello, Ada Lovelace!')
  })
  it('greets the world when the name is empty or blank', () => {
    expect(greet(''), 'greet("")').toBe('Hello, world!')
    expect(greet('   '), 'greet("   ")').toBe('Hello, world!')
  })
})

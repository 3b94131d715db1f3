// The public API of @acme/slugs: only what is re-exported here is a promise to users.
export { slugify } from './slugify.ts'
export type { SlugOptions } from './slugify.ts'
/** Thrown by slugify() when nothing usable is left of the input. */
export class SlugError extends Error {
  override name = 'SlugError'
  readonly input: string
  constructor(input: string) {
    super(`cannot make a slug of ${JSON.stringify(input)}`)
    this.input = input
  }
}

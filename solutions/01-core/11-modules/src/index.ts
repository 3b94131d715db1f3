// The public API of @acme/slugs: only what is re-exported here is a promise to users.
export { slugify } from './slugify.ts'
export type { SlugOptions } from './slugify.ts'
export { SlugError } from './errors.ts'

// The public API of @acme/slugs: only what is re-exported here is a promise to users.
export * from './slugify.ts'
export * from './errors.ts'
export * from './internal/normalize.ts'

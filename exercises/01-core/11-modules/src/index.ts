// The public API of @acme/slugs. Right now it re-exports everything, internals included.
export * from './slugify.ts'
export * from './errors.ts'
export * from './internal/normalize.ts'

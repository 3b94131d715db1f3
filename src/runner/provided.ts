import type { ServiceName } from '../catalog/schema.ts'

/** What the runner hands to every suite through Vitest's provide/inject. */
export interface ProvidedToSuites {
  'roadmap:services': Partial<Record<ServiceName, string>>
  /** Suite file → budget in ms; the worker setup turns it into the test timeout. */
  'roadmap:budgets': Record<string, number>
  /** Distinguishes the resources of concurrent runs (databases, key prefixes, queues). */
  'roadmap:run-tag': string
  /** A database cloned ahead of time for this run ('' when none): see DatabaseStock. */
  'roadmap:database': string
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface ProvidedContext extends ProvidedToSuites {}
}

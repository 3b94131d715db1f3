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
  /**
   * Services whose leftovers the runner removes after the verdict (services/run-leftovers.ts):
   * their fixtures then leave them, and report RabbitMQ names in the suite's meta.
   * Absent when a suite runs under plain Vitest: the fixtures clean up themselves.
   */
  'roadmap:after-run'?: ServiceName[]
  /**
   * The Go track of a wire kata: the learner's program, built for this run. The suite starts
   * it through harness/support/launch.ts instead of importing the TypeScript factory ('' or
   * absent on the TypeScript track).
   */
  'roadmap:go-program'?: string
}

/** What a suite's fixtures leave for the runner to remove after the verdict (a suite's meta). */
export interface LeftoverNames {
  'roadmap:queues'?: string[]
  'roadmap:exchanges'?: string[]
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface ProvidedContext extends ProvidedToSuites {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface TaskMeta extends LeftoverNames {}
}

/**
 * What the suites (harness/) may use of roadmap itself: this module and nothing else of
 * src/ (tests/house.test.ts holds them to it). Everything here is a contract with every
 * catalog's suites, so a change to it is a change to theirs; the rest of src/ is free
 * to move.
 */

// The names `inject()` answers to in a suite ('roadmap:services', 'roadmap:run-tag', …): a
// type-only export brings their declarations in, and no module to load on a run's clock.
export type { ProvidedToSuites } from './runner/provided.ts'

import type { ServiceName } from './catalog/schema.ts'
import { SERVICES } from './services/catalog.ts'
export type { ServiceName }

/** A service's name as people write it (PostgreSQL, RabbitMQ), the one doctor shows too. */
export const serviceLabel = (name: ServiceName): string => SERVICES[name].label

/**
 * The name of the error a suite throws when a service is missing: the runner reads it
 * across the worker boundary (an error arrives serialized, only its name survives) and
 * makes the verdict `unavailable`, not the learner's fault.
 */
export { SERVICE_ERROR_NAME } from './runner/errors.ts'

/** A database of a suite's own, cloned from the template, and its removal. */
export { createDatabase, databaseUrl, dropDatabase, dropStale, withAdmin } from './services/postgres-databases.ts'

/** Docker for the container katas: whether an engine answers, whether an image can be had, and the labels that let the reaper find what a run left. */
export { dockerEngine, imageAvailability, KATA_STACK_PREFIX, OWNER_LABEL, type ImageAvailability } from './services/containers.ts'

// Shared by the service fixtures: where the services are, and the error that tells
// the runner "a service is missing" (a harness condition, not the learner's fault).
import { randomBytes } from 'node:crypto'
import { inject } from 'vitest'
import { SERVICE_ERROR_NAME, serviceLabel, type ServiceName } from '../../src/support-api.ts'

export class ServiceUnavailableError extends Error {
  // The runner knows it by this name: the one both sides import.
  override name = SERVICE_ERROR_NAME
}

/** The URL of a service the runner resolved, or a ServiceUnavailableError. */
export function serviceUrl(name: ServiceName): string {
  const url = inject('roadmap:services')?.[name]
  if (!url) throw new ServiceUnavailableError(`${serviceLabel(name)} is not available to this suite: run \`roadmap doctor\` to see why`)
  return url
}

/** Wraps a connection failure so the verdict says the service went away. */
export function unavailable(name: ServiceName, err: unknown): ServiceUnavailableError {
  const code = (err as NodeJS.ErrnoException)?.code
  const why = code ?? (err as Error)?.message ?? String(err)
  return new ServiceUnavailableError(`${serviceLabel(name)} stopped answering (${why}): start it again and save to rerun`, { cause: err })
}

/** A name no other suite or run uses: tag of this session + random part. */
export function uniqueName(base: string): string {
  const tag = inject('roadmap:run-tag') ?? 'x'
  return `${base}.${tag}${randomBytes(3).toString('hex')}`
}

import type { ServiceName } from '../catalog/schema.ts'

/** What the runner may know of the services: their URLs, why one is missing, and a recheck after a failed run. */
export interface ServiceAccess {
  urls: Partial<Record<ServiceName, string>>
  /** Why a service is missing, with the command that provides it; undefined when it is there. */
  problem(name: ServiceName): string | undefined
  /** Probes the services again after a failed run: did one of them go away mid-run? */
  recheck?(names: ServiceName[]): Promise<string | undefined>
}

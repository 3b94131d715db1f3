import type { ServiceName } from '../catalog/schema.ts'

/** Where a service was found, in resolution order. */
export type ServiceSource = 'env' | 'config' | 'local' | 'container' | 'embedded'

export type ServiceStatus =
  | { name: ServiceName; state: 'ready'; url: string; source: ServiceSource; probeMs: number; note?: string }
  | { name: ServiceName; state: 'missing'; tried: string[]; fix: string; probeMs: number }

/** A URL with its password hidden, for screens and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return url
  }
}

import type { Catalog, Kata } from '../../catalog/types.ts'
import type { KataResult } from '../../results/model.ts'
import type { ServiceAccess } from '../../services/access.ts'
import { RunnerPool } from '../pool.ts'
import type { Target } from '../target.ts'

/**
 * The Vitest side of over-the-wire Go grading for a session that otherwise runs only Go
 * (watch, run and verify with --track go): its runners start on the first wire kata, so a
 * session of Go-native katas never pays for them.
 */
export class WireSuites {
  private pool: RunnerPool | undefined

  private readonly catalog: Catalog
  private readonly services: ServiceAccess
  private readonly concurrency: number
  constructor(
    catalog: Catalog,
    services: ServiceAccess,
    concurrency: number = 1,
  ) {
    this.catalog = catalog
    this.services = services
    this.concurrency = concurrency
  }

  readonly run = (kata: Kata, target: Target, program: string): Promise<KataResult> => {
    this.pool ??= new RunnerPool({ catalog: this.catalog, services: this.services }, this.concurrency)
    return this.pool.run(kata, target, [], undefined, program)
  }

  async close(): Promise<void> {
    await this.pool?.close()
  }
}

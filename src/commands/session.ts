import { availableParallelism } from 'node:os'
import type { ServiceName } from '../catalog/schema.ts'
import type { Kata } from '../catalog/types.ts'
import { RunnerPool } from '../runner/pool.ts'
import { Services } from '../services/services.ts'
import type { Context } from './context.ts'

/** Services the given katas need, resolved once; and a pool of runners that uses them. */
export async function openRunners(ctx: Context, katas: Kata[], concurrency = availableParallelism(), grading = false) {
  const needed = new Set<ServiceName>(katas.flatMap((k) => k.services))
  const services = await Services.resolve(needed, { root: ctx.root, config: ctx.config })
  const pool = new RunnerPool({ catalog: ctx.catalog, services: services.access(), dropPrivileges: grading }, Math.max(1, concurrency))
  return {
    services,
    pool,
    async close() {
      await pool.close()
      await services.close()
    },
  }
}

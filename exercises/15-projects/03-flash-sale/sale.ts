// The sale's front door: POST /buy, GET /stock, GET /orders/:id, GET /debug/profile.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Redis } from 'ioredis'
import type { Pool } from 'pg'

export interface SaleDeps {
  db: Pool
  redis: Redis
}

export interface Sale {
  /** Opens a sale of `stock` units: resets the stock and forgets previous buyers. */
  open(stock: number): Promise<void>
  /** Gives a user's unit back to the sale (compensation); a no-op if they hold none. */
  release(userId: string): Promise<void>
  handler: (req: IncomingMessage, res: ServerResponse) => void
}

export function createSale(deps: SaleDeps): Sale {
  void deps
  throw new Error('TODO: createSale({ db, redis }) — open(), release() and the HTTP handler with POST /buy (step 1 of README.md)\nTODO(ru): createSale({ db, redis }) — open(), release() и HTTP-обработчик с POST /buy (шаг 1 в README.ru.md)')
}

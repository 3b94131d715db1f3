import type { Tracer } from '@opentelemetry/api'
import express from 'express'
import type pg from 'pg'

export interface AppDeps {
  tracer: Tracer
  pool: pg.Pool
  /** Base URL of the inventory service, e.g. http://127.0.0.1:4000 */
  inventoryUrl: string
}

export const ORDER_QUERY = 'select id, sku, qty from orders where id = $1'

/**
 * GET /orders/:id → the order and whether the inventory has enough stock, with a SERVER
 * span, a database CLIENT span and an HTTP CLIENT span that propagates traceparent.
 * See README.md.
 */
export function createApp(deps: AppDeps): express.Express {
  throw new Error('TODO: build the Express app with GET /orders/:id, traced with deps.tracer\nTODO(ru): собрать приложение Express с GET /orders/:id и трассировкой через deps.tracer')
}

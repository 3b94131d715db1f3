import type pg from 'pg'
import type * as Orders from './orders.ts'
import type { TestApi } from './test-api.ts'

/**
 * Write integration tests for the orders repository here. `pool` is connected to an empty
 * database of your own for each run: create the tables with migrate(pool) and clean them
 * between tests. Reach migrate and createOrderRepo only through `orders`.
 */
export function defineTests(t: TestApi, orders: typeof Orders, pool: pg.Pool): void {
  throw new Error('TODO: migrate in beforeAll, empty the tables in beforeEach, and test create/get/listByCustomer against the database\nTODO(ru): выполнить миграции в beforeAll, очищать таблицы в beforeEach и проверить create/get/listByCustomer на настоящей базе')
}

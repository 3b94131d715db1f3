import type * as Cart from './cart.ts'
import type { TestApi } from './test-api.ts'

/**
 * Write unit tests for quote() here. The grader calls defineTests twice per bug it plants:
 * `cart` is the real implementation once, then a broken copy; your tests must pass on the
 * first and fail on every broken one. Use only what `t` and `cart` give you.
 */
export function defineTests(t: TestApi, cart: typeof Cart): void {
  throw new Error('TODO: declare tests with t.describe / t.it / t.expect that pin down every rule of quote() in README.md\nTODO(ru): описать тесты через t.describe / t.it / t.expect, которые закрепляют каждое правило quote() из README.ru.md')
}

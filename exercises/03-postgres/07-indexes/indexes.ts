import type { Pool } from 'pg'

/** The one method this module needs from a pg Pool (or Client). */
export type Db = Pick<Pool, 'query'>

/**
 * Creates the indexes that make the four queries of README.md fast.
 * It may run more than once: use CREATE INDEX IF NOT EXISTS.
 */
export async function createIndexes(db: Db): Promise<void> {
  throw new Error('TODO: createIndexes — CREATE INDEX IF NOT EXISTS … for each of the four queries in README.md\nTODO(ru): createIndexes — CREATE INDEX IF NOT EXISTS … для каждого из четырёх запросов из README.ru.md')
}

import { createDatabase, dropDatabase, withAdmin } from './postgres-databases.ts'

/**
 * Databases made ahead of time, like the spare worker: the next run of a PostgreSQL
 * kata finds its database cloned while the learner was typing, and the last run's
 * database is dropped after the verdict, not before it.
 */
export class DatabaseStock {
  private ready: string[] = []
  private filling: Promise<void> | undefined
  private closed = false

  private readonly adminUrl: string
  constructor(adminUrl: string) {
    this.adminUrl = adminUrl
  }

  /** A database no one uses yet, or undefined (the fixture then makes its own). */
  take(): string | undefined {
    return this.ready.shift()
  }

  /**
   * After a run: drops the database it used and clones the next one, in the background
   * and one after the other, while the learner reads the verdict (never during a run).
   */
  afterRun(used: string | undefined) {
    if (this.closed || this.filling) return
    this.filling = withAdmin(this.adminUrl, async (c) => {
      if (used) await dropDatabase(c, used)
      if (this.ready.length || this.closed) return
      const name = await createDatabase(c)
      if (this.closed) await dropDatabase(c, name)
      else this.ready.push(name)
    })
      .catch(() => undefined) // the service may be down: runs then fall back to the fixture
      .finally(() => (this.filling = undefined))
  }

  /** Waits for the background work (a run should not start in the middle of it). */
  async settled() {
    await this.filling
  }

  async close() {
    this.closed = true
    await this.filling
    const left = this.ready.splice(0)
    if (left.length) await withAdmin(this.adminUrl, async (c) => void (await Promise.all(left.map((n) => dropDatabase(c, n))))).catch(() => undefined)
  }
}

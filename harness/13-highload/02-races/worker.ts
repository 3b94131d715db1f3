// A second (third…) instance of the booking service: loads the learner's bookSeat in its
// own process, with its own pool, and runs the bookings it is sent as soon as it hears "go".
import pg from 'pg'
import { describeError, importKata, messages, send, withLatency } from '#support/highload-child'

interface Job {
  module: string
  url: string
  latencyMs: number
  calls: { showId: number; seat: string; userId: string }[]
}

const inbox = messages()
const job = (await inbox.next()).value as Job
const kata = await importKata(job.module)
const bookSeat = kata.bookSeat as (db: pg.Pool, req: Job['calls'][number]) => Promise<unknown>
const pool = withLatency(new pg.Pool({ connectionString: job.url, max: 4 }), job.latencyMs)
pool.on('error', () => undefined)
// Open the connections before the start signal, so both processes start racing at once.
const warm = await Promise.all(Array.from({ length: 4 }, () => pool.connect()))
warm.forEach((c) => c.release())
send({ ready: true })
await inbox.next()
const results = await Promise.all(
  job.calls.map((call) =>
    bookSeat(pool, call).then(
      (value) => ({ value }),
      (err: unknown) => ({ error: describeError(err) }),
    ),
  ),
)
send({ results })
await pool.end()
process.exit(0)

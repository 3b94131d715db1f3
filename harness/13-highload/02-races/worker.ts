// A second (third…) instance of the booking service: loads the learner's bookSeat in its
// own process, with its own pool, and runs the bookings it is sent as soon as it hears "go".
import pg from 'pg'
import { describeError, importKata, messages, send, withHold, withLatency } from '#support/highload-child'

interface Job {
  module: string
  url: string
  latencyMs: number
  calls: { showId: number; seat: string; userId: string }[]
  /** Hold this process's first write (update/insert) until the parent says "release". */
  holdWrite?: boolean
}

const inbox = messages()
const job = (await inbox.next()).value as Job
const kata = await importKata(job.module)
const bookSeat = kata.bookSeat as (db: pg.Pool, req: Job['calls'][number]) => Promise<unknown>
let release!: () => void
const released = new Promise<void>((r) => (release = r))
let pool = withLatency(new pg.Pool({ connectionString: job.url, max: 4 }), job.latencyMs)
if (job.holdWrite) pool = withHold(pool, /^\s*(update|insert)\b/i, () => send({ held: true }), released)
pool.on('error', () => undefined)
// Open the connections before the start signal, so both processes start racing at once.
const warm = await Promise.all(Array.from({ length: 4 }, () => pool.connect()))
warm.forEach((c) => c.release())
send({ ready: true })
await inbox.next()
// The next message, if any, releases the held write.
void inbox.next().then(() => release())
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

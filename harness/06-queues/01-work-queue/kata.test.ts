import { describe, expect, it } from 'vitest'
import type { Channel } from 'amqplib'
import { useRabbit } from '#support/rabbitmq'
import { deferred, readyCount, sleep, waitFor, watchChannel, within } from '#support/queues'
import { sendJob, startWorker } from '@kata/queues/work-queue'

interface Worker {
  stop(): Promise<void>
}
type Handler = (job: unknown, meta: { messageId: string }) => Promise<void>

const rabbit = useRabbit()

/** A channel on its own connection, so a test can "crash" it by closing the connection. */
async function workerChannel() {
  const conn = await rabbit.connect()
  const ch = await conn.createChannel()
  return { conn, ch, watch: watchChannel(ch) }
}

const send = (ch: Channel, queue: string, job: unknown): Promise<string> => sendJob(ch, queue, job)
const start = (ch: Channel, queue: string, handler: Handler): Promise<Worker> => startWorker(ch, queue, handler)

describe('sendJob(channel, queue, job): the producer', () => {
  it('declares the queue itself and puts the job on it as JSON with contentType and messageId', async () => {
    const ch = await rabbit.channel()
    const queue = rabbit.queue('wq.produce')
    const job = { type: 'email', to: 'ada@example.com', n: 1 }
    const id = await send(ch, queue, job)
    expect(typeof id, 'sendJob(...) returns the message id (a string)').toBe('string')
    expect(id.length, 'sendJob(...) returns a non-empty message id').toBeGreaterThan(0)
    const probe = await rabbit.channel()
    const msg = await probe.get(queue, { noAck: true })
    expect(msg, `after sendJob(ch, "${queue}", job) the queue holds a message`).not.toBe(false)
    if (!msg) return
    expect(JSON.parse(msg.content.toString()), 'the message body, parsed as JSON').toEqual(job)
    expect(msg.properties.contentType, 'the message property contentType').toBe('application/json')
    expect(msg.properties.messageId, 'the message property messageId is the id sendJob returned').toBe(id)
  })

  it('gives every job its own message id and keeps them in the order sent', async () => {
    const ch = await rabbit.channel()
    const queue = rabbit.queue('wq.ids')
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push(await send(ch, queue, { i }))
    expect(new Set(ids).size, `5 calls of sendJob returned ids ${JSON.stringify(ids)}: how many distinct`).toBe(5)
    const again = [await send(ch, rabbit.queue('wq.same'), { same: true }), await send(ch, rabbit.queue('wq.same'), { same: true })]
    expect(new Set(again).size, `sendJob called twice with the same job {same:true} returned ids ${JSON.stringify(again)}: how many distinct (every call is a new message)`).toBe(2)
    const probe = await rabbit.channel()
    const bodies: unknown[] = []
    for (;;) {
      const m = await probe.get(queue, { noAck: true })
      if (!m) break
      bodies.push(JSON.parse(m.content.toString()))
    }
    expect(bodies, 'the queue content after sending {i:0}..{i:4}').toEqual([0, 1, 2, 3, 4].map((i) => ({ i })))
  })

  it('sends any JSON value: a string, a number, an array', async () => {
    const ch = await rabbit.channel()
    const queue = rabbit.queue('wq.values')
    for (const v of ['plain text', 42, [1, 'two', null]]) await send(ch, queue, v)
    const probe = await rabbit.channel()
    const got: unknown[] = []
    for (let m = await probe.get(queue, { noAck: true }); m; m = await probe.get(queue, { noAck: true })) got.push(JSON.parse(m.content.toString()))
    expect(got, 'the bodies after sending "plain text", 42, [1,"two",null]').toEqual(['plain text', 42, [1, 'two', null]])
  })
})

describe('startWorker(channel, queue, handler): the consumer', () => {
  it('declares the queue itself, so a worker can start before any producer', async () => {
    const { ch, watch } = await workerChannel()
    const queue = rabbit.queue('wq.first')
    const seen: unknown[] = []
    const worker = await start(ch, queue, async (job) => void seen.push(job))
    const producer = await rabbit.channel()
    await send(producer, queue, { hello: 'world' })
    await waitFor(() => seen.length === 1, () => `the handler to receive the job sent after startWorker${watch.describe()}`)
    expect(seen[0], 'the job the handler received (parsed JSON)').toEqual({ hello: 'world' })
    await worker.stop()
  })

  it('hands each job to the handler once, parsed, in the order sent, with its messageId', async () => {
    const { ch, watch } = await workerChannel()
    const queue = rabbit.queue('wq.order')
    const producer = await rabbit.channel()
    const ids: string[] = []
    for (let i = 0; i < 10; i++) ids.push(await send(producer, queue, { i }))
    const seen: { job: unknown; messageId: string }[] = []
    const worker = await start(ch, queue, async (job, meta) => void seen.push({ job, messageId: meta?.messageId }))
    await waitFor(() => seen.length >= 10, () => `the handler to be called for 10 jobs (called ${seen.length} times)${watch.describe()}`)
    await sleep(50)
    expect(seen.map((s) => s.job), 'the jobs the handler received, in order').toEqual(ids.map((_, i) => ({ i })))
    expect(seen.map((s) => s.messageId), 'meta.messageId of each handler call').toEqual(ids)
    await worker.stop()
  })

  it('acknowledges handled jobs: when the worker goes away, nothing comes back to the queue', async () => {
    const { conn, ch, watch } = await workerChannel()
    const queue = rabbit.queue('wq.ack')
    const producer = await rabbit.channel()
    for (let i = 0; i < 6; i++) await send(producer, queue, { i })
    let handled = 0
    await start(ch, queue, async () => void handled++)
    await waitFor(() => handled === 6, () => `6 jobs to be handled (handled ${handled})${watch.describe()}`)
    await sleep(50)
    await conn.close() // the worker's process dies: unacknowledged messages would return to the queue
    await sleep(50)
    expect(await readyCount(producer, queue), 'messages back in the queue after the worker that handled all 6 jobs disconnected (unacknowledged ones come back)').toBe(0)
  })

  it('acknowledges only once the handler has finished: a job whose worker dies mid-job comes back to the queue', async () => {
    const { conn, ch, watch } = await workerChannel()
    const queue = rabbit.queue('wq.crash')
    const producer = await rabbit.channel()
    const started = deferred()
    await start(ch, queue, async () => {
      started.resolve()
      await new Promise(() => undefined) // the job never finishes: the worker dies in the middle
    })
    await send(producer, queue, { invoice: 7 })
    await within(started.promise, 3000, `the handler to start on the job${watch.describe()}`)
    await sleep(50)
    await conn.close() // the worker's process dies while handling the job
    await sleep(50)
    expect(
      await readyCount(producer, queue),
      'jobs back in the queue after the worker died while its handler was still running: the job was acknowledged before it was done (ack on receipt, or noAck) and is lost. Ack after the handler resolves',
    ).toBe(1)
  })

  it('drops a job whose handler fails (no endless redelivery) and goes on with the next ones', async () => {
    const { conn, ch, watch } = await workerChannel()
    const queue = rabbit.queue('wq.fail')
    const producer = await rabbit.channel()
    for (const i of [1, 2, 3, 4]) await send(producer, queue, { i })
    const calls: number[] = []
    await start(ch, queue, async (job) => {
      const { i } = job as { i: number }
      calls.push(i)
      if (i === 2) throw new Error('job 2 is broken')
    })
    await waitFor(() => calls.includes(4), () => `the handler to reach job 4 after job 2 failed (calls: ${JSON.stringify(calls)})${watch.describe()}`)
    await sleep(100)
    expect(calls.filter((i) => i === 2).length, 'how many times the handler was called for the failing job 2').toBe(1)
    expect([...calls].sort(), 'jobs the handler was called for').toEqual([1, 2, 3, 4])
    await conn.close()
    await sleep(50)
    expect(await readyCount(producer, queue), 'messages left in the queue after the worker disconnected (the failed one must be rejected, not left unacknowledged)').toBe(0)
  })

  it('shares the work between two workers on the same queue: every job handled exactly once', async () => {
    const a = await workerChannel()
    const b = await workerChannel()
    const queue = rabbit.queue('wq.share')
    const byWorker = { a: [] as number[], b: [] as number[] }
    const slow = (who: 'a' | 'b'): Handler => async (job) => {
      await sleep(5)
      byWorker[who].push((job as { i: number }).i)
    }
    const wa = await start(a.ch, queue, slow('a'))
    const wb = await start(b.ch, queue, slow('b'))
    const producer = await rabbit.channel()
    for (let i = 0; i < 20; i++) await send(producer, queue, { i })
    const total = () => byWorker.a.length + byWorker.b.length
    await waitFor(() => total() >= 20, () => `20 jobs to be handled by two workers (handled ${total()})${a.watch.describe()}${b.watch.describe()}`)
    await sleep(50)
    const all = [...byWorker.a, ...byWorker.b].sort((x, y) => x - y)
    expect(all, 'all jobs handled by the two workers together (each exactly once)').toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(byWorker.a.length, 'jobs handled by worker A (RabbitMQ hands messages to both consumers in turn)').toBeGreaterThan(0)
    expect(byWorker.b.length, 'jobs handled by worker B').toBeGreaterThan(0)
    await Promise.all([wa.stop(), wb.stop()])
  })

  it('stop() waits for the job in progress, acknowledges it, and leaves later jobs in the queue', async () => {
    const { conn, ch, watch } = await workerChannel()
    const queue = rabbit.queue('wq.stop')
    const producer = await rabbit.channel()
    const started = deferred()
    const release = deferred()
    let finished = 0
    const worker = await start(ch, queue, async () => {
      started.resolve()
      await release.promise
      finished++
    })
    await send(producer, queue, { i: 0 })
    await within(started.promise, 3000, `the handler to start on the first job${watch.describe()}`)
    let stopped = false
    const stopping = worker.stop().then(() => void (stopped = true))
    await sleep(100)
    expect(stopped, 'stop() resolved while a job was still being handled (it must wait for it)').toBe(false)
    release.resolve()
    await within(stopping, 3000, 'worker.stop() after the job in progress finished')
    expect(finished, 'jobs finished when stop() resolved').toBe(1)
    for (let i = 1; i <= 3; i++) await send(producer, queue, { i })
    await sleep(100)
    expect(finished, 'jobs handled after stop() (must be none)').toBe(1)
    expect(await readyCount(producer, queue), 'jobs waiting in the queue after sending 3 jobs to a stopped worker').toBe(3)
    await conn.close()
    await sleep(50)
    expect(await readyCount(producer, queue), 'jobs in the queue after the stopped worker disconnected (the finished job must have been acknowledged)').toBe(3)
  })
})

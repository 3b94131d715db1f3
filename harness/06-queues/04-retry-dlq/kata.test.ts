import { describe, expect, it, vi } from 'vitest'
import { randomUUID } from 'node:crypto'
import type { Channel } from 'amqplib'
import { useRabbit } from '#support/rabbitmq'
import { drain, json, readyCount, sleep, waitFor, watchChannel } from '#support/queues'
import { publishTo, tapChannel } from '#support/faults/amqp'
import { startRetryingConsumer } from '@kata/queues/retry-dlq'

interface Names {
  queue: string
  retryQueue: string
  deadLetterQueue: string
}
type Handler = (body: unknown, info: { attempt: number }) => Promise<void>
const start = (ch: Channel, names: Names, maxRetries: number, baseDelayMs: number, h: Handler): Promise<void> =>
  startRetryingConsumer(ch, names, { maxRetries, baseDelayMs }, h)

const rabbit = useRabbit()
// Timers and TTLs have millisecond granularity on both sides: allow a few ms of rounding.
const SLACK_MS = 5

async function setup(base: string) {
  const names: Names = { queue: rabbit.queue(base), retryQueue: rabbit.queue(`${base}.retry`), deadLetterQueue: rabbit.queue(`${base}.dlq`) }
  const conn = await rabbit.connect()
  const ch = await conn.createChannel()
  const admin = await rabbit.channel()
  const publish = (body: unknown) => {
    const messageId = randomUUID()
    admin.sendToQueue(names.queue, json(body), { messageId, persistent: true })
    return messageId
  }
  const counts = async () => ({
    queue: await readyCount(admin, names.queue),
    retryQueue: await readyCount(admin, names.retryQueue),
    deadLetterQueue: await readyCount(admin, names.deadLetterQueue),
  })
  // The learner's code gets a tapped channel: the suite sees what it publishes and acks.
  const tap = tapChannel(ch)
  return { names, conn, ch: tap.channel, tap, admin, publish, counts, watch: watchChannel(ch) }
}

interface Call {
  body: unknown
  attempt: number
  at: number
}

describe('startRetryingConsumer(channel, { queue, retryQueue, deadLetterQueue }, { maxRetries, baseDelayMs }, handler)', () => {
  it('declares the three queues itself', async () => {
    const s = await setup('rt.decl')
    await start(s.ch, s.names, 2, 20, async () => undefined)
    for (const [role, name] of Object.entries(s.names)) {
      const probe = await rabbit.connect()
      const ch = await probe.createChannel()
      ch.on('error', () => undefined)
      const exists = await ch.checkQueue(name).then(
        () => true,
        () => false,
      )
      await probe.close().catch(() => undefined)
      expect(exists, `the ${role} "${name}" exists after startRetryingConsumer`).toBe(true)
    }
  })

  it('a message that succeeds at once is handled once, with attempt 1, and nothing is retried', async () => {
    const s = await setup('rt.ok')
    const calls: Call[] = []
    await start(s.ch, s.names, 3, 20, async (body, info) => void calls.push({ body, attempt: info?.attempt, at: 0 }))
    s.publish({ order: 1 })
    await waitFor(() => calls.length === 1, () => `the handler to be called${s.watch.describe()}`)
    await sleep(100)
    expect(calls.map((c) => [c.body, c.attempt]), 'handler calls as [body, attempt]').toEqual([[{ order: 1 }, 1]])
    expect(await s.counts(), 'messages ready in each queue afterwards').toEqual({ queue: 0, retryQueue: 0, deadLetterQueue: 0 })
  })

  it('a message that keeps failing is retried maxRetries times with exponential backoff, then dead-lettered', async () => {
    const s = await setup('rt.fail')
    const calls: Call[] = []
    const base = 25
    await start(s.ch, s.names, 3, base, async (body, info) => {
      calls.push({ body, attempt: info?.attempt, at: performance.now() })
      throw new Error(`boom on attempt ${info?.attempt}`)
    })
    const id = s.publish({ order: 2 })
    await waitFor(async () => (await s.counts()).deadLetterQueue === 1, () => `the message to reach the dead-letter queue (handler calls so far: ${calls.length}, attempts ${JSON.stringify(calls.map((c) => c.attempt))})${s.watch.describe()}`)
    await sleep(150)
    expect(calls.map((c) => c.attempt), 'the attempt numbers the handler saw (1 try + maxRetries 3 retries)').toEqual([1, 2, 3, 4])
    const gaps = calls.slice(1).map((c, i) => Math.round(c.at - calls[i]!.at))
    const expected = [base, base * 2, base * 4]
    gaps.forEach((gap, i) => {
      expect(gap, `ms between attempt ${i + 1} and attempt ${i + 2} (backoff baseDelayMs × 2^${i} = ${expected[i]} ms); all gaps: ${JSON.stringify(gaps)}`).toBeGreaterThanOrEqual(expected[i]! - SLACK_MS)
    })
    const expirations = s.tap.log.filter((st) => st.op === 'publish' && st.routingKey === s.names.retryQueue).map((st) => (st.op === 'publish' ? Number(st.options?.expiration) : NaN))
    expect(expirations, `the expiration of each copy published to retryQueue (baseDelayMs × 2^(attempt − 1), baseDelayMs ${base})`).toEqual([base, base * 2, base * 4])
    const [dead, extra] = await drain(s.admin, s.names.deadLetterQueue)
    expect(extra, 'a second copy in the dead-letter queue').toBeUndefined()
    expect(dead && JSON.parse(dead.content.toString()), 'the dead-lettered body').toEqual({ order: 2 })
    expect(dead?.properties.messageId, 'the dead-lettered message keeps its messageId').toBe(id)
    expect(dead?.properties.headers?.['x-error'], 'header x-error of the dead-lettered message (the last error message)').toBe('boom on attempt 4')
    expect(Number(dead?.properties.headers?.['x-attempts']), 'header x-attempts of the dead-lettered message').toBe(4)
    await sleep(50)
    await s.conn.close()
    await sleep(50)
    expect(await s.counts(), 'messages ready in each queue after the consumer disconnected (every delivery must be acked)').toEqual({ queue: 0, retryQueue: 0, deadLetterQueue: 0 })
  })

  it('a message that succeeds on a retry is processed exactly once and never dead-lettered', async () => {
    const s = await setup('rt.recover')
    const calls: Call[] = []
    const effects: unknown[] = []
    await start(s.ch, s.names, 3, 20, async (body, info) => {
      calls.push({ body, attempt: info?.attempt, at: performance.now() })
      if (info?.attempt < 3) throw new Error('flaky')
      effects.push(body)
    })
    s.publish({ order: 3 })
    await waitFor(() => effects.length >= 1, () => `the handler to succeed on attempt 3 (attempts so far: ${JSON.stringify(calls.map((c) => c.attempt))})${s.watch.describe()}`)
    await sleep(200)
    expect(calls.map((c) => c.attempt), 'attempts the handler saw').toEqual([1, 2, 3])
    expect(effects, 'successful handler runs (the business effect)').toEqual([{ order: 3 }])
    await s.conn.close()
    await sleep(50)
    expect(await s.counts(), 'messages ready in each queue afterwards').toEqual({ queue: 0, retryQueue: 0, deadLetterQueue: 0 })
  })

  it('maxRetries 0: a failure goes straight to the dead-letter queue', async () => {
    const s = await setup('rt.zero')
    const attempts: number[] = []
    await start(s.ch, s.names, 0, 20, async (_b, info) => {
      attempts.push(info?.attempt)
      throw new Error('no second chance')
    })
    s.publish({ order: 4 })
    await waitFor(async () => (await s.counts()).deadLetterQueue === 1, () => `the message to reach the dead-letter queue (attempts: ${JSON.stringify(attempts)})${s.watch.describe()}`)
    await sleep(100)
    expect(attempts, 'attempts with maxRetries 0').toEqual([1])
  })

  it('a body that is not JSON goes to the dead-letter queue at once, without calling the handler or retrying', async () => {
    const s = await setup('rt.garbage')
    const calls: unknown[] = []
    await start(s.ch, s.names, 3, 20, async (b) => void calls.push(b))
    s.admin.sendToQueue(s.names.queue, Buffer.from('<xml/>'), { messageId: 'garbage' })
    await waitFor(async () => (await s.counts()).deadLetterQueue === 1, () => `the broken message to reach the dead-letter queue${s.watch.describe()}`)
    await sleep(100)
    expect(calls, 'handler calls for a body that is not JSON').toEqual([])
    expect((await drain(s.admin, s.names.deadLetterQueue))[0]?.content.toString(), 'the dead-lettered body').toBe('<xml/>')
  })

  it('while a message waits for its retry it sits in the retry queue, and other messages go on', async () => {
    const s = await setup('rt.wait')
    const calls: Call[] = []
    await start(s.ch, s.names, 1, 400, async (body, info) => {
      calls.push({ body, attempt: info?.attempt, at: performance.now() })
      if ((body as { flaky?: boolean }).flaky && info?.attempt === 1) throw new Error('try later')
    })
    s.publish({ flaky: true })
    await waitFor(() => calls.length === 1, () => `the first attempt${s.watch.describe()}`)
    await sleep(100)
    expect(await s.counts(), 'ready messages 100 ms after the first attempt failed (baseDelayMs 400: it waits in the retry queue, not in the consumer)').toEqual({ queue: 0, retryQueue: 1, deadLetterQueue: 0 })
    s.publish({ flaky: false })
    await waitFor(() => calls.length === 2, () => `a second message to be handled while the first waits for its retry${s.watch.describe()}`)
    expect(calls[1]?.body, 'the message handled while the flaky one waits').toEqual({ flaky: false })
    await waitFor(() => calls.length === 3, () => `the retry of the flaky message after its 400 ms delay${s.watch.describe()}`)
    expect([calls[2]?.body, calls[2]?.attempt], 'the third handler call: the flaky message, attempt 2').toEqual([{ flaky: true }, 2])
  })

  it('the attempt count travels with the message: a consumer restart during the backoff does not reset it', async () => {
    const s = await setup('rt.restart')
    const attempts: number[] = []
    const handler: Handler = async (_b, info) => {
      attempts.push(info?.attempt)
      if (info?.attempt < 3) throw new Error('still failing')
    }
    await start(s.ch, s.names, 2, 150, handler)
    s.publish({ order: 5 })
    await waitFor(async () => attempts.length === 1 && (await s.counts()).retryQueue === 1, () => `the first attempt to fail and the message to wait in the retry queue (attempts ${JSON.stringify(attempts)})${s.watch.describe()}`)
    await s.conn.close() // the consumer dies while the message waits
    // A new process: the kata's module is loaded afresh, so nothing kept in memory survives.
    vi.resetModules()
    const fresh = (await import('@kata/queues/retry-dlq')) as { startRetryingConsumer: typeof startRetryingConsumer }
    const conn2 = await rabbit.connect()
    const ch2 = await conn2.createChannel()
    const watch2 = watchChannel(ch2)
    await fresh.startRetryingConsumer(ch2, s.names, { maxRetries: 2, baseDelayMs: 150 }, handler)
    await waitFor(() => attempts.length === 3, () => `a new consumer to go on with attempts 2 and 3 (attempts ${JSON.stringify(attempts)})${watch2.describe()}`)
    await sleep(100)
    expect(attempts, 'attempts seen across two consumer processes (the second one must not start again at 1: keep the count in a message header, not in memory)').toEqual([1, 2, 3])
    expect(await s.counts(), 'ready messages afterwards').toEqual({ queue: 0, retryQueue: 0, deadLetterQueue: 0 })
  })

  it('a consumer that dies between publishing the retry copy and acking the original loses nothing', async () => {
    const s = await setup('rt.crash')
    const attempts: number[] = []
    // The consumer's process dies at the moment it publishes the retry copy: that publish is
    // never sent, and whatever it had not acked yet goes back to the queue.
    const { crashed } = s.tap.crashAt(publishTo(s.names.retryQueue))
    await start(s.ch, s.names, 3, 20, async (_b, info) => {
      attempts.push(info?.attempt)
      throw new Error('temporary')
    })
    s.publish({ order: 6 })
    await Promise.race([crashed, sleep(3000)])
    expect(s.tap.isDead(), `the consumer publishing a retry copy to retryQueue after the handler failed (attempts: ${JSON.stringify(attempts)})${s.watch.describe()}`).toBe(true)
    expect(
      await s.counts(),
      'ready messages after the consumer died while publishing the retry copy: the original must be back in the queue. If it is gone, it was acked before its retry copy was published; publish first, then ack',
    ).toEqual({ queue: 1, retryQueue: 0, deadLetterQueue: 0 })
  })

  it('many failing messages at once: each one is processed exactly once in the end', async () => {
    const s = await setup('rt.many')
    const effects = new Map<number, number>()
    await start(s.ch, s.names, 2, 20, async (body, info) => {
      const { n } = body as { n: number }
      if (info?.attempt === 1 && n % 2 === 0) throw new Error('even ones fail first')
      effects.set(n, (effects.get(n) ?? 0) + 1)
    })
    for (let n = 0; n < 20; n++) s.publish({ n })
    await waitFor(() => effects.size === 20, () => `all 20 messages to be processed (processed ${effects.size})${s.watch.describe()}`)
    await sleep(150)
    const twice = [...effects].filter(([, c]) => c !== 1).map(([n]) => n)
    expect(twice, 'messages processed more than once').toEqual([])
    expect(await s.counts(), 'ready messages afterwards').toEqual({ queue: 0, retryQueue: 0, deadLetterQueue: 0 })
  })
})

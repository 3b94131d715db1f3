// Loaded into a worker with --import while it waits for its run (a spare worker waits
// while the learner types): the service clients and fixtures the last kata's suite used,
// so the next run of it finds them in Node's module cache instead of loading them on the
// save's clock. ROADMAP_PRELOAD names them (packages and absolute paths), comma-separated.
const names = (process.env.ROADMAP_PRELOAD ?? '').split(',').filter(Boolean)
await Promise.allSettled(names.map((n) => import(n)))

// A Vitest worker of roadmap's: the guards its setup file installs before each suite, loaded
// here natively (no round trip to the grader per module) and readied while the worker waits;
// only harness code has run so far. worker-setup.ts takes them. Should any of it fail, the
// setup file loads the guards itself.
if (names.includes('vitest')) {
  try {
    const { guardSuite, prepareGuards } = await import('./suite-guards.ts')
    prepareGuards()
    Object.defineProperty(globalThis, Symbol.for('roadmap:guard-suite'), { value: guardSuite, configurable: true })
  } catch {
    // the slow way, then
  }
  // A failed assertion's report (diff, serialization) is cold code in a new process: ~5 ms of
  // a failing run. The learner mostly sees failing runs; one here, on nothing of theirs.
  try {
    const { processError } = await import('vitest/internal/browser')
    processError(Object.assign(new Error('warm-up'), { actual: { a: 1, b: [1] }, expected: { a: 2, b: [1] }, showDiff: true }))
  } catch {
    // only the head start is lost
  }
}

// ROADMAP_WARM_CONNECT (watch, never graded workers): one connection to each service the
// last kata used, opened and closed now. A fresh process runs a client's connect and first
// command as cold code (~20-30 ms of a PostgreSQL kata's run); once run here, the suite's
// own connection is as fast as a warm process's. Failures only cost that head start.
const warm = JSON.parse(process.env.ROADMAP_WARM_CONNECT ?? '{}')
delete process.env.ROADMAP_WARM_CONNECT

const CONNECT = {
  async postgres(url) {
    const { default: pg } = await import('pg')
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
    try {
      await client.connect()
      await client.query('select $1::int as n', [1])
    } finally {
      await client.end().catch(() => undefined)
    }
  },
  async redis(url) {
    const { Redis } = await import('ioredis')
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null })
    redis.on('error', () => undefined) // the connect's rejection says it; no second report on stderr
    try {
      await redis.connect()
      await redis.ping()
    } finally {
      redis.disconnect()
    }
  },
  async rabbitmq(url) {
    const { default: amqp } = await import('amqplib')
    const connection = await amqp.connect(url, { noDelay: true, timeout: 2000 })
    try {
      // A queue of the broker's naming, exclusive to this connection: it goes when the connection
      // does. One message through it runs the declare, publish and deliver code a suite runs.
      const channel = await connection.createChannel()
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true })
      const delivered = new Promise((resolve) => void channel.consume(queue, (m) => m && resolve(m), { noAck: true }))
      channel.sendToQueue(queue, Buffer.from('warm'))
      await delivered
      await channel.close()
    } finally {
      await connection.close().catch(() => undefined)
    }
  },
}

const within = (p, ms) => Promise.race([p, new Promise((resolve) => setTimeout(resolve, ms).unref())])
await within(Promise.allSettled(Object.entries(warm).map(([service, url]) => CONNECT[service]?.(url))), 3000)

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import amqp from 'amqplib'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../src/catalog/load.ts'
import { SuiteRunner } from '../src/runner/suite-runner.ts'
import { STARVED_CAP } from '../src/runner/watchdog.ts'
import { solutionsTarget, submissionTarget } from '../src/runner/target.ts'
import type { Kata } from '../src/catalog/types.ts'
import { SERVICES } from '../src/services/catalog.ts'
import { probe } from '../src/services/probe.ts'
import { catalog, roomyDemoRoot, submission } from './helpers.ts'

// One runner per target folder, as in a session; the start kata, given a 5 s budget here
// (the watchdog reads the budget of the kata it is handed).
const cat = catalog()
const kata: Kata = { ...(cat.byId.get('start/first-verdict') as Kata), budgetMs: 5000 }
const noServices = { urls: {}, problem: () => undefined }

async function runOn(files: Record<string, string>) {
  const runner = await SuiteRunner.create({ catalog: cat, services: noServices }, submissionTarget(submission(kata, files)))
  try {
    const t0 = performance.now()
    const result = await runner.run(kata)
    return { result, ms: performance.now() - t0, runner }
  } finally {
    await runner.close()
  }
}

const solution = 'export const greet = (n: string) => `Hello, ${n.trim() || "world"}!`\n'

describe('runner verdicts', () => {
  it('passes the reference behaviour and fails the starter behaviour with the diff', async () => {
    const ok = await runOn({ 'greet.ts': solution })
    expect(ok.result.verdict).toBe('pass')
    const bad = await runOn({ 'greet.ts': "export const greet = (n: string) => 'Hello'\n" })
    expect(bad.result.verdict).toBe('fail')
    expect(bad.result.tests[0]!.message).toMatch(/greet\("Ada"\)/)
    expect(bad.result.tests[0]!.diff).toMatch(/Expected: "Hello, Ada!"\nReceived: "Hello"/)
  })

  it('names file, line and column of a syntax error', async () => {
    const { result } = await runOn({ 'greet.ts': 'export function greet(n: string) { return n +* }\n' })
    expect(result.verdict).toBe('error')
    expect(result.message).toMatch(/^syntax error in \/.*greet\.ts:1:\d+: /)
  })

  it('explains a process.exit in learner code instead of dying', async () => {
    const { result } = await runOn({ 'greet.ts': 'process.exit(3)\nexport const greet = (n: string) => n\n' })
    expect(result.verdict).toBe('error')
    expect(result.message).toMatch(/process\.exit\(3\)/)
  })

  it('reports a throw at import as the learner’s error', async () => {
    const { result } = await runOn({ 'greet.ts': 'throw new Error("boom at import")\nexport const greet = (n: string) => n\n' })
    expect(result.verdict).toBe('error')
    expect(result.message).toMatch(/boom at import/)
  })

  it('captures the learner’s output per test, capped with a note', async () => {
    const { result } = await runOn({ 'greet.ts': 'export const greet = (n: string) => { console.log("x".repeat(20000)); return n }\n' })
    const out = result.tests[0]!.output!
    expect(out.length).toBeLessThan(9000)
    expect(out).toMatch(/output cut: \d+ more characters/)
  })
})

describe('watchdog', () => {
  let runner: SuiteRunner
  let loopDir: string
  beforeAll(async () => {
    loopDir = submission(kata, { 'greet.ts': 'export function greet(n: string): string { while (true) {} }\n' })
    runner = await SuiteRunner.create({ catalog: cat, services: noServices }, submissionTarget(loopDir))
  })
  afterAll(() => runner.close())

  it('ends a synchronous infinite loop inside a called function at its budget (plus the time a busy machine kept it from a CPU), and the instance runs on', { timeout: 40_000 }, async () => {
    const t0 = performance.now()
    const r = await runner.run(kata)
    const ms = performance.now() - t0
    expect(r.verdict).toBe('timeout')
    // The budget is the worker's own time: standing in the run queue behind other programs is given back, up to the cap.
    expect(ms).toBeLessThan(kata.budgetMs * STARVED_CAP + 1000)
    expect(r.message).toMatch(/longer than its budget of 5\.0 s/)
    // Same instance, same target: fix the file and run again.
    submission(kata, { 'greet.ts': solution }, loopDir)
    runner.invalidate(`${loopDir}/exercises/${kata.dir}/greet.ts`)
    const again = await runner.run(kata)
    expect(again.verdict).toBe('pass')
  })

  it('ends a loop at import time at its budget (plus the time a busy machine kept it from a CPU)', { timeout: 40_000 }, async () => {
    const { result, ms } = await runOn({ 'greet.ts': 'while (true) {}\nexport const greet = (n: string) => n\n' })
    expect(result.verdict).toBe('timeout')
    // The budget is the worker's own time: standing in the run queue behind other programs is given back, up to the cap.
    expect(ms).toBeLessThan(kata.budgetMs * STARVED_CAP + 1000)
  })
})

describe('services in the runner', () => {
  it('marks a kata whose service is missing as unavailable without running it', async () => {
    const redisKata = cat.katas.find((k) => k.services.includes('redis'))
    if (!redisKata) return
    const runner = await SuiteRunner.create({ catalog: cat, services: { urls: {}, problem: (n) => `${n} is not reachable. Start it: redis-server --daemonize yes` } }, submissionTarget(submission(redisKata, {})))
    try {
      const r = await runner.run(redisKata)
      expect(r.verdict).toBe('unavailable')
      expect(r.message).toMatch(/redis-server --daemonize yes/)
    } finally {
      await runner.close()
    }
  })
})

const LOCAL = { redis: SERVICES.redis.localUrl, rabbitmq: SERVICES.rabbitmq.localUrl }
const brokersUp = (await Promise.all([probe('redis', LOCAL.redis), probe('rabbitmq', LOCAL.rabbitmq)]).then(() => true, () => false))

describe.runIf(brokersUp)('what a run leaves on the services', () => {
  it('is removed after the verdict, before the next run starts: Redis keys under the run prefix, the queues the suite named', { timeout: 120_000 }, async () => {
    const root = roomyDemoRoot()
    const dir = join(root, 'harness/00-demo/01-add')
    writeFileSync(join(dir, 'kata.yaml'), 'id: demo/add\ntitle: { en: Add, ru: Сложение }\ntopics: [start.loop]\nservices: [redis, rabbitmq]\nfiles: [add.ts]\nbudgetMs: 20000\nhints: [{ en: a, ru: а }, { en: b, ru: б }]\n')
    // The suite leaves a key and a durable queue, and says where (its output).
    writeFileSync(
      join(dir, 'kata.test.ts'),
      `import { expect, it } from 'vitest'
import { useRedis } from '#support/redis'
import { useRabbit } from '#support/rabbitmq'
import { add } from '@kata/demo/add'
const redis = useRedis()
const mq = useRabbit()
it('adds and leaves things behind', async () => {
  await redis.client().set('sum', String(add(2, 3)))
  const q = mq.queue('left')
  await (await mq.channel()).assertQueue(q, { durable: true })
  console.log('LEFT ' + redis.prefix + ' ' + q)
  expect(add(2, 3)).toBe(5)
})
`,
    )
    const cat = loadCatalog(root)
    const k = cat.byId.get('demo/add')!
    const runner = await SuiteRunner.create({ catalog: cat, services: { urls: { ...LOCAL }, problem: () => undefined } }, solutionsTarget(cat))
    const admin = new Redis(LOCAL.redis)
    const broker = await amqp.connect(LOCAL.rabbitmq)
    try {
      const first = await runner.run(k)
      expect(first.verdict, first.message).toBe('pass')
      const [, prefix, queue] = /LEFT (\S+) (\S+)/.exec(first.output ?? '') ?? []
      expect(prefix && queue, first.output).toBeTruthy()
      expect((await runner.run(k)).verdict).toBe('pass')
      expect(await admin.keys(`${prefix}*`), 'keys of the first run').toEqual([])
      const ch = await broker.createChannel()
      ch.on('error', () => undefined)
      await expect(ch.checkQueue(queue!), 'the first run\'s queue').rejects.toThrow(/404|NOT_FOUND/)
    } finally {
      await runner.close()
      admin.disconnect()
      await broker.close().catch(() => undefined)
    }
  })
})

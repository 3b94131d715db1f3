import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../src/catalog/load.ts'
import type { Catalog, Kata } from '../src/catalog/types.ts'
import { SuiteRunner } from '../src/runner/suite-runner.ts'
import { submissionTarget } from '../src/runner/target.ts'
import { Services } from '../src/services/services.ts'
import { demoRoot, tmp } from './helpers.ts'

// Learner code that misbehaves, run by one long-lived runner as in a watch session:
// each case gets a clear verdict, and the next save runs normally.
let catalog: Catalog
let sub: string
let runner: SuiteRunner
const kata = (id: string) => catalog.byId.get(id) as Kata

beforeAll(async () => {
  catalog = loadCatalog(demoRoot())
  sub = tmp('roadmap-rel-')
  runner = await SuiteRunner.create({ catalog, services: { urls: {}, problem: () => undefined } }, submissionTarget(sub))
})
afterAll(() => runner.close())

async function save(id: string, source: string) {
  const k = kata(id)
  const file = join(sub, 'exercises', k.dir, k.files[0]!)
  mkdirSync(join(sub, 'exercises', k.dir), { recursive: true })
  writeFileSync(file, source)
  runner.invalidate(file)
  const t0 = performance.now()
  const result = await runner.run(k)
  return { result, ms: performance.now() - t0 }
}
const good = 'export const add = (a: number, b: number) => a + b\n'

describe('misbehaving learner code', () => {
  const cases: [string, string, RegExp, string][] = [
    ['an unhandled rejection', "Promise.reject(new Error('nobody caught me'))\nexport const add = (a: number, b: number) => a + b\n", /nobody caught me/, 'fail'],
    ['process.kill(process.pid)', 'export const add = (a: number, b: number): number => { process.kill(process.pid); return 0 }\n', /./, 'error'],
    ['process.exit(2) inside a function', 'export const add = (a: number, b: number): number => process.exit(2)\n', /process\.exit\(2\)/, 'fail'],
  ]
  for (const [name, source, message, verdict] of cases) {
    it(`${name}: a clear verdict, then the next save runs normally`, { timeout: 20_000 }, async () => {
      const { result } = await save('demo/add', source)
      expect(result.verdict).toBe(verdict)
      expect(`${result.message ?? ''}\n${result.tests.map((t) => t.message).join('\n')}`).toMatch(message)
      expect((await save('demo/add', good)).result.verdict).toBe('pass')
    })
  }

  it('a promise that never settles ends as a timeout within the budget', { timeout: 20_000 }, async () => {
    const { result, ms } = await save('demo/double', 'export function double(n: number): Promise<number> { return new Promise(() => {}) }\n')
    expect(result.verdict).toBe('timeout')
    expect(ms).toBeLessThan(kata('demo/double').budgetMs + 1000)
    expect((await save('demo/double', 'export const double = async (n: number) => n * 2\n')).result.verdict).toBe('pass')
  })

  it('unbounded memory growth ends as "out of memory", not a frozen machine', { timeout: 30_000 }, async () => {
    const { result } = await save('demo/add', 'const keep: number[][] = []\nexport function add(a: number, b: number): number { for (;;) keep.push(new Array(1e6).fill(a + b)) }\n')
    expect(result.verdict).toBe('oom')
    expect(result.message).toMatch(/more memory than the worker may have/)
    expect((await save('demo/add', good)).result.verdict).toBe('pass')
  })

  it('hundreds of MB of output are capped and the run stays quick', { timeout: 30_000 }, async () => {
    const { result, ms } = await save('demo/add', "export function add(a: number, b: number): number { const line = 'x'.repeat(1 << 20); for (let i = 0; i < 300; i++) console.log(line); return a + b }\n")
    expect(result.verdict).toBe('pass')
    const printed = (result.output ?? '') + result.tests.map((t) => t.output ?? '').join('')
    expect(printed.length).toBeLessThan(1 << 20)
    expect(printed).toMatch(/output past 256 KB was dropped|output cut/)
    expect(ms).toBeLessThan(kata('demo/add').budgetMs)
  })

  it('a server the learner starts and leaves running is gone after the run, its port free', { timeout: 20_000 }, async () => {
    const port = 47000 + Math.floor(Math.random() * 1000)
    const src = `import { createServer } from 'node:http'\ncreateServer((q, s) => s.end('x')).listen(${port})\nexport const add = (a: number, b: number) => a + b\n`
    expect((await save('demo/add', src)).result.verdict).toBe('pass')
    // The same port is free for the next run: otherwise listen() would throw EADDRINUSE.
    const again = await save('demo/add', src.replace("s.end('x')", "s.end('y')"))
    expect(again.result.verdict).toBe('pass')
    expect(again.result.output ?? '').not.toMatch(/EADDRINUSE/)
  })
})

describe('a service that goes away and comes back', () => {
  let redis: ChildProcess | undefined
  const port = 6390 + Math.floor(Math.random() * 50)
  const url = `redis://127.0.0.1:${port}`
  const startRedis = async () => {
    redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    for (let i = 0; i < 50; i++) {
      const s = await Services.resolve(['redis'], { root: '/', env: { REDIS_URL: url }, start: false })
      if (s.status('redis')?.state === 'ready') return
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const stopRedis = async () => {
    redis?.kill('SIGKILL')
    await new Promise((r) => setTimeout(r, 200))
  }
  afterAll(stopRedis)

  it('says unavailable (not the learner’s failure) while it is down, and works again without a restart', { timeout: 60_000 }, async () => {
    await startRedis()
    const services = await Services.resolve(['redis'], { root: '/', env: { REDIS_URL: url }, start: false })
    const root = demoRoot()
    const cat = loadCatalog(root)
    // A suite that talks to Redis through the fixture, written into the demo catalog.
    const dir = join(root, 'harness/00-demo/01-add')
    writeFileSync(join(dir, 'kata.yaml'), `id: demo/add\ntitle: { en: Add, ru: Сложение }\ntopics: [start.loop]\nservices: [redis]\nfiles: [add.ts]\nbudgetMs: 5000\nhints: [{ en: a, ru: а }, { en: b, ru: б }]\n`)
    writeFileSync(join(dir, 'kata.test.ts'), "import { expect, it } from 'vitest'\nimport { useRedis } from '#support/redis'\nimport { add } from '@kata/demo/add'\nconst redis = useRedis()\nit('adds and stores', async () => { const c = redis.client(); await c.set('sum', String(add(2, 3))); expect(await c.get('sum')).toBe('5') })\n")
    const redisCatalog = loadCatalog(root)
    const r = await SuiteRunner.create({ catalog: redisCatalog, services: services.access() }, { kind: 'solutions', root: join(root, 'solutions') })
    try {
      const k = redisCatalog.byId.get('demo/add')!
      expect((await r.run(k)).verdict).toBe('pass')
      // A recheck finds it up and holds a connection to it (later rechecks read that
      // connection instead of probing): a Redis that dies afterwards is still seen as gone.
      expect(await services.access().recheck!(['redis'])).toBeUndefined()
      await new Promise((r) => setTimeout(r, 300))
      await stopRedis()
      const down = await r.run(k)
      expect(down.verdict).toBe('unavailable')
      expect(down.message).toMatch(/Redis/)
      await startRedis()
      await services.refresh('redis')
      r.updateServices(services.access().urls)
      expect((await r.run(k)).verdict).toBe('pass')
    } finally {
      await r.close()
    }
    expect(cat.katas.length).toBe(3)
  })
})

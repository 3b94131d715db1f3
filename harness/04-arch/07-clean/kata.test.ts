import { DatabaseSync } from 'node:sqlite'
import request from 'supertest'
import { beforeAll, describe, expect, it } from 'vitest'
import { describeThrown, importGraph, rejectionOf, type ImportEdge, type ReadKataFile } from '#support/arch'
import { createApp } from '@kata/arch/clean'
import * as domain from '@kata/arch/clean/domain/wallet.ts'
import { createWalletService } from '@kata/arch/clean/application/wallet-service.ts'
import { createSqliteWalletRepository } from '@kata/arch/clean/infrastructure/sqlite-wallet-repository.ts'

interface Snapshot {
  id: string
  owner: string
  balanceCents: number
}
interface WalletLike {
  readonly id: string
  toSnapshot(): Snapshot
}
interface Repo {
  get(id: string): Promise<WalletLike | undefined>
  save(...wallets: WalletLike[]): Promise<void>
}
type ErrorClass = new (...args: never[]) => Error

const FILES = [
  'main.ts',
  'domain/wallet.ts',
  'application/ports.ts',
  'application/wallet-service.ts',
  'infrastructure/sqlite-wallet-repository.ts',
  'infrastructure/http.ts',
]

const read: ReadKataFile = async (path) => {
  try {
    const mod = (await import(/* @vite-ignore */ `@kata/arch/clean/${path}?raw`)) as { default: string }
    return mod.default
  } catch {
    return undefined
  }
}

/** I/O built-ins are infrastructure as much as npm drivers are. */
const IO_BUILTINS = new Set(['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'dns/promises', 'child_process', 'cluster', 'sqlite', 'worker_threads', 'readline', 'repl', 'inspector'])

const layerOf = (file: string) => file.split('/')[0]!

function violations(edges: ImportEdge[], layer: string, allowed: string[]): string[] {
  const out: string[] = []
  for (const e of edges.filter((e) => layerOf(e.from) === layer && e.from.includes('/'))) {
    const at = `${e.from} imports "${e.specifier}"`
    if (e.bare) {
      if (!e.bare.builtin) out.push(`${at}: an npm package (frameworks and drivers belong in infrastructure/)`)
      else if (IO_BUILTINS.has(e.bare.name)) out.push(`${at}: I/O belongs in infrastructure/`)
    } else if (e.outside) {
      out.push(`${at}: a file outside the project`)
    } else if (!e.resolved) {
      out.push(`${at}: no such file in the project`)
    } else if (!e.resolved.includes('/')) {
      out.push(`${at}: that is the composition root`)
    } else if (!allowed.includes(layerOf(e.resolved))) {
      out.push(`${at}: that is ${layerOf(e.resolved)}/`)
    }
  }
  return out
}

function errorClass(name: string): ErrorClass {
  const cls = (domain as Record<string, unknown>)[name]
  expect(typeof cls, `domain/wallet.ts must export the error class ${name}`).toBe('function')
  return cls as ErrorClass
}

/** The value of a call that must succeed; a rejection fails the test with `what` in the message. */
async function value<T>(p: Promise<T>, what: string): Promise<T> {
  try {
    return await p
  } catch (err) {
    return expect.fail(`${what}: should succeed, but rejected with ${describeThrown(err)}`)
  }
}

/** The suite's own adapter: an in-memory WalletRepository that records each save() call. */
function memoryRepo(seed: Snapshot[] = []) {
  const Wallet = domain.Wallet as { restore(s: Snapshot): WalletLike }
  const rows = new Map(seed.map((s) => [s.id, { ...s }]))
  const saves: Snapshot[][] = []
  const repo: Repo = {
    async get(id) {
      const s = rows.get(id)
      return s && Wallet.restore({ ...s })
    },
    async save(...wallets) {
      const snaps = wallets.map((w) => w.toSnapshot())
      saves.push(snaps)
      for (const s of snaps) rows.set(s.id, { ...s })
    },
  }
  return { repo, rows, saves }
}

describe('the import graph: dependencies point inward', () => {
  let edges: ImportEdge[] = []
  beforeAll(async () => {
    edges = await importGraph(FILES, read)
  })

  it('domain/ imports nothing but other domain/ files (no application/, infrastructure/, packages or I/O)', () => {
    const bad = violations(edges, 'domain', ['domain'])
    expect(bad, `domain/ must depend on nothing outside itself:\n${bad.join('\n')}\n`).toEqual([])
  })

  it('application/ imports only domain/ and application/ (the port, never the adapters)', () => {
    const bad = violations(edges, 'application', ['domain', 'application'])
    expect(bad, `application/ must not reach outward:\n${bad.join('\n')}\n`).toEqual([])
  })

  it('nothing but main.ts (the composition root) imports the SQLite adapter', () => {
    const bad = edges
      .filter((e) => e.resolved === 'infrastructure/sqlite-wallet-repository.ts' && e.from !== 'main.ts')
      .map((e) => `${e.from} imports "${e.specifier}"`)
    const fromMain = edges.some((e) => e.from === 'main.ts' && e.resolved === 'infrastructure/sqlite-wallet-repository.ts')
    expect(bad, `only the composition root may know the concrete repository:\n${bad.join('\n')}\n`).toEqual([])
    expect(fromMain, 'main.ts builds the SQLite adapter: it should import infrastructure/sqlite-wallet-repository.ts').toBe(true)
  })
})

describe('createWalletService(repo) works with any WalletRepository (the suite injects an in-memory one)', () => {
  it('get() reads through the injected repository', async () => {
    const { repo } = memoryRepo([{ id: 'alice', owner: 'Alice', balanceCents: 500 }])
    const svc = createWalletService(repo)
    const what = 'get("alice") with "alice" in the injected repository'
    expect(await value(svc.get('alice'), what), what).toEqual({ id: 'alice', owner: 'Alice', balanceCents: 500 })
    const err = await rejectionOf(svc.get('nobody'))
    expect(err, 'get("nobody"): should reject with WalletNotFoundError').toBeInstanceOf(errorClass('WalletNotFoundError'))
  })

  it('open() saves a new empty wallet through the repository, refuses a taken id and saves nothing invalid', async () => {
    const { repo, rows, saves } = memoryRepo([{ id: 'taken', owner: 'Bob', balanceCents: 1 }])
    const svc = createWalletService(repo)
    const what = 'open({ id: "carol", owner: "Carol" })'
    expect(await value(svc.open({ id: 'carol', owner: 'Carol' }), what), what).toEqual({ id: 'carol', owner: 'Carol', balanceCents: 0 })
    expect(rows.get('carol'), 'the injected repository after open("carol")').toEqual({ id: 'carol', owner: 'Carol', balanceCents: 0 })
    const err = await rejectionOf(svc.open({ id: 'taken', owner: 'Eve' }))
    expect(err, 'open() with an id that exists: should reject with WalletExistsError').toBeInstanceOf(errorClass('WalletExistsError'))
    expect(rows.get('taken'), 'the existing wallet after a refused open()').toEqual({ id: 'taken', owner: 'Bob', balanceCents: 1 })
    for (const cmd of [{ id: 'Not Valid!', owner: 'Ann' }, { id: '', owner: 'Ann' }, { id: 'ann', owner: '   ' }, { id: 'w'.repeat(41), owner: 'Ann' }, { id: '-ann', owner: 'Ann' }]) {
      const bad = await rejectionOf(svc.open(cmd))
      expect(bad, `open(${JSON.stringify(cmd)}): should reject with ValidationError`).toBeInstanceOf(errorClass('ValidationError'))
    }
    expect(saves.length, 'save() calls: one for "carol", none for the refused open() calls').toBe(1)
    const longest = 'w'.repeat(40)
    await value(svc.open({ id: longest, owner: 'Wes' }), 'open() with an id of 40 characters (allowed: up to 40)')
  })

  it('deposit() adds to the balance and rejects amounts that are not positive whole cents', async () => {
    const { repo, rows, saves } = memoryRepo([{ id: 'dan', owner: 'Dan', balanceCents: 100 }])
    const svc = createWalletService(repo)
    const what = 'deposit({ id: "dan", amountCents: 250 }) with "dan" at 100'
    expect(await value(svc.deposit({ id: 'dan', amountCents: 250 }), what), what).toEqual({ id: 'dan', owner: 'Dan', balanceCents: 350 })
    expect(rows.get('dan')?.balanceCents, 'stored balance of "dan" after the deposit').toBe(350)
    for (const amountCents of [0, -5, 1.5, Number.NaN]) {
      const err = await rejectionOf(svc.deposit({ id: 'dan', amountCents }))
      expect(err, `deposit({ amountCents: ${amountCents} }): should reject with ValidationError`).toBeInstanceOf(errorClass('ValidationError'))
    }
    expect(saves.length, 'save() calls: one for the good deposit, none for the rejected ones').toBe(1)
  })

  it('transfer() moves money and saves both wallets in ONE save() call (so the adapter can make it atomic)', async () => {
    const { repo, rows, saves } = memoryRepo([
      { id: 'a', owner: 'A', balanceCents: 1000 },
      { id: 'b', owner: 'B', balanceCents: 5 },
    ])
    const svc = createWalletService(repo)
    const what = 'transfer 300 from "a" (1000) to "b" (5)'
    expect(await value(svc.transfer({ from: 'a', to: 'b', amountCents: 300 }), what), what).toEqual({
      from: { id: 'a', owner: 'A', balanceCents: 700 },
      to: { id: 'b', owner: 'B', balanceCents: 305 },
    })
    expect(saves.length, 'save() calls for one transfer').toBe(1)
    expect(saves[0]?.map((s) => s.id).sort(), 'wallets passed to that save() call').toEqual(['a', 'b'])
    expect([rows.get('a')?.balanceCents, rows.get('b')?.balanceCents], 'stored balances of "a" and "b"').toEqual([700, 305])
  })

  it('transfer() refuses overdrafts, unknown wallets and self-transfers without saving anything', async () => {
    const { repo, rows, saves } = memoryRepo([
      { id: 'a', owner: 'A', balanceCents: 100 },
      { id: 'b', owner: 'B', balanceCents: 0 },
    ])
    const svc = createWalletService(repo)
    const cases: [string, { from: string; to: string; amountCents: number }, string][] = [
      ['101 cents out of 100', { from: 'a', to: 'b', amountCents: 101 }, 'InsufficientFundsError'],
      ['from an unknown wallet', { from: 'ghost', to: 'b', amountCents: 1 }, 'WalletNotFoundError'],
      ['to an unknown wallet', { from: 'a', to: 'ghost', amountCents: 1 }, 'WalletNotFoundError'],
      ['to the same wallet', { from: 'a', to: 'a', amountCents: 1 }, 'ValidationError'],
      ['of -10 cents', { from: 'a', to: 'b', amountCents: -10 }, 'ValidationError'],
    ]
    for (const [what, cmd, errName] of cases) {
      const err = await rejectionOf(svc.transfer(cmd))
      expect(err, `transfer ${what}: should reject with ${errName}`).toBeInstanceOf(errorClass(errName))
    }
    expect(saves.length, 'save() calls after five refused transfers').toBe(0)
    expect([rows.get('a')?.balanceCents, rows.get('b')?.balanceCents], 'balances after refused transfers').toEqual([100, 0])
  })
})

describe('createSqliteWalletRepository(db): the adapter behind the port', () => {
  const Wallet = () => domain.Wallet as { open(id: string, owner: string): WalletLike & { deposit(c: number): void }; restore(s: Snapshot): WalletLike }

  it('saves and reads wallets back, in the database it is given (table "wallets")', async () => {
    const db = new DatabaseSync(':memory:')
    const repo = createSqliteWalletRepository(db) as Repo
    expect(await repo.get('nope'), 'get("nope") on an empty database').toBeUndefined()
    const w = Wallet().open('erin', 'Erin')
    w.deposit(42)
    await repo.save(w)
    expect((await repo.get('erin'))?.toSnapshot(), 'get("erin") after save').toEqual({ id: 'erin', owner: 'Erin', balanceCents: 42 })
    expect(db.prepare('SELECT id, owner, balance_cents FROM wallets').all(), 'rows of the wallets table in the db passed in').toEqual([
      { id: 'erin', owner: 'Erin', balance_cents: 42 },
    ])
    await repo.save(Wallet().restore({ id: 'erin', owner: 'Erin', balanceCents: 7 }))
    expect((await repo.get('erin'))?.toSnapshot().balanceCents, 'balance after saving "erin" again with 7').toBe(7)
    db.close()
  })

  it('save(a, b) is all or nothing: when one row fails, none is written', async () => {
    const db = new DatabaseSync(':memory:')
    const repo = createSqliteWalletRepository(db) as Repo
    await repo.save(Wallet().restore({ id: 'keep', owner: 'K', balanceCents: 10 }))
    // The suite makes any write of the wallet "boom" fail inside SQLite.
    db.exec(`CREATE TRIGGER boom_ins BEFORE INSERT ON wallets WHEN NEW.id = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`)
    const err = await rejectionOf(
      repo.save(Wallet().restore({ id: 'keep', owner: 'K', balanceCents: 99 }), Wallet().restore({ id: 'boom', owner: 'B', balanceCents: 1 })),
    )
    expect(err, 'save(keep, boom) where writing "boom" fails: should reject').toBeInstanceOf(Error)
    expect((await repo.get('keep'))?.toSnapshot().balanceCents, 'balance of "keep" after the failed save (must stay 10)').toBe(10)
    expect(await repo.get('boom'), 'get("boom") after the failed save').toBeUndefined()
    await repo.save(Wallet().restore({ id: 'keep', owner: 'K', balanceCents: 11 }))
    expect((await repo.get('keep'))?.toSnapshot().balanceCents, 'a save() after a failed one still works').toBe(11)
    db.close()
  })

  it('two repositories on two databases share nothing', async () => {
    const [db1, db2] = [new DatabaseSync(':memory:'), new DatabaseSync(':memory:')]
    const [r1, r2] = [createSqliteWalletRepository(db1) as Repo, createSqliteWalletRepository(db2) as Repo]
    await r1.save(Wallet().open('only-in-one', 'One'))
    expect(await r2.get('only-in-one'), 'repository 2 reading a wallet saved through repository 1').toBeUndefined()
    db1.close()
    db2.close()
  })
})

describe('createApp({ db }): end to end through HTTP', () => {
  it('each app uses the database it is given: a wallet opened in one app is unknown to another', async () => {
    const [db1, db2] = [new DatabaseSync(':memory:'), new DatabaseSync(':memory:')]
    const [app1, app2] = [createApp({ db: db1 }), createApp({ db: db2 })]
    const opened = await request(app1).post('/wallets').send({ id: 'frank', owner: 'Frank' })
    expect(opened.status, 'app 1: POST /wallets { id: "frank" }').toBe(201)
    expect((await request(app2).get('/wallets/frank')).status, 'app 2: GET /wallets/frank').toBe(404)
    expect(db1.prepare('SELECT id FROM wallets').all(), 'rows in app 1\'s database').toEqual([{ id: 'frank' }])
    db1.close()
    db2.close()
  })

  it('opens, deposits, transfers and reads wallets', async () => {
    const db = new DatabaseSync(':memory:')
    const app = createApp({ db })
    const open = await request(app).post('/wallets').send({ id: 'gina', owner: 'Gina' })
    expect([open.status, open.body], 'POST /wallets { id: "gina", owner: "Gina" }').toEqual([201, { id: 'gina', owner: 'Gina', balanceCents: 0 }])
    await request(app).post('/wallets').send({ id: 'hugo', owner: 'Hugo' }).expect(201)
    const dep = await request(app).post('/wallets/gina/deposits').send({ amountCents: 1000 })
    expect([dep.status, dep.body], 'POST /wallets/gina/deposits { amountCents: 1000 }').toEqual([200, { id: 'gina', owner: 'Gina', balanceCents: 1000 }])
    const tr = await request(app).post('/transfers').send({ from: 'gina', to: 'hugo', amountCents: 400 })
    expect([tr.status, tr.body], 'POST /transfers 400 from gina to hugo').toEqual([
      200,
      { from: { id: 'gina', owner: 'Gina', balanceCents: 600 }, to: { id: 'hugo', owner: 'Hugo', balanceCents: 400 } },
    ])
    const got = await request(app).get('/wallets/hugo')
    expect([got.status, got.body], 'GET /wallets/hugo').toEqual([200, { id: 'hugo', owner: 'Hugo', balanceCents: 400 }])
    db.close()
  })

  it('maps domain errors: 400 invalid input, 404 unknown wallet, 409 overdraft or taken id', async () => {
    const db = new DatabaseSync(':memory:')
    const app = createApp({ db })
    await request(app).post('/wallets').send({ id: 'ivy', owner: 'Ivy' }).expect(201)
    await request(app).post('/wallets').send({ id: 'jon', owner: 'Jon' }).expect(201)
    const cases: [string, () => request.Test, number][] = [
      ['POST /wallets with id "Bad Id"', () => request(app).post('/wallets').send({ id: 'Bad Id', owner: 'X' }), 400],
      ['POST /wallets/ivy/deposits { amountCents: -1 }', () => request(app).post('/wallets/ivy/deposits').send({ amountCents: -1 }), 400],
      ['POST /transfers from ivy to ivy', () => request(app).post('/transfers').send({ from: 'ivy', to: 'ivy', amountCents: 1 }), 400],
      ['GET /wallets/ghost', () => request(app).get('/wallets/ghost'), 404],
      ['POST /transfers from ghost', () => request(app).post('/transfers').send({ from: 'ghost', to: 'ivy', amountCents: 1 }), 404],
      ['POST /transfers of 1 cent from the empty ivy', () => request(app).post('/transfers').send({ from: 'ivy', to: 'jon', amountCents: 1 }), 409],
      ['POST /wallets with the taken id "jon"', () => request(app).post('/wallets').send({ id: 'jon', owner: 'Other' }), 409],
    ]
    for (const [what, send, status] of cases) {
      const res = await send()
      expect(res.status, `${what}: status (body ${JSON.stringify(res.body)})`).toBe(status)
    }
    const both = await request(app).get('/wallets/ivy')
    expect(both.body?.balanceCents, 'balance of ivy after the refused calls').toBe(0)
    db.close()
  })

  it('an unexpected failure is a 500 that leaks no SQL, table names or stack', async () => {
    const db = new DatabaseSync(':memory:')
    const app = createApp({ db })
    await request(app).post('/wallets').send({ id: 'kim', owner: 'Kim' }).expect(201)
    db.exec('DROP TABLE wallets') // the database "breaks" under the app
    const res = await request(app).get('/wallets/kim')
    expect(res.status, 'GET /wallets/kim after the wallets table is gone').toBe(500)
    const body = res.text
    for (const leak of ['wallets', 'no such table', 'SQLITE', 'SELECT', '.ts:', '    at ']) {
      expect(body.includes(leak), `the 500 body must not contain "${leak}"; it was: ${body}`).toBe(false)
    }
    db.close()
  })
})

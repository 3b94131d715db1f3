import { DatabaseSync } from 'node:sqlite'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { describeThrown, rejectionOf } from '#support/arch'
import { composeApp, createSignupService, legacyMailerAdapter } from '@kata/arch/di'
import { EmailTakenError, InvalidSignupError, MailDeliveryError } from '@kata/arch/di/given.ts'

interface User {
  id: string
  email: string
  passwordHash: string
  createdAt: string
}
interface Mail {
  to: string
  subject: string
  text: string
}
interface Envelope {
  rcpt: string[]
  subj: string
  body: string
  format: string
}
type Done = (err: Error | null, receiptId?: string) => void

async function value<T>(p: Promise<T>, what: string): Promise<T> {
  try {
    return await p
  } catch (err) {
    return expect.fail(`${what}: should succeed, but rejected with ${describeThrown(err)}`)
  }
}

/** A full set of fakes for the service's ports; each records what it was asked. */
function fakes(opts: { mailFails?: boolean; insertFails?: boolean; existing?: User[] } = {}) {
  const stored: User[] = [...(opts.existing ?? [])]
  const hashed: string[] = []
  const mails: Mail[] = []
  const log: string[] = []
  let n = 0
  const deps = {
    users: {
      async findByEmail(email: string) {
        log.push(`findByEmail ${email}`)
        return stored.find((u) => u.email === email)
      },
      async insert(u: User) {
        log.push(`insert ${u.email}`)
        if (opts.insertFails) throw new Error('disk full')
        stored.push({ ...u })
      },
    },
    hasher: {
      async hash(plain: string) {
        log.push('hash')
        hashed.push(plain)
        return `fake-hash(${plain.length})`
      },
    },
    mailer: {
      async send(m: Mail) {
        log.push(`send ${m.to}`)
        mails.push({ ...m })
        if (opts.mailFails) throw new MailDeliveryError('smtp down')
      },
    },
    clock: { now: () => new Date('2030-01-02T03:04:05.000Z') },
    ids: { next: () => `user-${++n}` },
  }
  return { deps, stored, hashed, mails, log }
}

/** A vendor SDK in the suite's hands: a class that uses `this`, like real SDKs do. */
class FakeSdk {
  readonly envelopes: Envelope[] = []
  #receipts = 0
  constructor(private readonly behaviour: 'ok' | 'async-ok' | 'fail' | 'throw' = 'ok') {}
  deliver(envelope: Envelope, done: Done): void {
    this.envelopes.push(structuredClone(envelope))
    const receipt = `r-${++this.#receipts}`
    if (this.behaviour === 'throw') throw new Error('socket closed')
    if (this.behaviour === 'fail') return void setTimeout(() => done(new Error('550 mailbox unavailable')), 5)
    if (this.behaviour === 'async-ok') return void setTimeout(() => done(null, receipt), 5)
    done(null, receipt)
  }
}

describe('createSignupService(deps) depends only on the ports it is given', () => {
  it('signs up with every injected dependency: id, clock, hasher, repository and mailer', async () => {
    const f = fakes()
    const svc = createSignupService(f.deps)
    const out = await value(svc.signUp({ email: '  Ada@Example.COM ', password: 'correct horse' }), 'signUp({ email: "  Ada@Example.COM ", … })')
    expect(out, 'signUp() result (the public user: no password hash)').toEqual({
      id: 'user-1',
      email: 'ada@example.com',
      createdAt: '2030-01-02T03:04:05.000Z',
      welcomeMailSent: true,
    })
    expect(f.stored, 'what reached users.insert').toEqual([
      { id: 'user-1', email: 'ada@example.com', passwordHash: 'fake-hash(13)', createdAt: '2030-01-02T03:04:05.000Z' },
    ])
    expect(f.hashed, 'what the hasher was asked to hash').toEqual(['correct horse'])
    expect(f.mails.map((m) => [m.to, m.subject]), 'welcome mails sent: [to, subject]').toEqual([['ada@example.com', 'Welcome!']])
    expect(typeof f.mails[0]?.text === 'string' && f.mails[0].text.length > 0, 'the welcome mail has a text').toBe(true)
    expect(JSON.stringify(out).includes('hash'), 'the result must not mention the password hash').toBe(false)
  })

  it('rejects a bad email or password with InvalidSignupError before any hashing or storing', async () => {
    const f = fakes()
    const svc = createSignupService(f.deps)
    const bad: [string, { email: unknown; password: unknown }][] = [
      ['email "nope"', { email: 'nope', password: 'long enough' }],
      ['email "a@b"', { email: 'a@b', password: 'long enough' }],
      ['email "two words@x.io"', { email: 'two words@x.io', password: 'long enough' }],
      ['no email', { email: undefined, password: 'long enough' }],
      ['a 7-character password', { email: 'a@x.io', password: 'short12' }],
      ['a 129-character password', { email: 'a@x.io', password: 'p'.repeat(129) }],
      ['a numeric password', { email: 'a@x.io', password: 12345678 }],
    ]
    for (const [what, input] of bad) {
      const err = await rejectionOf(svc.signUp(input as { email: string; password: string }))
      expect(err, `signUp with ${what}: should reject with InvalidSignupError, got ${describeThrown(err)}`).toBeInstanceOf(InvalidSignupError)
    }
    expect(f.log.filter((l) => l === 'hash' || l.startsWith('insert') || l.startsWith('send')), 'hasher/insert/mail calls after invalid sign-ups').toEqual([])
  })

  it('accepts passwords of exactly 8 and exactly 128 characters', async () => {
    const f = fakes()
    const svc = createSignupService(f.deps)
    await value(svc.signUp({ email: 'eight@x.io', password: '12345678' }), 'signUp with an 8-character password (allowed: 8-128)')
    await value(svc.signUp({ email: 'long@x.io', password: 'p'.repeat(128) }), 'signUp with a 128-character password (allowed: 8-128)')
    expect(f.stored.map((u) => u.email), 'users stored').toEqual(['eight@x.io', 'long@x.io'])
  })

  it('refuses a taken email (after normalizing) with EmailTakenError and neither stores nor mails', async () => {
    const f = fakes({ existing: [{ id: 'u0', email: 'bob@x.io', passwordHash: 'h', createdAt: '2020-01-01T00:00:00.000Z' }] })
    const svc = createSignupService(f.deps)
    const err = await rejectionOf(svc.signUp({ email: 'BOB@x.io', password: 'long enough' }))
    expect(err, `signUp("BOB@x.io") when bob@x.io exists: should reject with EmailTakenError, got ${describeThrown(err)}`).toBeInstanceOf(EmailTakenError)
    expect(f.log.filter((l) => l.startsWith('insert') || l.startsWith('send')), 'insert/mail calls after a refused sign-up').toEqual([])
    expect(f.hashed, 'the hasher is not run for a taken email').toEqual([])
  })

  it('a failing mailer does not undo the sign-up: the user is stored and welcomeMailSent is false', async () => {
    const f = fakes({ mailFails: true })
    const out = await value<{ welcomeMailSent: boolean }>(createSignupService(f.deps).signUp({ email: 'cy@x.io', password: 'long enough' }), 'signUp with a mailer that rejects')
    expect(out.welcomeMailSent, 'welcomeMailSent when the mailer rejects').toBe(false)
    expect(f.stored.map((u) => u.email), 'users stored').toEqual(['cy@x.io'])
  })

  it('sends the welcome mail only after the user is stored: a failing insert means no mail', async () => {
    const f = fakes({ insertFails: true })
    const err = await rejectionOf(createSignupService(f.deps).signUp({ email: 'di@x.io', password: 'long enough' }))
    expect(err, 'signUp when users.insert rejects: should reject').toBeInstanceOf(Error)
    expect(f.mails, 'mails sent when the insert failed').toEqual([])
  })
})

describe('legacyMailerAdapter(sdk) adapts the vendor SDK to the Mailer port', () => {
  it('translates send({ to, subject, text }) into sdk.deliver({ rcpt, subj, body, format: "plain" }) and resolves on success', async () => {
    for (const mode of ['ok', 'async-ok'] as const) {
      const sdk = new FakeSdk(mode)
      const mailer = legacyMailerAdapter(sdk)
      await value(mailer.send({ to: 'ann@x.io', subject: 'Hi', text: 'Hello Ann' }), `send() with an SDK that answers ${mode === 'ok' ? 'at once' : 'later'}`)
      expect(sdk.envelopes, `envelopes the SDK got (${mode})`).toEqual([{ rcpt: ['ann@x.io'], subj: 'Hi', body: 'Hello Ann', format: 'plain' }])
    }
  })

  it('calls deliver as a method of the SDK (the SDK uses `this`)', async () => {
    const sdk = new FakeSdk('ok')
    const err = await rejectionOf(legacyMailerAdapter(sdk).send({ to: 'b@x.io', subject: 's', text: 't' }))
    expect(err, `send() on an SDK whose deliver() reads this: should resolve, got ${describeThrown(err)}`).toBeUndefined()
  })

  it('rejects with MailDeliveryError (cause: the SDK error) when the SDK reports or throws an error', async () => {
    for (const mode of ['fail', 'throw'] as const) {
      const err = await rejectionOf(legacyMailerAdapter(new FakeSdk(mode)).send({ to: 'c@x.io', subject: 's', text: 't' }))
      const what = mode === 'fail' ? 'an SDK that calls done(err)' : 'an SDK whose deliver() throws'
      expect(err, `send() with ${what}: should reject with MailDeliveryError, got ${describeThrown(err)}`).toBeInstanceOf(MailDeliveryError)
      expect(((err as Error).cause as Error | undefined)?.message, `send() with ${what}: error.cause is the SDK's error`).toBe(mode === 'fail' ? '550 mailbox unavailable' : 'socket closed')
    }
  })
})

describe('composeApp(env): the composition root wires real adapters', () => {
  it('POST /signup goes through the real repository, hasher and mail adapter', async () => {
    const db = new DatabaseSync(':memory:')
    const sdk = new FakeSdk('ok')
    const app = composeApp({ db, mailSdk: sdk, clock: { now: () => new Date('2031-05-06T00:00:00.000Z') }, ids: { next: () => 'fixed-id' } })
    const res = await request(app).post('/signup').send({ email: 'Eve@X.io', password: 'hunter2hunter2' })
    expect([res.status, res.body], 'POST /signup { email: "Eve@X.io" }').toEqual([
      201,
      { id: 'fixed-id', email: 'eve@x.io', createdAt: '2031-05-06T00:00:00.000Z', welcomeMailSent: true },
    ])
    const row = db.prepare('SELECT email, password_hash FROM users').get() as { email: string; password_hash: string } | undefined
    expect(row?.email, 'email stored in the users table of env.db').toBe('eve@x.io')
    expect(row?.password_hash.startsWith('scrypt$'), `password_hash stored (the given scrypt hasher), got ${row?.password_hash}`).toBe(true)
    expect(sdk.envelopes.map((e) => e.rcpt), 'recipients the SDK got').toEqual([['eve@x.io']])
    expect((await request(app).post('/signup').send({ email: 'eve@x.io', password: 'another one' })).status, 'POST /signup again with eve@x.io').toBe(409)
    expect((await request(app).post('/signup').send({ email: 'x', password: 'another one' })).status, 'POST /signup with email "x"').toBe(400)
    db.close()
  })

  it('falls back to the system clock and UUIDs when env has no clock or ids', async () => {
    const db = new DatabaseSync(':memory:')
    const before = Date.now()
    const res = await request(composeApp({ db, mailSdk: new FakeSdk('ok') })).post('/signup').send({ email: 'f@x.io', password: 'long enough' })
    expect(res.status, 'POST /signup without clock/ids in env').toBe(201)
    expect(res.body.id, 'id without env.ids (a UUID)').toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    const at = Date.parse(res.body.createdAt)
    expect(at >= before - 1000 && at <= Date.now() + 1000, `createdAt without env.clock (${res.body.createdAt}) should be now`).toBe(true)
    db.close()
  })

  it('a mail outage does not fail the request: 201 with welcomeMailSent false', async () => {
    const db = new DatabaseSync(':memory:')
    const res = await request(composeApp({ db, mailSdk: new FakeSdk('fail') })).post('/signup').send({ email: 'g@x.io', password: 'long enough' })
    expect([res.status, res.body?.welcomeMailSent], 'POST /signup when the SDK reports an error: [status, welcomeMailSent]').toEqual([201, false])
    db.close()
  })

  it('builds a new object graph per call: two apps share no database, mailer or ids', async () => {
    const [db1, db2] = [new DatabaseSync(':memory:'), new DatabaseSync(':memory:')]
    const [sdk1, sdk2] = [new FakeSdk('ok'), new FakeSdk('ok')]
    const app1 = composeApp({ db: db1, mailSdk: sdk1, ids: { next: () => 'from-app-1' } })
    const app2 = composeApp({ db: db2, mailSdk: sdk2, ids: { next: () => 'from-app-2' } })
    const r1 = await request(app1).post('/signup').send({ email: 'h@x.io', password: 'long enough' })
    const r2 = await request(app2).post('/signup').send({ email: 'h@x.io', password: 'long enough' })
    expect([r1.status, r1.body?.id], 'app 1: POST /signup h@x.io').toEqual([201, 'from-app-1'])
    expect([r2.status, r2.body?.id], 'app 2: POST /signup h@x.io (its own database, so not taken)').toEqual([201, 'from-app-2'])
    expect([sdk1.envelopes.length, sdk2.envelopes.length], 'mails delivered by [sdk 1, sdk 2]').toEqual([1, 1])
    db1.close()
    db2.close()
  })
})

import express, { type NextFunction, type Request, type Response } from 'express'
import { beforeAll, describe, expect, it } from 'vitest'
import { attempt, describeThrown, listen } from '#support/senior'
import { createLogger, redact, REDACTED, requestLog } from '@kata/senior/secrets-in-logs'

type Fields = Record<string, unknown>
interface Logger {
  info(msg: string, fields?: Fields): void
  warn(msg: string, fields?: Fields): void
  error(msg: string, fields?: Fields): void
}

/** The Luhn check, so the suite's "card numbers" are real-looking and its other numbers are not. */
function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  }
  return sum % 10 === 0
}

const VISA = '4111111111111111'
const MASTERCARD = '5555555555554444'
const AMEX = '378282246310005'
const ORDER_ID = '9876543210123457' // 16 digits, fails Luhn: not a card
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiIsInJvbGUiOiJhZG1pbiJ9.c2lnbmF0dXJlLXNlY3JldC14eXo'
const PASSWORD = 'hunter2-Correct!'
const NEW_PASSWORD = 'n3w-Passw0rd-2026'
const ACCESS_TOKEN = 'at_9f8e7d6c5b4a3210'
const REFRESH_TOKEN = 'rt_0a1b2c3d4e5f6789'
const API_KEY = 'sk_live_51HxQ2RkLm7n'
const SESSION = 'sess_7Yt5Rq2Wx9Zp'
const CVV = '9137'

/** Every string in a parsed line (keys and values), at any depth. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v)
  else if (Array.isArray(v)) for (const x of v) strings(x, out)
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k)
      strings(x, out)
    }
  return out
}

/** The secrets of this suite: long ones must appear nowhere, the short CVV never as a whole value. */
const LONG_SECRETS: [string, string][] = [
  ['the password', PASSWORD],
  ['the new password', NEW_PASSWORD],
  ['the JWT', JWT],
  ['the JWT signature', JWT.split('.')[2]!],
  ['the access token', ACCESS_TOKEN],
  ['the refresh token', REFRESH_TOKEN],
  ['the API key', API_KEY],
  ['the session cookie', SESSION],
  ['a card number', VISA],
  ['a card number', '4111 1111 1111 1111'],
  ['a card number', '4111-1111-1111-1111'],
  ['a card number', MASTERCARD],
  ['a card number', '5555-5555-5555-4444'],
  ['a card number', AMEX],
]

function leaks(lines: unknown[]): string[] {
  const found: string[] = []
  lines.forEach((line, i) => {
    const all = strings(line)
    for (const [what, secret] of LONG_SECRETS) if (all.some((s) => s.includes(secret))) found.push(`line ${i + 1} contains ${what} (${secret})`)
    if (all.some((s) => s === CVV)) found.push(`line ${i + 1} contains the CVV (${CVV})`)
  })
  return [...new Set(found)]
}

function memorySink() {
  const writes: string[] = []
  return {
    sink: { write: (line: string) => void writes.push(line) },
    writes,
    lines(): Record<string, unknown>[] {
      return writes.map((w, i) => {
        try {
          return JSON.parse(w) as Record<string, unknown>
        } catch {
          return expect.fail(`write #${i + 1} to the sink is not one JSON object: ${JSON.stringify(w)}`)
        }
      })
    },
  }
}

const r = (v: unknown, what: string) => attempt(`redact(${what})`, () => redact(v))

describe('redact(value): secrets out, everything else kept, the input untouched', () => {
  it('replaces the values of secret fields at any depth, whatever their case or separator, and leaves the input as it was', () => {
    const input = {
      email: 'ada@example.com',
      password: PASSWORD,
      profile: { NEW_PASSWORD, 'X-Api-Key': API_KEY, accessToken: ACCESS_TOKEN, nested: [{ refresh_token: REFRESH_TOKEN, keep: 'me' }] },
      headers: { Authorization: `Bearer ${JWT}`, cookie: `sid=${SESSION}` },
      payment: { cardNumber: VISA, cvv: CVV, amount: 4200, currency: 'EUR' },
      clientSecret: { id: 1, value: 'x' },
    }
    const copy = structuredClone(input)
    const out = r(input, 'a sign-up with a profile, headers and a payment')
    expect(input, 'the object after redact() was called on it (the request still needs the real password)').toEqual(copy)
    expect(out, 'redact(…)').toEqual({
      email: 'ada@example.com',
      password: REDACTED,
      profile: { NEW_PASSWORD: REDACTED, 'X-Api-Key': REDACTED, accessToken: REDACTED, nested: [{ refresh_token: REDACTED, keep: 'me' }] },
      headers: { Authorization: REDACTED, cookie: REDACTED },
      payment: { cardNumber: REDACTED, cvv: REDACTED, amount: 4200, currency: 'EUR' },
      clientSecret: REDACTED,
    })
  })

  it('masks card numbers inside free text (Luhn-valid, 13–19 digits, spaces or dashes allowed), keeping the last 4 digits', () => {
    expect(luhn(VISA) && luhn(MASTERCARD) && luhn(AMEX) && !luhn(ORDER_ID)).toBe(true)
    const cases: [string, string][] = [
      [`charge failed for ${VISA}`, 'charge failed for ****1111'],
      ['card 5555-5555-5555-4444 declined', 'card ****4444 declined'],
      ['amex 3782 822463 10005 ok', 'amex ****0005 ok'],
      [`order ${ORDER_ID} shipped`, `order ${ORDER_ID} shipped`],
      ['call +7 916 123-45-67 at 2026-03-02 12:00', 'call +7 916 123-45-67 at 2026-03-02 12:00'],
    ]
    for (const [input, expected] of cases) expect(r(input, JSON.stringify(input)), `redact(${JSON.stringify(input)})`).toBe(expected)
  })

  it('redacts bearer tokens, JWTs and secret query parameters inside strings', () => {
    const cases: [string, string][] = [
      [`Authorization: Bearer ${ACCESS_TOKEN}`, `Authorization: Bearer ${REDACTED}`],
      [`upstream said 401 for token ${JWT}`, `upstream said 401 for token ${REDACTED}`],
      [`/export?format=csv&access_token=${ACCESS_TOKEN}&page=2`, `/export?format=csv&access_token=${REDACTED}&page=2`],
      [`https://api.example.com/hook?api_key=${API_KEY}`, `https://api.example.com/hook?api_key=${REDACTED}`],
      ['a plain sentence with no secrets = fine', 'a plain sentence with no secrets = fine'],
    ]
    for (const [input, expected] of cases) expect(r(input, JSON.stringify(input)), `redact(${JSON.stringify(input)})`).toBe(expected)
  })

  it('turns an Error into { type, message, stack } with the secrets in them redacted', () => {
    const err = new TypeError(`card ${VISA} rejected, password=${PASSWORD}`)
    const out = r({ err }, 'an object holding a TypeError') as { err?: { type?: string; message?: string; stack?: string } }
    expect([out.err?.type, out.err?.message], 'redact({ err }).err: [type, message]').toEqual(['TypeError', `card ****1111 rejected, password=${REDACTED}`])
    expect(typeof out.err?.stack === 'string' && out.err.stack.includes('****1111') && !out.err.stack.includes(VISA), 'redact({ err }).err.stack: the stack trace, with the card masked too').toBe(true)
  })

  it('keeps numbers, booleans and null, and survives a cycle', () => {
    expect(r({ n: 42, ok: true, none: null, when: 'today' }, '{ n: 42, ok: true, none: null, when }'), 'redact of plain values').toEqual({ n: 42, ok: true, none: null, when: 'today' })
    const loop: Record<string, unknown> = { name: 'loop', password: PASSWORD }
    loop.self = loop
    let out: unknown
    try {
      out = redact(loop)
    } catch (err) {
      expect.fail(`redact(an object that contains itself) threw ${describeThrown(err)}`)
    }
    expect(out, 'redact(an object that contains itself)').toEqual({ name: 'loop', password: REDACTED, self: '[Circular]' })
    // The same object twice, side by side, is not a cycle: both copies stay.
    const address = { city: 'Berlin', zip: '10115' }
    expect(r({ billing: address, shipping: address }, '{ billing, shipping } sharing one address object'), 'redact of one object referenced twice (no cycle): both copies are kept').toEqual({ billing: address, shipping: address })
  })

  it('masks a bearer token in any letter case', () => {
    expect(r({ note: 'retried with bearer abc.DEF-123 and BEARER xyz' }, '{ note: "… bearer abc.DEF-123 and BEARER xyz" }'), 'redact of bearer tokens written in lower and upper case').toEqual({ note: `retried with bearer ${REDACTED} and BEARER ${REDACTED}` })
  })

  it('a key is a secret when it contains a secret word, or is exactly "pan": company, span and panel are not', () => {
    expect(
      r({ company: 'Acme', span: 3, panel: 'left', Pan: '4111', PAN: '5500' }, '{ company, span, panel, Pan, PAN }'),
      'redact({ company, span, panel, Pan, PAN }): only the keys that are exactly "pan" (in any case) go',
    ).toEqual({ company: 'Acme', span: 3, panel: 'left', Pan: REDACTED, PAN: REDACTED })
  })
})

describe('createLogger(sink) and requestLog(logger): a real service logs, nothing secret reaches the sink', () => {
  const s = memorySink()
  let responses: Record<string, number> = {}

  beforeAll(async () => {
    const log = attempt('createLogger(sink)', () => createLogger(s.sink) as Logger)
    const app = express()
    app.use(express.json())
    app.use(attempt('requestLog(logger)', () => requestLog(log)))
    app.post('/login', (req: Request, res: Response) => {
      // The handler still gets the real password: logging must not have changed the body.
      const ok = req.body?.email === 'ada@example.com' && req.body?.password === PASSWORD
      log.info('login attempt', { email: req.body?.email, ok })
      res.status(ok ? 200 : 401).json({ ok, accessToken: ok ? ACCESS_TOKEN : undefined, refreshToken: ok ? REFRESH_TOKEN : undefined })
    })
    app.post('/password', (req: Request, res: Response) => {
      log.info('password change', { user: 42, change: req.body })
      res.status(204).end()
    })
    app.post('/payments', (req: Request, res: Response) => {
      log.info(`charging card ${req.body.cardNumber} for order ${req.body.orderId}`, { card: req.body.cardNumber, amount: req.body.amount, currency: req.body.currency, orderId: req.body.orderId })
      res.status(201).json({ status: 'charged', last4: String(req.body.cardNumber).slice(-4) })
    })
    app.get('/export', (_req: Request, res: Response) => void res.json({ rows: 3 }))
    app.post('/fail', () => {
      throw new Error(`charge failed for card 5555-5555-5555-4444 with token ${JWT}`)
    })
    app.use((err: Error, req: Request, res: Response, _next: NextFunction) => {
      log.error('request failed', { err, body: req.body, auth: req.get('authorization') })
      res.status(500).json({ error: 'internal' })
    })
    const { url } = await listen(app)

    const send = async (name: string, path: string, init: RequestInit) => {
      responses[name] = (await fetch(url + path, init)).status
    }
    const json = { 'content-type': 'application/json' }
    responses = {}
    await send('login', '/login', { method: 'POST', headers: { ...json, cookie: `sid=${SESSION}` }, body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }) })
    await send('password', '/password', { method: 'POST', headers: { ...json, authorization: `Bearer ${JWT}` }, body: JSON.stringify({ oldPassword: PASSWORD, newPassword: NEW_PASSWORD, new_password_confirmation: NEW_PASSWORD }) })
    await send('payments', '/payments', {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${JWT}`, 'x-api-key': API_KEY },
      body: JSON.stringify({ cardNumber: '4111 1111 1111 1111', cvv: CVV, amount: 4200, currency: 'EUR', orderId: ORDER_ID }),
    })
    await send('export', `/export?format=csv&access_token=${ACCESS_TOKEN}`, { method: 'GET' })
    await send('fail', '/fail', { method: 'POST', headers: { ...json, authorization: `Bearer ${ACCESS_TOKEN}` }, body: JSON.stringify({ card_number: MASTERCARD, refresh_token: REFRESH_TOKEN, amex: AMEX }) })
    // Let the 'finish' listeners of the last responses run.
    await new Promise((resolve) => setTimeout(resolve, 50))
  })

  it('no password, token, API key, session cookie, card number or CVV appears anywhere in the logs — and the handlers still saw the real requests', () => {
    expect(leaks(s.lines()), 'secrets found in the log lines').toEqual([])
    expect(responses, 'statuses of POST /login, /password, /payments, GET /export, POST /fail (login answers 200 only if its handler got the real password)').toEqual({ login: 200, password: 204, payments: 201, export: 200, fail: 500 })
  })

  it('what is needed to debug stays: one JSON line per call; methods, paths, statuses, email, amount, order id, the last 4 digits of the card', () => {
    const lines = s.lines()
    for (const w of s.writes) expect(w.endsWith('\n') && !w.slice(0, -1).includes('\n'), `each write should be one line ending in "\\n": ${JSON.stringify(w.slice(0, 80))}`).toBe(true)
    for (const line of lines) expect([typeof line.level, typeof line.msg, typeof line.time], `[level, msg, time] types of ${JSON.stringify(line).slice(0, 120)}`).toEqual(['string', 'string', 'string'])
    const requests = lines.filter((l) => l.msg === 'request')
    expect(requests.map((l) => [l.method, String(l.url).split('?')[0], l.status]), 'request lines: [method, path, status]').toEqual([
      ['POST', '/login', 200],
      ['POST', '/password', 204],
      ['POST', '/payments', 201],
      ['GET', '/export', 200],
      ['POST', '/fail', 500],
    ])
    expect(String(requests[3]?.url), 'url of the GET /export request line: the harmless parameter stays').toContain('format=csv')
    const all = strings(lines)
    for (const [what, text] of [
      ['the email', 'ada@example.com'],
      ['the order id (16 digits that are not a card number)', ORDER_ID],
      ['the masked card with its last 4 digits', '****1111'],
      ['the masked card of the failed charge', '****4444'],
      ['the currency', 'EUR'],
    ]) {
      expect(all.some((x) => x.includes(text!)), `${what} (${text}) should still be in the logs`).toBe(true)
    }
    const payment = requests[2] as { body?: { amount?: unknown } }
    expect(payment.body?.amount, 'body.amount in the POST /payments request line').toBe(4200)
    const failed = lines.find((l) => l.msg === 'request failed') as { err?: { type?: string; message?: string } } | undefined
    expect(failed?.err?.message, 'err.message in the "request failed" line').toBe(`charge failed for card ****4444 with token ${REDACTED}`)
  })
})

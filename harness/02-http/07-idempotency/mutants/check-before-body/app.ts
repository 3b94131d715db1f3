import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'

export interface ChargeRequest {
  amount: number
  currency: string
  customer: string
}

export interface Payment extends ChargeRequest {
  id: string
  status: 'succeeded'
}

export interface AppOptions {
  /** The payment provider: has a side effect, must run once per idempotency key. */
  charge(request: ChargeRequest): Promise<{ chargeId: string }>
  /** How long a key is remembered after its request completed (default 24 h). */
  ttlMs?: number
  /** The clock (default Date.now); the suite moves it by hand. */
  now?: () => number
}

interface StoredResponse {
  status: number
  headers: Record<string, string>
  body: unknown
}

type KeyState =
  | { state: 'in_progress'; fingerprint: string }
  | { state: 'done'; fingerprint: string; response: StoredResponse; expiresAt: number }

export function createApp({ charge, ttlMs = 24 * 60 * 60 * 1000, now = Date.now }: AppOptions): RequestListener {
  const keys = new Map<string, KeyState>()
  const payments = new Map<string, Payment>()

  return (req, res) => {
    handle(req, res).catch(() => send(res, { status: 500, headers: {}, body: { error: 'internal' } }))
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://local').pathname
    const one = /^\/payments\/([^/]+)$/.exec(path)
    if (req.method === 'GET' && one) {
      const payment = payments.get(decodeURIComponent(one[1]!))
      return send(res, payment ? { status: 200, headers: {}, body: payment } : { status: 404, headers: {}, body: { error: 'not_found' } })
    }
    if (req.method !== 'POST' || path !== '/payments') return send(res, { status: 404, headers: {}, body: { error: 'not_found' } })

    const key = req.headers['idempotency-key']
    if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
      return send(res, { status: 400, headers: {}, body: { error: 'idempotency_key_required' } })
    }
    // Look the key up first: a duplicate need not even be read.
    let seen = keys.get(key)
    const input = validate(await readJson(req))
    if (!input) return send(res, { status: 400, headers: {}, body: { error: 'invalid_body' } })
    const fingerprint = canonical(input)

    if (seen?.state === 'done' && seen.expiresAt <= now()) {
      keys.delete(key)
      seen = undefined
    }
    if (seen && seen.fingerprint !== fingerprint) {
      return send(res, { status: 422, headers: {}, body: { error: 'idempotency_key_reused' } })
    }
    if (seen?.state === 'in_progress') {
      return send(res, { status: 409, headers: { 'Retry-After': '1' }, body: { error: 'request_in_progress' } })
    }
    if (seen?.state === 'done') {
      return send(res, { ...seen.response, headers: { ...seen.response.headers, 'Idempotent-Replayed': 'true' } })
    }
    keys.set(key, { state: 'in_progress', fingerprint })

    let chargeId: string
    try {
      ;({ chargeId } = await charge(input))
    } catch {
      // Nothing was charged: forget the key so the client may retry with it.
      keys.delete(key)
      return send(res, { status: 502, headers: {}, body: { error: 'payment_failed' } })
    }
    const payment: Payment = { id: chargeId, ...input, status: 'succeeded' }
    payments.set(payment.id, payment)
    const response: StoredResponse = { status: 201, headers: { Location: `/payments/${payment.id}` }, body: payment }
    keys.set(key, { state: 'done', fingerprint, response, expiresAt: now() + ttlMs })
    send(res, response)
  }
}

function validate(body: unknown): ChargeRequest | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const { amount, currency, customer } = body as Record<string, unknown>
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0) return undefined
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) return undefined
  if (typeof customer !== 'string' || customer.trim() === '') return undefined
  return { amount, currency, customer }
}

/** JSON with sorted keys: the same value gives the same text whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    return undefined
  }
}

function send(res: ServerResponse, { status, headers, body }: StoredResponse) {
  const text = JSON.stringify(body)
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

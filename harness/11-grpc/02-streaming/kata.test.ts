import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientFor, grpc, loadService, serve, statusName } from '#support/grpc'
import * as kata from '@kata/grpc/streaming'

const CONTRACT = fileURLToPath(new URL('./market.proto', import.meta.url))
const Market = loadService(CONTRACT, 'roadmap.market.v1.Market')

interface Trade {
  seq: number
  symbol: string
  price: number
  qty: number
}
interface QuoteRequest {
  requestId: string
  symbol: string
  qty: number
}
interface QuoteReply {
  requestId: string
  total: number
  error: string
}
interface MarketServer {
  port: number
  stop(): Promise<void>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const tradeOf = (symbol: string, seq: number): Trade => ({ seq, symbol, price: 100 + seq / 4, qty: (seq % 7) + 1 })

/** Trade history the suite controls: endless for most symbols, 3 trades for SHORT, none for NOPE. */
class History {
  pulled = new Map<string, number>()
  closed = new Set<string>()
  trades(symbol: string): AsyncIterable<Trade> | undefined {
    if (symbol === 'NOPE') return undefined
    const self = this
    return (async function* () {
      try {
        for (let seq = 1; symbol !== 'SHORT' || seq <= 3; seq++) {
          // Yield to the event loop now and then: an endless feed must not starve it.
          if (seq % 32 === 0) await new Promise((resolve) => setImmediate(resolve))
          self.pulled.set(symbol, seq)
          yield tradeOf(symbol, seq)
        }
      } finally {
        self.closed.add(symbol)
      }
    })()
  }
}

const PRICES: Record<string, number> = { AAPL: 190, MSFT: 410, TSLA: 250 }
/** Pricing the suite controls: sessions are counted, and later lookups answer faster. */
class Pricing {
  opened = 0
  open = new Set<number>()
  private calls = 0
  /** When set, a session's first lookup waits until its second one has answered (at most 300 ms). */
  holdFirst = false
  /** A lookup of HOLD is pending; `release()` lets it answer. */
  holding = false
  release = () => undefined as void
  released = new Promise<void>((resolve) => (this.release = resolve))
  openSession() {
    const id = ++this.opened
    this.open.add(id)
    let lookups = 0
    let secondAnswered!: () => void
    const second = new Promise<void>((resolve) => (secondAnswered = resolve))
    return {
      price: async (symbol: string) => {
        if (symbol === 'HOLD') {
          // Held until the suite lets go: the stream is cancelled while this lookup is pending.
          this.holding = true
          await Promise.race([this.released, sleep(3_000)])
          return undefined
        }
        const n = lookups++
        // A server that looks prices up in parallel certainly gets the second answer first;
        // one that serialises them never asks the second before the first has answered.
        if (n === 0 && this.holdFirst) await Promise.race([second, sleep(300)])
        // First lookups are the slowest: a server that does not serialise replies reorders them.
        await sleep(Math.max(0, 40 - 8 * (this.calls++ % 5)))
        if (n === 1) secondAnswered()
        return PRICES[symbol]
      },
      close: () => void this.open.delete(id),
    }
  }
}

const history = new History()
const pricing = new Pricing()
let server: MarketServer
let client: ReturnType<typeof clientFor>

beforeAll(async () => {
  server = await kata.startMarketServer({ history, pricing: { open: () => pricing.openSession() } })
  client = clientFor(Market, `127.0.0.1:${server.port}`)
})
afterAll(async () => {
  client?.close()
  await server?.stop()
})

/** Reads a server stream to its end: the messages and the final status. */
function readAll<T>(call: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>): Promise<{ messages: T[]; code: number; details: string; trailer: grpc.Metadata }> {
  const messages: T[] = []
  return new Promise((resolve) => {
    call.on('data', (m: T) => messages.push(m))
    call.on('error', () => undefined) // the status below carries it
    call.on('status', (s: grpc.StatusObject) => resolve({ messages, code: s.code, details: s.details, trailer: s.metadata }))
  })
}

const exportTrades = (symbol: string, limit: number, deadlineMs = 15_000) =>
  client.ExportTrades!({ symbol, limit }, { deadline: Date.now() + deadlineMs }) as grpc.ClientReadableStream<Trade>

async function until(cond: () => boolean, withinMs: number) {
  const end = performance.now() + withinMs
  while (!cond() && performance.now() < end) await sleep(20)
  return cond()
}

describe('step 1: server streaming — ExportTrades', () => {
  it('streams the first `limit` trades of a symbol, oldest first, then ends with OK', async () => {
    const r = await readAll(exportTrades('AAPL', 10))
    expect(statusName(r.code), 'ExportTrades(AAPL, limit 10): status').toBe('OK')
    expect(r.messages, 'ExportTrades(AAPL, limit 10): trades received').toEqual(Array.from({ length: 10 }, (_, i) => tradeOf('AAPL', i + 1)))
  })

  it('ends with OK when the history runs out before the limit (limit 0 = no limit)', async () => {
    const r = await readAll(exportTrades('SHORT', 0))
    expect(statusName(r.code), 'ExportTrades(SHORT, limit 0): status').toBe('OK')
    expect(r.messages.map((t) => t.seq), 'ExportTrades(SHORT, limit 0): seq of trades received (SHORT has 3)').toEqual([1, 2, 3])
  })

  it('answers NOT_FOUND, naming the symbol, for an unknown one', async () => {
    const r = await readAll(exportTrades('NOPE', 5))
    expect(statusName(r.code), 'ExportTrades(NOPE): status').toBe('NOT_FOUND')
    expect(r.details, 'ExportTrades(NOPE): details').toContain('NOPE')
  })

  it('closes the history iterator once the limit is reached', async () => {
    await readAll(exportTrades('MSFT', 5))
    expect(await until(() => history.closed.has('MSFT'), 5_000), 'history iterator of MSFT closed (its finally ran) after a limit-5 export').toBe(true)
    expect(history.pulled.get('MSFT'), 'trades pulled from the MSFT history for a limit-5 export').toBeLessThanOrEqual(6)
  })

  it('stops pulling and closes the history iterator when the client cancels', async () => {
    const call = exportTrades('TSLA', 0)
    let got = 0
    await new Promise<void>((resolve) => {
      call.on('data', () => {
        if (++got === 20) {
          call.cancel()
          resolve()
        }
      })
      call.on('error', () => resolve())
    })
    expect(await until(() => history.closed.has('TSLA'), 5_000), 'history iterator of TSLA closed within 5 s of the client cancelling an endless export').toBe(true)
    const pulled = history.pulled.get('TSLA') ?? 0
    await sleep(200)
    expect(history.pulled.get('TSLA'), 'trades pulled from TSLA, 200 ms after the iterator was closed').toBe(pulled)
  })

  it('respects backpressure: stops pulling while write() returns false, goes on after \'drain\', stops on \'cancelled\'', async () => {
    // A stand-in for grpc's call object: a writable whose buffer holds 4 messages and
    // empties only when the suite says so, like a client that stopped reading.
    let reading = false
    const pending: (() => void)[] = []
    const call = Object.assign(
      new Writable({
        objectMode: true,
        highWaterMark: 4,
        write(_trade: Trade, _enc, done) {
          if (reading) setImmediate(done)
          else pending.push(done)
        },
      }),
      { request: { symbol: 'PAUSED', limit: 0 }, cancelled: false, metadata: new grpc.Metadata(), getPeer: () => 'test', sendMetadata: () => undefined },
    )
    call.on('error', () => undefined)
    const handlers = kata.marketHandlers({ history, pricing: { open: () => pricing.openSession() } })
    const running = Promise.resolve(handlers.ExportTrades(call)).catch(() => undefined)
    // A server that ignores backpressure pulls past 8 at once; one that waits never does.
    await until(() => (history.pulled.get('PAUSED') ?? 0) > 8, 1_000)
    const whileFull = history.pulled.get('PAUSED') ?? 0
    expect(whileFull, 'trades pulled from the history while write() returns false and no \'drain\' came (buffer of 4)').toBeGreaterThan(0)
    expect(whileFull, 'trades pulled from the history while write() returns false and no \'drain\' came (buffer of 4)').toBeLessThanOrEqual(8)
    reading = true // the client reads again: the buffer empties and 'drain' fires
    for (const done of pending.splice(0)) done()
    await until(() => (history.pulled.get('PAUSED') ?? 0) > whileFull + 8, 5_000)
    expect(history.pulled.get('PAUSED') ?? 0, 'trades pulled within 5 s after the client started reading again (\'drain\' fired): wait for \'drain\', then go on pulling').toBeGreaterThan(whileFull + 8)
    call.cancelled = true
    call.emit('cancelled', 'cancelled')
    expect(await until(() => history.closed.has('PAUSED'), 5_000), 'history iterator closed after the call was cancelled').toBe(true)
    await Promise.race([running, sleep(500)])
  })
})

describe('step 2: bidirectional streaming — Quote', () => {
  const quote = (requests: QuoteRequest[], { end = true } = {}) => {
    const call = client.Quote!({ deadline: Date.now() + 15_000 }) as grpc.ClientDuplexStream<QuoteRequest, QuoteReply>
    const done = readAll(call)
    for (const r of requests) call.write(r)
    if (end) call.end()
    return { call, done }
  }

  it('answers every request with price × qty, in the order the requests came', async () => {
    const requests = [
      { requestId: 'r1', symbol: 'AAPL', qty: 2 },
      { requestId: 'r2', symbol: 'MSFT', qty: 1 },
      { requestId: 'r3', symbol: 'TSLA', qty: 4 },
      { requestId: 'r4', symbol: 'AAPL', qty: 1 },
      { requestId: 'r5', symbol: 'MSFT', qty: 3 },
    ]
    pricing.holdFirst = true
    const r = await quote(requests).done.finally(() => {
      pricing.holdFirst = false
    })
    expect(statusName(r.code), 'Quote with 5 requests: status').toBe('OK')
    expect(r.messages, 'Quote: replies (the first price answers last; replies must still keep request order: answer one request at a time, or reorder before writing)').toEqual([
      { requestId: 'r1', total: 380, error: '' },
      { requestId: 'r2', total: 410, error: '' },
      { requestId: 'r3', total: 1000, error: '' },
      { requestId: 'r4', total: 190, error: '' },
      { requestId: 'r5', total: 1230, error: '' },
    ])
  })

  it('answers a bad request with an error field and keeps the stream going', async () => {
    const r = await quote([
      { requestId: 'a', symbol: 'ZZZZ', qty: 1 },
      { requestId: 'b', symbol: 'AAPL', qty: 0 },
      { requestId: 'c', symbol: 'AAPL', qty: 1 },
    ]).done
    expect(statusName(r.code), 'Quote with an unknown symbol and a qty 0: status').toBe('OK')
    expect(r.messages, 'Quote: replies to ZZZZ×1, AAPL×0, AAPL×1').toEqual([
      { requestId: 'a', total: 0, error: 'unknown symbol' },
      { requestId: 'b', total: 0, error: 'qty must be positive' },
      { requestId: 'c', total: 190, error: '' },
    ])
  })

  it('ends with OK and a trailer x-quote-count = number of replies once the client is done', async () => {
    const r = await quote([
      { requestId: '1', symbol: 'AAPL', qty: 1 },
      { requestId: '2', symbol: 'NONE', qty: 1 },
    ]).done
    expect(r.trailer.get('x-quote-count'), 'Quote with 2 requests: trailer x-quote-count').toEqual(['2'])
    const empty = await quote([]).done
    expect({ status: statusName(empty.code), count: empty.trailer.get('x-quote-count') }, 'Quote with no requests at all').toEqual({ status: 'OK', count: ['0'] })
  })

  it('opens one pricing session per stream and closes it when the stream ends', async () => {
    const before = pricing.opened
    await Promise.all([quote([{ requestId: 'x', symbol: 'AAPL', qty: 1 }]).done, quote([{ requestId: 'y', symbol: 'MSFT', qty: 1 }]).done])
    expect(pricing.opened - before, 'pricing sessions opened by 2 Quote streams').toBe(2)
    expect(await until(() => pricing.open.size === 0, 5_000), `pricing sessions still open after both streams ended (${pricing.open.size})`).toBe(true)
  })

  it('closes the pricing session when the client cancels mid-stream', async () => {
    const { call } = quote([{ requestId: 'p', symbol: 'AAPL', qty: 1 }], { end: false })
    await until(() => pricing.open.size > 0, 5_000)
    expect(pricing.open.size, 'pricing sessions open while a Quote stream is running').toBe(1)
    await sleep(50)
    call.cancel()
    expect(await until(() => pricing.open.size === 0, 5_000), 'pricing session closed within 5 s of the client cancelling').toBe(true)
  })

  it('closes the pricing session when the client cancels while a price lookup is pending', async () => {
    const { call } = quote([{ requestId: 'h', symbol: 'HOLD', qty: 1 }], { end: false })
    expect(await until(() => pricing.holding, 5_000), 'the server looked up the price of HOLD').toBe(true)
    call.cancel()
    await sleep(100)
    pricing.release() // the lookup answers after the stream was cancelled
    expect(await until(() => pricing.open.size === 0, 5_000), 'pricing session closed after the client cancelled during a lookup: close it on cancellation (or in finally), not only after the last reply').toBe(true)
  })
})

describe('step 3: the client side', () => {
  let address = ''
  const served = { cancelled: false, quoteTrailer: (n: number) => String(n) }

  beforeAll(async () => {
    ;({ address } = await serve(Market, {
      async ExportTrades(call: grpc.ServerWritableStream<{ symbol: string; limit: number }, Trade>) {
        const { symbol } = call.request
        if (symbol === 'NOPE') return void call.emit('error', { code: grpc.status.NOT_FOUND, details: 'unknown symbol NOPE' })
        served.cancelled = false
        call.on('cancelled', () => (served.cancelled = true))
        for (let seq = 1; symbol !== 'SHORT' || seq <= 3; seq++) {
          if (call.cancelled) break
          call.write(tradeOf(symbol, seq))
          await sleep(seq % 10 === 0 ? 5 : 0)
          if (seq > 10_000) break
        }
        call.end()
      },
      async Quote(call: grpc.ServerDuplexStream<QuoteRequest, QuoteReply>) {
        let n = 0
        for await (const req of call as AsyncIterable<QuoteRequest>) {
          if (req.symbol === 'BOOM') return void call.emit('error', { code: grpc.status.FAILED_PRECONDITION, details: 'market closed' })
          call.write({ requestId: req.requestId, total: (PRICES[req.symbol] ?? 0) * req.qty, error: '' })
          n++
        }
        const trailer = new grpc.Metadata()
        trailer.set('x-quote-count', served.quoteTrailer(n))
        call.end(trailer)
      },
    }))
  })

  it('takeTrades(address, symbol, n) resolves with the first n trades of an endless export', async () => {
    expect(await kata.takeTrades(address, 'AAPL', 7), 'takeTrades(…, "AAPL", 7)').toEqual(Array.from({ length: 7 }, (_, i) => tradeOf('AAPL', i + 1)))
  })

  it('takeTrades cancels the call once it has n trades, so the server stops', async () => {
    await kata.takeTrades(address, 'MSFT', 5)
    expect(await until(() => served.cancelled, 5_000), 'the server saw the call cancelled after takeTrades(…, "MSFT", 5) resolved').toBe(true)
  })

  it('takeTrades resolves with fewer trades when the stream ends first, and rejects with the status of a failed call', async () => {
    expect((await kata.takeTrades(address, 'SHORT', 10)).map((t: Trade) => t.seq), 'takeTrades(…, "SHORT", 10): seq of trades (SHORT has 3)').toEqual([1, 2, 3])
    const err = (await kata.takeTrades(address, 'NOPE', 3).catch((e: unknown) => e)) as grpc.ServiceError
    expect(statusName(err?.code), 'takeTrades(…, "NOPE", 3): code of the rejection').toBe('NOT_FOUND')
  })

  it('quoteAll(address, requests) sends every request and resolves with the replies in order', async () => {
    served.quoteTrailer = (n) => String(n)
    const requests = [
      { requestId: 'q1', symbol: 'AAPL', qty: 1 },
      { requestId: 'q2', symbol: 'TSLA', qty: 2 },
      { requestId: 'q3', symbol: 'MSFT', qty: 3 },
    ]
    expect(await kata.quoteAll(address, requests), 'quoteAll(3 requests)').toEqual([
      { requestId: 'q1', total: 190, error: '' },
      { requestId: 'q2', total: 500, error: '' },
      { requestId: 'q3', total: 1230, error: '' },
    ])
  })

  it('quoteAll rejects when the x-quote-count trailer disagrees with the replies that arrived', async () => {
    served.quoteTrailer = (n) => String(n + 1)
    const outcome = await kata.quoteAll(address, [{ requestId: 'q1', symbol: 'AAPL', qty: 1 }]).then(
      () => 'resolved',
      (e: Error) => `rejected: ${e.message}`,
    )
    served.quoteTrailer = (n) => String(n)
    expect(outcome, 'quoteAll when the server sends 1 reply but a trailer x-quote-count: 2').toMatch(/^rejected/)
  })

  it('quoteAll rejects with the status of a failed call', async () => {
    const err = (await kata.quoteAll(address, [{ requestId: 'q1', symbol: 'BOOM', qty: 1 }]).catch((e: unknown) => e)) as grpc.ServiceError
    expect(statusName(err?.code), 'quoteAll when the server fails the call with FAILED_PRECONDITION: code of the rejection').toBe('FAILED_PRECONDITION')
  })
})

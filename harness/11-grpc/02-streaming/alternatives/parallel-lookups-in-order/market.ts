import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

export const PROTO_PATH = fileURLToPath(new URL('./market.proto', import.meta.url))

export interface Trade {
  seq: number
  symbol: string
  price: number
  qty: number
}
export interface QuoteRequest {
  requestId: string
  symbol: string
  qty: number
}
export interface QuoteReply {
  requestId: string
  total: number
  error: string
}

export interface TradeHistory {
  /** The trades of `symbol`, oldest first (possibly endless), or undefined for an unknown symbol. */
  trades(symbol: string): AsyncIterable<Trade> | undefined
}
export interface PricingSession {
  /** The price of one unit, or undefined for an unknown symbol. */
  price(symbol: string): Promise<number | undefined>
  close(): void
}
export interface Pricing {
  /** One session per Quote stream: close it when the stream ends, whatever the reason. */
  open(): PricingSession
}

export interface MarketServer {
  port: number
  stop(): Promise<void>
}

/** The generated client, as proto-loader builds it at run time. */
interface MarketStub extends grpc.Client {
  ExportTrades(request: { symbol: string; limit: number }): grpc.ClientReadableStream<Trade>
  Quote(): grpc.ClientDuplexStream<QuoteRequest, QuoteReply>
}

function loadMarket(): grpc.ServiceClientConstructor {
  const def = protoLoader.loadSync(PROTO_PATH, { keepCase: false, enums: String, defaults: true })
  const pkg = grpc.loadPackageDefinition(def) as unknown as { roadmap: { market: { v1: { Market: grpc.ServiceClientConstructor } } } }
  return pkg.roadmap.market.v1.Market
}

/** Resolves on 'drain' or 'cancelled', whichever comes first, and leaves no listener behind. */
function drainedOrCancelled(call: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done)
      call.off('cancelled', done)
      resolve()
    }
    call.on('drain', done)
    call.on('cancelled', done)
  })
}

/** The Market handlers, apart from the server: tests can call them with a fake call. */
export function marketHandlers({ history, pricing }: { history: TradeHistory; pricing: Pricing }): grpc.UntypedServiceImplementation {
  return {
    async ExportTrades(call: grpc.ServerWritableStream<{ symbol: string; limit: number }, Trade>) {
      const { symbol, limit } = call.request
      const trades = history.trades(symbol)
      if (!trades) return void call.emit('error', { code: grpc.status.NOT_FOUND, details: `unknown symbol ${symbol}` })
      let sent = 0
      // Leaving the loop (break, return, throw) closes the history iterator.
      for await (const trade of trades) {
        if (call.cancelled) return
        if (!call.write(trade)) {
          // Backpressure: wait until the client has taken what is buffered, or has gone.
          await drainedOrCancelled(call)
          if (call.cancelled) return
        }
        if (limit > 0 && ++sent >= limit) break
      }
      call.end()
    },

    async Quote(call: grpc.ServerDuplexStream<QuoteRequest, QuoteReply>) {
      const session = pricing.open()
      let closed = false
      const close = () => {
        if (!closed) session.close()
        closed = true
      }
      call.on('cancelled', close)
      let count = 0
      try {
        // Lookups run in parallel; each reply waits for the one before it, so they still
        // leave in the order the requests came.
        let previous: Promise<void> = Promise.resolve()
        for await (const req of call as AsyncIterable<QuoteRequest>) {
          if (call.cancelled) return
          const answer: Promise<QuoteReply> =
            req.qty <= 0
              ? Promise.resolve({ requestId: req.requestId, total: 0, error: 'qty must be positive' })
              : session.price(req.symbol).then((price) =>
                  price === undefined ? { requestId: req.requestId, total: 0, error: 'unknown symbol' } : { requestId: req.requestId, total: price * req.qty, error: '' },
                )
          const before = previous
          previous = (async () => {
            const reply = await answer
            await before
            if (call.cancelled) return
            call.write(reply)
            count++
          })()
        }
        await previous
        if (call.cancelled) return
        const trailer = new grpc.Metadata()
        trailer.set('x-quote-count', String(count))
        call.end(trailer)
      } finally {
        close()
      }
    },
  }
}

export async function startMarketServer(deps: { history: TradeHistory; pricing: Pricing }): Promise<MarketServer> {
  const server = new grpc.Server()
  server.addService(loadMarket().service, marketHandlers(deps))
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  )
  return { port, stop: async () => server.forceShutdown() }
}

/** Reads the first `n` trades of an endless export, then cancels the call. */
export async function takeTrades(address: string, symbol: string, n: number): Promise<Trade[]> {
  const client = new (loadMarket())(address, grpc.credentials.createInsecure()) as unknown as MarketStub
  const call = client.ExportTrades({ symbol, limit: 0 })
  const trades: Trade[] = []
  try {
    return await new Promise<Trade[]>((resolve, reject) => {
      call.on('data', (t: Trade) => {
        if (trades.length >= n) return
        trades.push(t)
        if (trades.length === n) {
          resolve(trades)
          call.cancel() // tell the server to stop; the CANCELLED error that follows is ours
        }
      })
      call.on('end', () => resolve(trades))
      call.on('error', (err: grpc.ServiceError) => (err.code === grpc.status.CANCELLED ? resolve(trades) : reject(err)))
    })
  } finally {
    client.close()
  }
}

/** Sends every request, then reads the replies; checks them against the x-quote-count trailer. */
export async function quoteAll(address: string, requests: QuoteRequest[]): Promise<QuoteReply[]> {
  const client = new (loadMarket())(address, grpc.credentials.createInsecure()) as unknown as MarketStub
  const call = client.Quote()
  const replies: QuoteReply[] = []
  try {
    return await new Promise<QuoteReply[]>((resolve, reject) => {
      call.on('data', (r: QuoteReply) => replies.push(r))
      call.on('error', reject)
      call.on('status', (status: grpc.StatusObject) => {
        if (status.code !== grpc.status.OK) return // 'error' reports it
        const count = Number(status.metadata.get('x-quote-count')[0])
        if (count !== replies.length) reject(new Error(`the server says it sent ${count} replies, ${replies.length} arrived`))
        else resolve(replies)
      })
      for (const r of requests) call.write(r)
      call.end()
    })
  } finally {
    client.close()
  }
}

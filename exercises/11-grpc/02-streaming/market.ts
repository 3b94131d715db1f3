import { fileURLToPath } from 'node:url'
import type * as grpc from '@grpc/grpc-js'

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

/** The Market handlers { ExportTrades, Quote }, apart from the server. See README.md. */
export function marketHandlers(deps: { history: TradeHistory; pricing: Pricing }): grpc.UntypedServiceImplementation {
  throw new Error('TODO: return { ExportTrades(call) {…}, Quote(call) {…} }\nTODO(ru): вернуть { ExportTrades(call) {…}, Quote(call) {…} }')
}

/**
 * Serves roadmap.market.v1.Market from market.proto on 127.0.0.1:0 with marketHandlers:
 * ExportTrades (server streaming) and Quote (bidirectional). See README.md.
 */
export async function startMarketServer(deps: { history: TradeHistory; pricing: Pricing }): Promise<MarketServer> {
  throw new Error('TODO: implement ExportTrades and Quote on a grpc.Server bound to 127.0.0.1:0\nTODO(ru): реализовать ExportTrades и Quote на grpc.Server, привязанном к 127.0.0.1:0')
}

/** Reads the first `n` trades of an endless export, then cancels the call. */
export async function takeTrades(address: string, symbol: string, n: number): Promise<Trade[]> {
  throw new Error('TODO: call ExportTrades with limit 0, collect n trades, then cancel the call\nTODO(ru): вызвать ExportTrades с limit 0, собрать n сделок и отменить вызов')
}

/** Sends every request, then reads the replies; checks them against the x-quote-count trailer. */
export async function quoteAll(address: string, requests: QuoteRequest[]): Promise<QuoteReply[]> {
  throw new Error('TODO: open a Quote stream, write every request, end it and collect the replies\nTODO(ru): открыть поток Quote, записать в него все запросы, закрыть его и собрать ответы')
}

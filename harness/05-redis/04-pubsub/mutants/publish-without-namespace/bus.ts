import type { Redis } from 'ioredis'

export type Handler = (message: unknown) => void

export interface BusOptions {
  /** A connected client for commands: PUBLISH goes through it. */
  publisher: Redis
  /** Makes a new connection; a subscribed connection can do nothing but (un)subscribe. */
  connect: () => Redis
  /** Put in front of every channel name: the prefix of keys does not apply to channels. */
  namespace: string
}

export interface Bus {
  publish(channel: string, message: unknown): Promise<number>
  subscribe(channel: string, handler: Handler): Promise<() => Promise<void>>
  close(): Promise<void>
}

export function createBus({ publisher, connect, namespace }: BusOptions): Bus {
  let subscriber: Redis | undefined
  // Per channel: its handlers, and the SUBSCRIBE every new handler waits for.
  const channels = new Map<string, { handlers: Set<Handler>; ready: Promise<unknown> }>()

  const listen = () => {
    if (subscriber) return subscriber
    const conn = connect()
    conn.on('message', (fullChannel: string, raw: string) => {
      const entry = channels.get(fullChannel.slice(namespace.length))
      if (!entry) return
      const message: unknown = JSON.parse(raw)
      // One handler throwing must not keep the message from the others.
      for (const h of [...entry.handlers]) {
        try {
          h(message)
        } catch {
          // the handler's own bug: the bus carries on
        }
      }
    })
    subscriber = conn
    return conn
  }

  return {
    publish(channel, message) {
      // The publisher's keyPrefix already namespaces what it sends.
      return publisher.publish(channel, JSON.stringify(message))
    },

    async subscribe(channel, handler) {
      const conn = listen()
      let entry = channels.get(channel)
      if (!entry) {
        entry = { handlers: new Set(), ready: conn.subscribe(namespace + channel) }
        channels.set(channel, entry)
      }
      // A fresh function per subscription, so the same handler can be added twice.
      const own: Handler = (m) => handler(m)
      entry.handlers.add(own)
      // Resolve only once Redis confirmed the subscription: from then on nothing is missed.
      await entry.ready
      const current = entry
      return async () => {
        if (!current.handlers.delete(own) || current.handlers.size > 0) return
        if (channels.get(channel) === current) channels.delete(channel)
        await conn.unsubscribe(namespace + channel)
      }
    },

    async close() {
      channels.clear()
      const conn = subscriber
      subscriber = undefined
      if (conn) await conn.quit().catch(() => conn.disconnect())
    },
  }
}

// NATS per suite: connections closed after it; subjects made unique with `subject()`.
import { connect, type NatsConnection } from 'nats'
import { afterAll, beforeAll } from 'vitest'
import { serviceUrl, uniqueName, unavailable } from './services.ts'

export interface NatsFixture {
  readonly url: string
  connect(): Promise<NatsConnection>
  /** A subject prefix no other suite uses, e.g. "rm.ab12cd34". */
  subject(base: string): string
}

export function useNats(): NatsFixture {
  let url = ''
  const conns: NatsConnection[] = []
  beforeAll(() => {
    url = serviceUrl('nats')
  })
  afterAll(async () => {
    await Promise.allSettled(conns.map((c) => c.close()))
  })
  return {
    get url() {
      return url
    },
    async connect() {
      try {
        const c = await connect({ servers: url, timeout: 3000 })
        conns.push(c)
        return c
      } catch (err) {
        throw unavailable('nats', err)
      }
    },
    subject: (base) => uniqueName(base).replace(/[^a-zA-Z0-9_.-]/g, '_'),
  }
}

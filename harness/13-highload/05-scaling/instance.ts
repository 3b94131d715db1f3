// Another instance of the learner's app, in a process of its own: the same module, its
// own memory, the same Redis (through the suite's key prefix). Prints { port } when it
// listens and runs until the suite kills it.
import { createServer, type RequestListener } from 'node:http'
import { Redis } from 'ioredis'
import { importKata, messages, send } from '#support/highload-child'

const inbox = messages()
const job = (await inbox.next()).value as { module: string; url: string; prefix: string }
const kata = await importKata(job.module)
const redis = new Redis(job.url, { keyPrefix: job.prefix, maxRetriesPerRequest: 1 })
redis.on('error', () => undefined)
const createApp = kata.createApp as (deps: { redis: Redis }) => RequestListener
const server = createServer(createApp({ redis }))
server.keepAliveTimeout = 1000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  send({ port: typeof address === 'object' && address ? address.port : 0 })
})

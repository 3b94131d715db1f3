// Helpers for the suites of chapter 06 (queues): waiting for asynchronous effects with a
// message that names what did not happen, and watching channels the learner's code uses.
import type { Channel } from 'amqplib'

import { sleep } from './async.ts'
export { sleep }

/**
 * Polls `check` until it is true; fails with "timed out after … waiting for: <what>"
 * so a test never runs into the suite's budget with an anonymous timeout. Pass `what`
 * as a function when it reports state, so the message shows the state at the timeout.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 2000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${typeof what === 'function' ? what() : what}`)
    await sleep(everyMs)
  }
}

/** Rejects with a message naming the call when `promise` does not settle within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

import { deferred, type Deferred } from './async.ts'
export { deferred, type Deferred }

/**
 * Records errors of a channel handed to the learner's code. Without a listener a
 * channel error (e.g. 406 PRECONDITION_FAILED, a double ack) would crash the worker;
 * with it the suite can say what RabbitMQ complained about.
 */
export function watchChannel(ch: Channel): { errors: Error[]; describe(): string } {
  const errors: Error[] = []
  ch.on('error', (err: Error) => errors.push(err))
  return {
    errors,
    describe: () => (errors.length ? ` (RabbitMQ closed the channel: ${errors.map((e) => e.message).join('; ')})` : ''),
  }
}

/** Messages ready in a queue (not counting the ones delivered and not yet acknowledged). */
export async function readyCount(ch: Channel, queue: string): Promise<number> {
  return (await ch.checkQueue(queue)).messageCount
}

/** Takes every ready message out of a queue (acknowledging them) and returns them. */
export async function drain(ch: Channel, queue: string) {
  const out = []
  for (;;) {
    const m = await ch.get(queue, { noAck: true })
    if (!m) return out
    out.push(m)
  }
}

export const json = (value: unknown) => Buffer.from(JSON.stringify(value))

// Deterministic faults on a real AMQP channel: the suite wraps the channel it hands to the
// learner's code, sees every publish and acknowledgement that code makes, and can
//  - crash the consumer at a chosen step: the step is not sent, the channel is really
//    closed (RabbitMQ puts unacknowledged deliveries back in their queues) and every later
//    publish/ack of the dead consumer is dropped, as if its process had died there;
//  - hold a chosen step on a gate until the suite lets it go (e.g. keep an ack back
//    until another consumer has done its part).
// Nothing is mocked: what is let through goes to the real broker.
import type { Channel, ConsumeMessage, Options } from 'amqplib'

export type AmqpStep =
  | { op: 'publish'; exchange: string; routingKey: string; content: Buffer; options?: Options.Publish }
  | { op: 'ack' | 'nack' | 'reject'; message: ConsumeMessage; requeue?: boolean }

export type StepMatch = (step: AmqpStep, before: readonly AmqpStep[]) => boolean

export interface AmqpGate {
  readonly reached: Promise<AmqpStep>
  isReached(): boolean
  release(): void
}

export interface ChannelTap<C extends Channel> {
  /** The channel to hand to the learner's code. */
  readonly channel: C
  /** Every publish and acknowledgement so far, in order (a dropped step included). */
  readonly log: readonly AmqpStep[]
  /** Crashes the consumer at the first matching step; resolves once the channel is closed. */
  crashAt(match: StepMatch): { crashed: Promise<AmqpStep> }
  /** Holds the first matching step (it is sent only on release()). */
  hold(match: StepMatch): AmqpGate
  /** True once the consumer crashed. */
  isDead(): boolean
}

const STEPS = new Set(['publish', 'sendToQueue', 'ack', 'nack', 'reject'])

function toStep(name: string, args: unknown[]): AmqpStep {
  if (name === 'publish') {
    const [exchange, routingKey, content, options] = args as [string, string, Buffer, Options.Publish | undefined]
    return { op: 'publish', exchange, routingKey, content, options }
  }
  if (name === 'sendToQueue') {
    const [queue, content, options] = args as [string, Buffer, Options.Publish | undefined]
    return { op: 'publish', exchange: '', routingKey: queue, content, options }
  }
  const message = args[0] as ConsumeMessage
  const requeue = name === 'nack' ? (args[2] as boolean | undefined) ?? true : name === 'reject' ? (args[1] as boolean | undefined) ?? true : undefined
  return { op: name as 'ack' | 'nack' | 'reject', message, requeue }
}

/** Publish to this queue (through the default exchange) or with this routing key. */
export const publishTo =
  (routingKey: string): StepMatch =>
  (step) =>
    step.op === 'publish' && step.routingKey === routingKey

export function tapChannel<C extends Channel>(channel: C): ChannelTap<C> {
  const log: AmqpStep[] = []
  let dead = false
  const crashes: { match: StepMatch; done: (step: AmqpStep) => void; fired: boolean }[] = []
  const gates: { match: StepMatch; reached: boolean; released: boolean; signal: (s: AmqpStep) => void; waiting: (() => void)[] }[] = []

  const proxy = new Proxy(channel, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver)
      if (typeof value !== 'function') return value
      const fn = value as (...args: unknown[]) => unknown
      if (typeof prop !== 'string' || !STEPS.has(prop)) return fn.bind(target)
      return (...args: unknown[]) => {
        // A dead process sends nothing; `true` is what a publish that was buffered returns.
        if (dead) return true
        const step = toStep(prop, args)
        const before = log.slice()
        log.push(step)
        const crash = crashes.find((c) => !c.fired && c.match(step, before))
        if (crash) {
          crash.fired = true
          dead = true
          // Closing the channel is what the broker sees when a consumer's process dies.
          void target.close().then(
            () => crash.done(step),
            () => crash.done(step),
          )
          return true
        }
        const gate = gates.find((g) => !g.reached && g.match(step, before))
        if (gate) {
          gate.reached = true
          gate.signal(step)
          if (!gate.released) {
            gate.waiting.push(() => {
              if (!dead) fn.apply(target, args)
            })
            return true
          }
        }
        return fn.apply(target, args)
      }
    },
  })

  return {
    channel: proxy,
    log,
    isDead: () => dead,
    crashAt(match) {
      let done!: (step: AmqpStep) => void
      const crashed = new Promise<AmqpStep>((resolve) => (done = resolve))
      crashes.push({ match, done, fired: false })
      return { crashed }
    },
    hold(match) {
      let signal!: (s: AmqpStep) => void
      const reached = new Promise<AmqpStep>((resolve) => (signal = resolve))
      const g = { match, reached: false, released: false, signal, waiting: [] as (() => void)[] }
      gates.push(g)
      return {
        reached,
        isReached: () => g.reached,
        release: () => {
          g.released = true
          for (const go of g.waiting.splice(0)) go()
        },
      }
    },
  }
}

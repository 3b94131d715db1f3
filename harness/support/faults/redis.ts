// Deterministic interleavings on a real Redis connection: the suite wraps the ioredis
// client it hands to the learner's code, sees every command that code sends, and can hold
// a chosen command (e.g. the DEL after a GET, the PEXPIRE after a SET NX) on a gate until
// another caller has done its step, or fail it without sending it. Nothing is mocked:
// every command that is let through runs on the real server.
import type { Redis } from 'ioredis'

/** A command as the learner's code sent it (keys carry the fixture's prefix). */
export interface SentCommand {
  /** Lower-case command name: 'get', 'set', 'eval', 'evalsha', 'multi', 'exec', … */
  readonly name: string
  readonly args: readonly string[]
  /** Sent inside a MULTI or a pipeline (a gate that holds one part holds the rest of that batch). */
  readonly batched: boolean
}

/** Decides whether a command is the one to hold; `before` is every command sent before it. */
export type CommandMatch = (cmd: SentCommand, before: readonly SentCommand[]) => boolean

export interface Gate {
  /** Resolves with the held command once one matched. */
  readonly reached: Promise<SentCommand>
  /** True once a command matched and is waiting on the gate. */
  isReached(): boolean
  /** Lets the held command (and every later match) go to the server. */
  release(): void
  /** Rejects the held command with `error` without sending it. */
  fail(error: Error): void
}

export interface RedisTap {
  /** The same client, its commands now seen (and possibly held) by the tap. */
  readonly client: Redis
  /** Every command sent so far, in order. */
  readonly log: readonly SentCommand[]
  /** Holds the next command that matches (once) until the gate is released or failed. */
  hold(match: CommandMatch): Gate
  /** Delays every matching command by `ms` before sending it. */
  delay(match: CommandMatch, ms: number): void
  /** Releases every gate still closed (use in finally, so nothing stays held). */
  releaseAll(): void
}

interface Command {
  name: string
  args: unknown[]
  promise: Promise<unknown>
  reject(error: Error): void
}
type SendCommand = (command: Command, stream?: unknown, node?: unknown) => Promise<unknown>

const asText = (value: unknown) => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value))

/** Matches one command name (any case), optionally only after another was sent on this client. */
export function command(name: string, options: { after?: string } = {}): CommandMatch {
  const wanted = name.toLowerCase()
  const after = options.after?.toLowerCase()
  return (cmd, before) => cmd.name === wanted && (after === undefined || before.some((c) => c.name === after))
}

/**
 * Taps `client`: patches its `sendCommand`, the single door every ioredis command goes
 * through (scripts and transactions included), on this one instance.
 */
export function tapRedis(client: Redis): RedisTap {
  const log: SentCommand[] = []
  const gates: { match: CommandMatch; gate: Gate; open: (cmd: SentCommand) => void; held?: { resume: () => void; reject: (e: Error) => void } }[] = []
  const delays: { match: CommandMatch; ms: number }[] = []
  const target = client as unknown as { sendCommand: SendCommand }
  const original = target.sendCommand.bind(client)

  target.sendCommand = (cmd, stream, node) => {
    const seen: SentCommand = { name: String(cmd.name).toLowerCase(), args: cmd.args.map(asText), batched: stream !== undefined }
    const before = log.slice()
    log.push(seen)
    // A batch (MULTI/pipeline) is written as one buffer once all its parts are queued: a
    // gate that catches one part holds that part and every later part of the same batch,
    // and lets them go in their order, so the batch reaches Redis whole and unchanged.
    if (seen.batched) return sendBatched(cmd, stream, node, seen, before)
    const entry = gates.find((g) => !g.gate.isReached() && g.match(seen, before))
    const pause = delays.find((d) => d.match(seen, before))?.ms ?? 0
    if (!entry && pause === 0) return original(cmd, stream, node)
    return new Promise<unknown>((resolve, reject) => {
      const go = () => {
        original(cmd, stream, node).then(resolve, reject)
      }
      const afterPause = pause > 0 ? () => setTimeout(go, pause) : go
      if (!entry) return afterPause()
      entry.held = { resume: afterPause, reject }
      entry.open(seen)
    })
  }

  let heldBatch: { stream: unknown; parts: { cmd: Command; send: () => void }[]; failure?: Error } | undefined
  const sendBatched = (cmd: Command, stream: unknown, node: unknown, seen: SentCommand, before: SentCommand[]) => {
    const part = { cmd, send: () => void original(cmd, stream, node) }
    if (heldBatch && heldBatch.stream === stream) {
      if (heldBatch.failure) cmd.reject(heldBatch.failure)
      else heldBatch.parts.push(part)
      return cmd.promise
    }
    const entry = gates.find((g) => !g.gate.isReached() && g.match(seen, before))
    if (!entry) return original(cmd, stream, node)
    const batch: NonNullable<typeof heldBatch> = { stream, parts: [part] }
    heldBatch = batch
    entry.held = {
      resume: () => {
        if (heldBatch === batch) heldBatch = undefined
        for (const p of batch.parts.splice(0)) p.send()
      },
      reject: (error) => {
        batch.failure = error
        for (const p of batch.parts.splice(0)) p.cmd.reject(error)
      },
    }
    entry.open(seen)
    return cmd.promise
  }

  const hold = (match: CommandMatch): Gate => {
    let reached = false
    let released = false
    let failure: Error | undefined
    let signal!: (cmd: SentCommand) => void
    const reachedPromise = new Promise<SentCommand>((resolve) => (signal = resolve))
    const entry: (typeof gates)[number] = {
      match,
      open: (cmd) => {
        reached = true
        signal(cmd)
        if (failure) entry.held!.reject(failure)
        else if (released) entry.held!.resume()
      },
      gate: {
        reached: reachedPromise,
        isReached: () => reached,
        release: () => {
          if (released || failure) return
          released = true
          entry.held?.resume()
        },
        fail: (error) => {
          if (released || failure) return
          failure = error
          entry.held?.reject(error)
        },
      },
    }
    gates.push(entry)
    return entry.gate
  }

  return {
    client,
    log,
    hold,
    delay: (match, ms) => {
      delays.push({ match, ms })
    },
    releaseAll: () => {
      for (const g of gates) g.gate.release()
    },
  }
}

/** Settles with 'reached' when the gate catches a command first, or 'settled' when `work` ends first. */
export async function raceGate(gate: Gate, work: Promise<unknown>): Promise<'reached' | 'settled'> {
  return Promise.race([gate.reached.then(() => 'reached' as const), work.then(() => 'settled' as const, () => 'settled' as const)])
}

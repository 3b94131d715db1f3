/** Sending on a closed channel, closing it twice, or a blocked send when it closes. */
export class ChannelClosedError extends Error {
  override name = 'ChannelClosedError'
}

/** What a receive gets: a value, or `ok: false` once the channel is closed and drained. */
export type Received<T> = { value: T; ok: true } | { value: undefined; ok: false }

/** What select gets: the index of the channel that was ready, or -1 on timeout. */
export type Selected<T> = ({ index: number } & Received<T>) | { index: -1; value: undefined; ok: false }

/** A receiver parked on a channel. deliver() returns false when it no longer wants a value. */
interface Waiter<T> {
  deliver(r: Received<T>): boolean
}

interface BlockedSend<T> {
  value: T
  resolve(): void
  reject(err: Error): void
}

/** Go's `chan T`: capacity 0 is unbuffered (a send waits for a receiver). */
export class Channel<T> {
  readonly capacity: number
  #buffer: T[] = []
  #receivers: Waiter<T>[] = []
  #senders: BlockedSend<T>[] = []
  #closed = false

  constructor(capacity = 0) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`capacity must be a non-negative integer, got ${capacity}`)
    this.capacity = capacity
  }

  /** How many values wait in the buffer. */
  get length(): number {
    return this.#buffer.length
  }

  send(value: T): Promise<void> {
    if (this.#closed) return Promise.reject(new ChannelClosedError('send on closed channel'))
    // Receivers only wait on an empty buffer: hand the value straight over.
    while (this.#receivers.length) {
      if (this.#receivers.shift()!.deliver({ value, ok: true })) return Promise.resolve()
    }
    if (this.#buffer.length < this.capacity) {
      this.#buffer.push(value)
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => this.#senders.push({ value, resolve, reject }))
  }

  /** Receives without waiting: undefined when a receive would have to wait. */
  tryReceive(): Received<T> | undefined {
    if (this.#buffer.length) {
      const value = this.#buffer.shift()!
      const next = this.#senders.shift() // a slot is free: the first blocked sender moves in
      if (next) {
        this.#buffer.push(next.value)
        next.resolve()
      }
      return { value, ok: true }
    }
    const sender = this.#senders.shift()
    if (sender) {
      sender.resolve()
      return { value: sender.value, ok: true }
    }
    if (this.#closed) return { value: undefined, ok: false }
    return undefined
  }

  receive(): Promise<Received<T>> {
    const ready = this.tryReceive()
    if (ready) return Promise.resolve(ready)
    return new Promise((resolve) => this.#receivers.push({ deliver: (r) => (resolve(r), true) }))
  }

  close(): void {
    if (this.#closed) throw new ChannelClosedError('close of closed channel')
    this.#closed = true
    for (const w of this.#receivers.splice(0)) w.deliver({ value: undefined, ok: false })
    for (const s of this.#senders.splice(0)) s.reject(new ChannelClosedError('send on closed channel'))
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const r = await this.receive()
      if (!r.ok) return
      yield r.value
    }
  }

  /** See select() below; a static method may touch other channels' private fields. */
  static select<T>(channels: readonly Channel<T>[], timeoutMs?: number): Promise<Selected<T>> {
    for (const [index, ch] of channels.entries()) {
      const r = ch.tryReceive()
      if (r) return Promise.resolve({ index, ...r })
    }
    if (timeoutMs !== undefined && timeoutMs <= 0) return Promise.resolve({ index: -1, value: undefined, ok: false })
    return new Promise((resolve) => {
      // One flag for every case: the first delivery wins, later ones are refused, so
      // the value stays with its sender or buffer instead of getting lost.
      let done = false
      let timer: NodeJS.Timeout | undefined
      const finish = (s: Selected<T>) => {
        done = true
        timer?.unref()
        channels.forEach((ch, i) => (ch.#receivers = ch.#receivers.filter((w) => w !== waiters[i])))
        resolve(s)
      }
      const waiters: Waiter<T>[] = channels.map((ch, index) => {
        const w: Waiter<T> = {
          deliver: (r) => {
            if (done) return false
            finish({ index, ...r })
            return true
          },
        }
        ch.#receivers.push(w)
        return w
      })
      if (timeoutMs !== undefined) timer = setTimeout(() => finish({ index: -1, value: undefined, ok: false }), timeoutMs)
    })
  }
}

/**
 * Go's `select` over receives: resolves with the first channel that has a value (or is
 * closed), lowest index first when several are ready. Never takes a value from a
 * channel it does not return. `timeoutMs`: give up with index -1 after that long;
 * 0 means do not wait at all (Go's `default:`); undefined waits forever.
 */
export function select<T>(channels: readonly Channel<T>[], timeoutMs?: number): Promise<Selected<T>> {
  return Channel.select(channels, timeoutMs)
}

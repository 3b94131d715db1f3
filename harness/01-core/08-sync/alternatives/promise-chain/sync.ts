/** Releases what lock()/rlock() granted. Calling it a second time throws. */
export type Unlock = () => void

/** One-shot release: a second call is a bug in the caller, like Go's "unlock of unlocked mutex". */
function once(release: () => void, what: string): Unlock {
  let released = false
  return () => {
    if (released) throw new Error(`${what}: already unlocked`)
    released = true
    release()
  }
}

/**
 * sync.Mutex as a promise chain: each lock() waits for the one before it, so the order
 * of lock() calls is the order of grants, and a late caller always queues at the tail.
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve()
  #pending = 0

  get locked(): boolean {
    return this.#pending > 0
  }

  lock(): Promise<Unlock> {
    let release!: () => void
    const done = new Promise<void>((r) => (release = r))
    const previous = this.#tail
    this.#tail = previous.then(() => done)
    this.#pending++
    return previous.then(() =>
      once(() => {
        this.#pending--
        release()
      }, 'Mutex'),
    )
  }

  async withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    const unlock = await this.lock()
    try {
      return await fn()
    } finally {
      unlock()
    }
  }
}

/**
 * sync.RWMutex: many readers or one writer. A waiting writer stops new readers, and
 * the readers waiting when a writer unlocks all get in before the next writer.
 */
export class RWMutex {
  #readers = 0
  #writer = false
  #waitingReaders: Array<() => void> = []
  #waitingWriters: Array<() => void> = []

  rlock(): Promise<Unlock> {
    return new Promise((resolve) => {
      const grant = () => {
        this.#readers++
        resolve(once(() => this.#runlock(), 'RWMutex read lock'))
      }
      if (this.#writer || this.#waitingWriters.length) this.#waitingReaders.push(grant)
      else grant()
    })
  }

  lock(): Promise<Unlock> {
    return new Promise((resolve) => {
      const grant = () => {
        this.#writer = true
        resolve(once(() => this.#unlock(), 'RWMutex write lock'))
      }
      if (this.#writer || this.#readers) this.#waitingWriters.push(grant)
      else grant()
    })
  }

  #runlock() {
    this.#readers--
    if (this.#readers === 0) this.#waitingWriters.shift()?.()
  }

  #unlock() {
    this.#writer = false
    if (this.#waitingReaders.length) for (const grant of this.#waitingReaders.splice(0)) grant()
    else this.#waitingWriters.shift()?.()
  }

  async withRead<T>(fn: () => T | Promise<T>): Promise<T> {
    const unlock = await this.rlock()
    try {
      return await fn()
    } finally {
      unlock()
    }
  }

  async withWrite<T>(fn: () => T | Promise<T>): Promise<T> {
    const unlock = await this.lock()
    try {
      return await fn()
    } finally {
      unlock()
    }
  }
}

/** sync.WaitGroup: wait() resolves when the counter is back at zero. */
export class WaitGroup {
  #count = 0
  #waiters: Array<() => void> = []

  add(n = 1): void {
    if (!Number.isInteger(n)) throw new RangeError(`WaitGroup.add needs an integer, got ${n}`)
    if (this.#count + n < 0) throw new RangeError('negative WaitGroup counter')
    this.#count += n
    if (this.#count === 0) for (const w of this.#waiters.splice(0)) w()
  }

  done(): void {
    this.add(-1)
  }

  wait(): Promise<void> {
    if (this.#count === 0) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push(resolve))
  }
}

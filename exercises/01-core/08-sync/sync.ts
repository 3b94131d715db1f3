/** Releases what lock()/rlock() granted. Calling it a second time throws. */
export type Unlock = () => void

/** sync.Mutex: one holder at a time, waiters served first come, first served. */
export class Mutex {
  get locked(): boolean {
    throw new Error('TODO: Mutex.locked')
  }

  lock(): Promise<Unlock> {
    throw new Error('TODO: Mutex.lock — resolve with an unlock function once the mutex is yours')
  }

  async withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    throw new Error('TODO: Mutex.withLock — lock, run fn, always unlock')
  }
}

/**
 * sync.RWMutex: many readers or one writer. A waiting writer stops new readers, and
 * the readers waiting when a writer unlocks all get in before the next writer.
 */
export class RWMutex {
  rlock(): Promise<Unlock> {
    throw new Error('TODO: RWMutex.rlock')
  }

  lock(): Promise<Unlock> {
    throw new Error('TODO: RWMutex.lock')
  }

  async withRead<T>(fn: () => T | Promise<T>): Promise<T> {
    throw new Error('TODO: RWMutex.withRead')
  }

  async withWrite<T>(fn: () => T | Promise<T>): Promise<T> {
    throw new Error('TODO: RWMutex.withWrite')
  }
}

/** sync.WaitGroup: wait() resolves when the counter is back at zero. */
export class WaitGroup {
  add(n = 1): void {
    throw new Error('TODO: WaitGroup.add')
  }

  done(): void {
    throw new Error('TODO: WaitGroup.done')
  }

  wait(): Promise<void> {
    throw new Error('TODO: WaitGroup.wait')
  }
}

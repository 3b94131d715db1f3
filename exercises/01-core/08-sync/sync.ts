/** Releases what lock()/rlock() granted. Calling it a second time throws. */
export type Unlock = () => void

/** sync.Mutex: one holder at a time, waiters served first come, first served. */
export class Mutex {
  get locked(): boolean {
    throw new Error('TODO: Mutex.locked\nTODO(ru): Mutex.locked — захвачен ли мьютекс')
  }

  lock(): Promise<Unlock> {
    throw new Error('TODO: Mutex.lock — resolve with an unlock function once the mutex is yours\nTODO(ru): Mutex.lock — когда мьютекс захвачен, разрешиться функцией unlock')
  }

  async withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    throw new Error('TODO: Mutex.withLock — lock, run fn, always unlock\nTODO(ru): Mutex.withLock — захватить мьютекс, выполнить fn и в любом случае освободить')
  }
}

/**
 * sync.RWMutex: many readers or one writer. A waiting writer stops new readers, and
 * the readers waiting when a writer unlocks all get in before the next writer.
 */
export class RWMutex {
  rlock(): Promise<Unlock> {
    throw new Error('TODO: RWMutex.rlock\nTODO(ru): RWMutex.rlock — захват на чтение')
  }

  lock(): Promise<Unlock> {
    throw new Error('TODO: RWMutex.lock\nTODO(ru): RWMutex.lock — захват на запись')
  }

  async withRead<T>(fn: () => T | Promise<T>): Promise<T> {
    throw new Error('TODO: RWMutex.withRead\nTODO(ru): RWMutex.withRead — выполнить fn под захватом на чтение')
  }

  async withWrite<T>(fn: () => T | Promise<T>): Promise<T> {
    throw new Error('TODO: RWMutex.withWrite\nTODO(ru): RWMutex.withWrite — выполнить fn под захватом на запись')
  }
}

/** sync.WaitGroup: wait() resolves when the counter is back at zero. */
export class WaitGroup {
  add(n = 1): void {
    throw new Error('TODO: WaitGroup.add\nTODO(ru): WaitGroup.add — увеличить счётчик')
  }

  done(): void {
    throw new Error('TODO: WaitGroup.done\nTODO(ru): WaitGroup.done — уменьшить счётчик')
  }

  wait(): Promise<void> {
    throw new Error('TODO: WaitGroup.wait\nTODO(ru): WaitGroup.wait — дождаться, пока счётчик станет нулём')
  }
}

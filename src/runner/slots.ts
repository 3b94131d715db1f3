/**
 * How many runs may be under way at once, shared by every pool that draws on it
 * (grade --many: one pool per lane, one limit for the machine's cores).
 */
export class Slots {
  private active = 0
  private waiters: (() => void)[] = []

  readonly size: number
  constructor(size: number) {
    this.size = size
  }

  /** Waits for a free slot and takes it; give it back with `release`. */
  take(): Promise<void> {
    if (this.active < this.size) {
      this.active++
      return Promise.resolve()
    }
    return new Promise((resolve) =>
      this.waiters.push(() => {
        this.active++
        resolve()
      }),
    )
  }

  release() {
    this.active--
    this.waiters.shift()?.()
  }
}

/** Collects a learner's printed output up to a cap, and says when it cut. */
export class OutputBuffer {
  private parts: string[] = []
  private size = 0
  private dropped = 0
  private readonly cap: number
  constructor(cap: number) {
    this.cap = cap
  }

  push(text: string) {
    const room = this.cap - this.size
    if (room <= 0) {
      this.dropped += text.length
      return
    }
    const kept = text.length > room ? text.slice(0, room) : text
    this.parts.push(kept)
    this.size += kept.length
    this.dropped += text.length - kept.length
  }

  toString(): string | undefined {
    if (this.size === 0 && this.dropped === 0) return undefined
    const text = this.parts.join('')
    return this.dropped > 0 ? `${text}\n… output cut: ${this.dropped} more characters not shown` : text
  }
}

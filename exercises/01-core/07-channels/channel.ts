/** Sending on a closed channel, closing it twice, or a blocked send when it closes. */
export class ChannelClosedError extends Error {
  override name = 'ChannelClosedError'
}

/** What a receive gets: a value, or `ok: false` once the channel is closed and drained. */
export type Received<T> = { value: T; ok: true } | { value: undefined; ok: false }

/** What select gets: the index of the channel that was ready, or -1 on timeout. */
export type Selected<T> = ({ index: number } & Received<T>) | { index: -1; value: undefined; ok: false }

/** Go's `chan T`: capacity 0 is unbuffered (a send waits for a receiver). */
export class Channel<T> {
  readonly capacity: number

  constructor(capacity = 0) {
    this.capacity = capacity
    throw new Error('TODO: Channel — a buffer, a queue of waiting receivers and one of blocked senders (see README.md)\nTODO(ru): Channel — буфер, очередь ожидающих получателей и очередь заблокированных отправителей (см. README.ru.md)')
  }

  /** How many values wait in the buffer. */
  get length(): number {
    throw new Error('TODO: length\nTODO(ru): length — число значений в буфере')
  }

  send(value: T): Promise<void> {
    throw new Error('TODO: send\nTODO(ru): send — отправить значение')
  }

  /** Receives without waiting: undefined when a receive would have to wait. */
  tryReceive(): Received<T> | undefined {
    throw new Error('TODO: tryReceive\nTODO(ru): tryReceive — получить значение без ожидания')
  }

  receive(): Promise<Received<T>> {
    throw new Error('TODO: receive\nTODO(ru): receive — получить значение')
  }

  close(): void {
    throw new Error('TODO: close\nTODO(ru): close — закрыть канал')
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    throw new Error('TODO: for await … of channel\nTODO(ru): for await … of channel — перебор значений канала')
  }
}

/**
 * Go's `select` over receives: resolves with the first channel that has a value (or is
 * closed), lowest index first when several are ready. Never takes a value from a
 * channel it does not return. `timeoutMs`: give up with index -1 after that long;
 * 0 means do not wait at all (Go's `default:`); undefined waits forever.
 */
export function select<T>(channels: readonly Channel<T>[], timeoutMs?: number): Promise<Selected<T>> {
  throw new Error('TODO: select\nTODO(ru): select — дождаться первой готовой операции')
}

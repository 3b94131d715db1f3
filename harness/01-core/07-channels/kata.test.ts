import { describe, expect, it } from 'vitest'
import { flush, timersLeftBy, track, within } from '#support/core'
import { Channel, ChannelClosedError, select } from '@kata/core/channels'

interface Received<T> {
  value: T | undefined
  ok: boolean
}
interface Chan<T> {
  readonly capacity: number
  readonly length: number
  send(v: T): Promise<void>
  receive(): Promise<Received<T>>
  tryReceive(): Received<T> | undefined
  close(): void
  [Symbol.asyncIterator](): AsyncIterator<T>
}
const chan = <T = number>(capacity?: number): Chan<T> => new Channel(capacity)

/** Catches what a call throws (or a promise rejects with), for checking its class. */
const caught = async (f: () => unknown) => {
  try {
    await f()
  } catch (e) {
    return e
  }
  return undefined
}

describe('step 1: a buffered channel', () => {
  it('rejects a capacity that is not a non-negative integer with RangeError', () => {
    for (const c of [-1, 1.5, Number.NaN]) expect(() => new Channel(c), `new Channel(${c})`).toThrow(RangeError)
  })

  it('accepts sends without waiting while the buffer has room', async () => {
    const ch = chan(2)
    const a = track(ch.send(1))
    const b = track(ch.send(2))
    await flush()
    a.fulfilled('first send(1) on new Channel(2)')
    b.fulfilled('second send(2) on new Channel(2)')
    expect(ch.length, 'length after two sends on new Channel(2)').toBe(2)
  })

  it('blocks a sender while the buffer is full, until a receive frees a slot', async () => {
    const ch = chan(1)
    await ch.send(1)
    const blocked = track(ch.send(2))
    await flush()
    blocked.pending('send(2) on a full Channel(1)')
    expect(await ch.receive(), 'receive() on the full channel').toEqual({ value: 1, ok: true })
    await flush()
    blocked.fulfilled('send(2) after a receive freed the slot')
    expect(ch.length, 'length: the blocked value moved into the buffer').toBe(1)
    expect(await ch.receive(), 'second receive()').toEqual({ value: 2, ok: true })
  })

  it('serves blocked senders first come, first served', async () => {
    const ch = chan<string>(1)
    await ch.send('a')
    const b = track(ch.send('b'))
    const c = track(ch.send('c'))
    const got: unknown[] = []
    for (let i = 0; i < 3; i++) got.push((await ch.receive()).value)
    expect(got, 'values received after send a, b, c on Channel(1)').toEqual(['a', 'b', 'c'])
    await flush()
    b.fulfilled('send("b")')
    c.fulfilled('send("c")')
  })

  it('makes a receiver wait on an empty channel until a value arrives', async () => {
    const ch = chan(3)
    const r = track(ch.receive())
    await flush()
    r.pending('receive() on an empty channel')
    await ch.send(42)
    await flush()
    expect(r.fulfilled('receive() after send(42)'), 'the waiting receive()').toEqual({ value: 42, ok: true })
    expect(ch.length, 'length: the value went straight to the waiting receiver').toBe(0)
  })

  it('keeps order and never holds more than its capacity under a busy producer and consumer', async () => {
    const ch = chan(3)
    let maxLen = 0
    const producer = (async () => {
      for (let i = 1; i <= 100; i++) {
        await ch.send(i)
        maxLen = Math.max(maxLen, ch.length)
      }
      ch.close()
    })()
    const got: number[] = []
    for (;;) {
      const r = await ch.receive()
      if (!r.ok) break
      got.push(r.value as number)
      if (got.length % 7 === 0) await flush(1) // a slow consumer now and then
    }
    await producer
    expect(got, '100 values through Channel(3)').toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(maxLen, 'largest buffered length seen').toBeLessThanOrEqual(3)
  })

  it('tryReceive() returns a value if one is ready and undefined instead of waiting', async () => {
    const ch = chan(2)
    expect(ch.tryReceive(), 'tryReceive() on an empty open channel').toBeUndefined()
    await ch.send(7)
    expect(ch.tryReceive(), 'tryReceive() with 7 buffered').toEqual({ value: 7, ok: true })
  })

  it('close(): buffered values still drain, then every receive gets { ok: false }', async () => {
    const ch = chan(3)
    await ch.send(1)
    await ch.send(2)
    ch.close()
    expect(await ch.receive(), 'receive 1 after close').toEqual({ value: 1, ok: true })
    expect(await ch.receive(), 'receive 2 after close').toEqual({ value: 2, ok: true })
    expect(await ch.receive(), 'receive on a closed, drained channel').toEqual({ value: undefined, ok: false })
    expect(await ch.receive(), 'and again').toEqual({ value: undefined, ok: false })
    expect(ch.tryReceive(), 'tryReceive on a closed, drained channel').toEqual({ value: undefined, ok: false })
  })

  it('close() wakes every waiting receiver with { ok: false }', async () => {
    const ch = chan(1)
    const r1 = track(ch.receive())
    const r2 = track(ch.receive())
    await flush()
    r1.pending('receive() on an empty channel')
    ch.close()
    await flush()
    expect(r1.fulfilled('first waiting receive() after close()'), 'first waiting receive()').toEqual({ value: undefined, ok: false })
    expect(r2.fulfilled('second waiting receive() after close()'), 'second waiting receive()').toEqual({ value: undefined, ok: false })
  })

  it('send on a closed channel and a second close() fail with ChannelClosedError', async () => {
    const ch = chan(1)
    ch.close()
    expect(await caught(() => ch.send(1)), 'send(1) after close()').toBeInstanceOf(ChannelClosedError)
    expect(await caught(() => ch.close()), 'close() twice').toBeInstanceOf(ChannelClosedError)
  })

  it('close() rejects senders still blocked on a full buffer with ChannelClosedError', async () => {
    const ch = chan(1)
    await ch.send(1)
    const blocked = track(ch.send(2))
    await flush()
    blocked.pending('send(2) on a full Channel(1)')
    ch.close()
    const got = await within(blocked.promise, 1000)
    expect(got.status, 'blocked send(2) after close()').toBe('rejected')
    expect((got as { reason: unknown }).reason, 'the rejection').toBeInstanceOf(ChannelClosedError)
    expect(await ch.receive(), 'the value buffered before close() is still there').toEqual({ value: 1, ok: true })
  })

  it('for await (const v of ch) yields every value and ends when the channel closes', async () => {
    const ch = chan(2)
    const seen: number[] = []
    const consumer = (async () => {
      for await (const v of ch as AsyncIterable<number>) seen.push(v)
      return 'ended'
    })()
    for (const v of [1, 2, 3, 4, 5]) await ch.send(v)
    ch.close()
    expect(await within(consumer, 1000), 'the for-await loop after close()').toEqual({ status: 'fulfilled', value: 'ended' })
    expect(seen, 'values seen by the for-await loop').toEqual([1, 2, 3, 4, 5])
  })
})

describe('step 2: an unbuffered channel (capacity 0)', () => {
  it('makes send wait until a receiver takes the value', async () => {
    const ch = chan()
    const s = track(ch.send(1))
    await flush()
    s.pending('send(1) on new Channel() with no receiver')
    expect(ch.length, 'length of an unbuffered channel').toBe(0)
    expect(await ch.receive(), 'receive()').toEqual({ value: 1, ok: true })
    await flush()
    s.fulfilled('send(1) after a receiver took the value')
  })

  it('hands the value straight to a receiver that was already waiting', async () => {
    const ch = chan<string>(0)
    const r = track(ch.receive())
    await flush()
    const s = track(ch.send('hi'))
    await flush()
    s.fulfilled('send("hi") to a waiting receiver')
    expect(r.fulfilled('the waiting receive()'), 'the waiting receive()').toEqual({ value: 'hi', ok: true })
  })

  it('serves several blocked senders in order', async () => {
    const ch = chan<string>()
    const sends = ['a', 'b', 'c'].map((v) => track(ch.send(v)))
    await flush()
    sends.forEach((s, i) => s.pending(`send #${i + 1} with no receiver`))
    const got: unknown[] = []
    for (let i = 0; i < 3; i++) got.push((await ch.receive()).value)
    expect(got, 'values received after three blocked sends a, b, c').toEqual(['a', 'b', 'c'])
  })

  it('synchronises two tasks: 50 ping-pong round trips arrive in order', async () => {
    const ping = chan<number>()
    const pong = chan<number>()
    const echo = (async () => {
      for await (const n of ping as AsyncIterable<number>) await pong.send(n * 10)
      pong.close()
    })()
    const got: number[] = []
    for (let i = 1; i <= 50; i++) {
      await ping.send(i)
      got.push((await pong.receive()).value as number)
    }
    ping.close()
    await echo
    expect(got, 'pong replies').toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 10))
  })

  it('close() rejects a blocked sender and wakes waiting receivers', async () => {
    const ch = chan()
    const s = track(ch.send(1))
    await flush()
    ch.close()
    const got = await within(s.promise, 1000)
    expect(got.status, 'blocked send(1) on an unbuffered channel after close()').toBe('rejected')
    expect((got as { reason: unknown }).reason, 'the rejection').toBeInstanceOf(ChannelClosedError)
    const other = chan()
    const r = track(other.receive())
    await flush()
    other.close()
    await flush()
    expect(r.fulfilled('waiting receive() after close()'), 'waiting receive() after close()').toEqual({ value: undefined, ok: false })
  })
})

describe('step 3: select with a timeout', () => {
  it('returns at once with the first channel that already has a value', async () => {
    const a = chan(1)
    const b = chan(1)
    await b.send(20)
    expect(await select([a, b]), 'select([a empty, b holding 20])').toEqual({ index: 1, value: 20, ok: true })
    await a.send(10)
    await b.send(21)
    expect(await select([a, b]), 'select([a holding 10, b holding 21]): the lower index wins').toEqual({ index: 0, value: 10, ok: true })
    expect(b.length, 'b still holds its value').toBe(1)
  })

  it('waits until one of the channels gets a value', async () => {
    const a = chan()
    const b = chan()
    const s = track(select([a, b]))
    await flush()
    s.pending('select([a, b]) with nothing sent')
    await b.send(5)
    await flush()
    expect(s.fulfilled('select([a, b]) after b.send(5)'), 'select result').toEqual({ index: 1, value: 5, ok: true })
  })

  it('never loses a value from a channel it did not pick (buffered)', async () => {
    const a = chan(1)
    const b = chan(1)
    const s = track(select([a, b]))
    await flush()
    void a.send(1)
    void b.send(2)
    await flush()
    expect(s.fulfilled('select([a, b]) after a.send(1) and b.send(2) in the same tick'), 'select result').toEqual({ index: 0, value: 1, ok: true })
    expect(b.tryReceive(), 'b must still hold 2: the select that picked a must not take it').toEqual({ value: 2, ok: true })
  })

  it('never loses a value from a channel it did not pick (unbuffered: that send keeps waiting)', async () => {
    const a = chan<string>()
    const b = chan<string>()
    const s = track(select([a, b]))
    await flush()
    const sa = track(a.send('x'))
    const sb = track(b.send('y'))
    await flush()
    expect(s.fulfilled('select after sends on a and b'), 'select result').toEqual({ index: 0, value: 'x', ok: true })
    sa.fulfilled('a.send("x"), taken by select')
    sb.pending('b.send("y"): nobody has received it yet')
    expect(await b.receive(), 'b.receive()').toEqual({ value: 'y', ok: true })
  })

  it('gives up with { index: -1, ok: false } after timeoutMs, and not before', async () => {
    const a = chan()
    const s = track(select([a], 150))
    await flush()
    s.pending('select([a], 150) right after the call')
    const got = await within(s.promise, 3000)
    expect(got, 'select([a], 150) with nothing sent').toEqual({ status: 'fulfilled', value: { index: -1, value: undefined, ok: false } })
  })

  it('after a timeout, the abandoned select takes nothing', async () => {
    const a = chan<string>()
    expect(await select([a], 10), 'select([a], 10)').toMatchObject({ index: -1 })
    const late = track(a.send('late'))
    await flush()
    late.pending('a.send("late") after the select timed out: no receiver is left')
    expect(await a.receive(), 'a.receive()').toEqual({ value: 'late', ok: true })
  })

  it('timeoutMs 0 polls without waiting (Go\'s default case)', async () => {
    const a = chan(1)
    expect(await within(select([a], 0), 500), 'select([empty a], 0)').toEqual({ status: 'fulfilled', value: { index: -1, value: undefined, ok: false } })
    await a.send(3)
    expect(await select([a], 0), 'select([a holding 3], 0)').toEqual({ index: 0, value: 3, ok: true })
  })

  it('treats a closed channel as ready: { index, ok: false }', async () => {
    const a = chan()
    const b = chan()
    const s = track(select([a, b]))
    await flush()
    b.close()
    await flush()
    expect(s.fulfilled('select([a, b]) after b.close()'), 'select result').toEqual({ index: 1, value: undefined, ok: false })
  })

  it('leaves no timer behind when a channel wins', async () => {
    const a = chan(1)
    await a.send(1)
    const won = await timersLeftBy(async () => {
      await select([a], 60_000)
      const s = select([a], 60_000)
      await a.send(2)
      await s
    })
    expect(won, 'timers still pending after two select(…, 60000) that a channel won').toBe(0)
    const left = await timersLeftBy(async () => {
      const s2 = select([a], 60_000)
      await a.send(3)
      await s2
    })
    expect(left, 'timers still pending (unref\'d ones included) after a select(…, 60000) that a channel won: clear the timer, unref() does not cancel it').toBe(0)
  })

  it('merges two producers until both close (fan-in with select)', async () => {
    const a = chan(2)
    const b = chan()
    const produce = async (ch: Chan<number>, from: number) => {
      for (let i = from; i < from + 20; i++) await ch.send(i)
      ch.close()
    }
    const producers = Promise.all([produce(a, 0), produce(b, 100)])
    const open = [a, b]
    const fromA: number[] = []
    const fromB: number[] = []
    while (open.length) {
      const r = (await select(open, 2000)) as { index: number; value: number; ok: boolean }
      expect(r.index, 'select over open producers must not time out').not.toBe(-1)
      if (!r.ok) open.splice(r.index, 1)
      else (open[r.index] === a ? fromA : fromB).push(r.value)
    }
    await producers
    expect(fromA, 'values from producer a').toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(fromB, 'values from producer b').toEqual(Array.from({ length: 20 }, (_, i) => 100 + i))
  })
})

/**
 * The RabbitMQ side of the service gate: the client's Connection.StartOk (its user) is read
 * before it reaches the broker. Only a run user this grader issued gets through: `guest`
 * (or the admin) is refused, whatever password the client knows.
 */

export const AMQP_HEADER_SIZE = 8
const FRAME_METHOD = 1
const FRAME_END = 0xce

export type StartOk = { kind: 'more' } | { kind: 'startok'; size: number; user: string | undefined } | { kind: 'bad'; reason: string }

/** Reads the first frame after the protocol header: it must be Connection.StartOk. */
export function readStartOk(buf: Buffer): StartOk {
  if (buf.length < 7) return { kind: 'more' }
  if (buf[0] !== FRAME_METHOD || buf.readUInt16BE(1) !== 0) return { kind: 'bad', reason: 'Connection.StartOk was expected' }
  const payload = buf.readUInt32BE(3)
  if (payload > 1_000_000) return { kind: 'bad', reason: 'frame too large' }
  const size = 7 + payload + 1
  if (buf.length < size) return { kind: 'more' }
  if (buf[size - 1] !== FRAME_END) return { kind: 'bad', reason: 'bad frame end' }
  const p = buf.subarray(7, 7 + payload)
  try {
    if (p.readUInt16BE(0) !== 10 || p.readUInt16BE(2) !== 11) return { kind: 'bad', reason: 'Connection.StartOk was expected' }
    let at = 4
    at += 4 + p.readUInt32BE(at) // client properties
    const mechLen = p[at]!
    const mechanism = p.subarray(at + 1, at + 1 + mechLen).toString('latin1')
    at += 1 + mechLen
    const responseLen = p.readUInt32BE(at)
    const response = p.subarray(at + 4, at + 4 + responseLen)
    return { kind: 'startok', size, user: userOf(mechanism, response) }
  } catch {
    return { kind: 'bad', reason: 'malformed Connection.StartOk' }
  }
}

function userOf(mechanism: string, response: Buffer): string | undefined {
  if (mechanism === 'PLAIN') return response.toString('utf8').split('\0')[1]
  if (mechanism === 'AMQPLAIN') {
    // A field table without its length: shortstr name, type octet, value.
    let at = 0
    while (at < response.length) {
      const nameLen = response[at]!
      const name = response.subarray(at + 1, at + 1 + nameLen).toString('utf8')
      at += 1 + nameLen
      const type = String.fromCharCode(response[at]!)
      at += 1
      if (type !== 'S') return undefined
      const len = response.readUInt32BE(at)
      const value = response.subarray(at + 4, at + 4 + len).toString('utf8')
      at += 4 + len
      if (name === 'LOGIN') return value
    }
  }
  return undefined
}

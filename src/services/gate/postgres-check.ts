/**
 * The PostgreSQL side of the service gate: the first packets of a client, read before
 * anything reaches the server. Only a run role this grader issued, with its password,
 * gets through; `postgres` (or any other role) is refused even where the server trusts
 * every local connection.
 */

const SSL_REQUEST = 80877103
const GSS_REQUEST = 80877104
const CANCEL_REQUEST = 80877102
const PROTOCOL_3 = 196608

export type PostgresFirstPacket =
  | { kind: 'more' }
  | { kind: 'encryption'; size: number } // SSL or GSS encryption asked: answered "N", read on
  | { kind: 'cancel'; size: number }
  | { kind: 'startup'; size: number; params: Record<string, string> }
  | { kind: 'bad'; reason: string }

/** Reads the packet at the start of `buf` (startup packets have no type byte). */
export function readFirstPacket(buf: Buffer): PostgresFirstPacket {
  if (buf.length < 8) return { kind: 'more' }
  const size = buf.readInt32BE(0)
  if (size < 8 || size > 10_000) return { kind: 'bad', reason: 'not a PostgreSQL startup packet' }
  if (buf.length < size) return { kind: 'more' }
  const code = buf.readInt32BE(4)
  if (code === SSL_REQUEST || code === GSS_REQUEST) return { kind: 'encryption', size }
  if (code === CANCEL_REQUEST) return { kind: 'cancel', size }
  if (code !== PROTOCOL_3) return { kind: 'bad', reason: `protocol ${code >> 16}.${code & 0xffff} is not spoken here` }
  const params: Record<string, string> = {}
  const parts = buf.subarray(8, size - 1).toString('utf8').split('\0')
  for (let i = 0; i + 1 < parts.length; i += 2) params[parts[i]!] = parts[i + 1]!
  return { kind: 'startup', size, params }
}

/** The server's request for a clear-text password (the gate asks it, the server never sees it). */
export const askPassword = () => {
  const b = Buffer.alloc(9)
  b.write('R', 0)
  b.writeInt32BE(8, 1)
  b.writeInt32BE(3, 5)
  return b
}

/** The client's PasswordMessage ('p'), once whole. */
export function readPassword(buf: Buffer): { kind: 'more' } | { kind: 'password'; size: number; password: string } | { kind: 'bad'; reason: string } {
  if (buf.length < 5) return { kind: 'more' }
  if (buf[0] !== 0x70) return { kind: 'bad', reason: 'a password was expected' }
  const size = buf.readInt32BE(1) + 1
  if (size < 6 || size > 10_000) return { kind: 'bad', reason: 'not a password message' }
  if (buf.length < size) return { kind: 'more' }
  return { kind: 'password', size, password: buf.subarray(5, size - 1).toString('utf8') }
}

/** A FATAL ErrorResponse, as the server would send it (SQLSTATE 28000: invalid authorization). */
export function fatal(message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C28000\0M${message}\0\0`, 'utf8')
  const head = Buffer.alloc(5)
  head.write('E', 0)
  head.writeInt32BE(fields.length + 4, 1)
  return Buffer.concat([head, fields])
}

/**
 * The Redis side of the service gate: every command a client sends is read (RESP arrays
 * and inline commands) before it is passed on. A connection must first authenticate as a
 * run user this grader issued (AUTH user pass, or HELLO … AUTH user pass); until then,
 * and for any AUTH or HELLO naming another user (`default` has no password on many
 * machines), and for RESET (which logs the connection in as `default`), the gate closes it.
 */

export type RedisCommand = { size: number; args: string[] }

/** How many leading arguments are kept for the decision (a SET's value is not needed). */
const KEEP = 8

/** The next whole command at the start of `buf`, or undefined when more bytes are needed. */
export function readCommand(buf: Buffer): RedisCommand | undefined | { bad: string } {
  if (buf.length === 0) return undefined
  if (buf[0] !== 0x2a /* '*' */) {
    const end = buf.indexOf(0x0a)
    if (end < 0) return buf.length > 65_536 ? { bad: 'inline command too long' } : undefined
    const args = buf.subarray(0, end).toString('utf8').trim().split(/\s+/).filter(Boolean)
    return { size: end + 1, args }
  }
  let at = buf.indexOf(0x0a)
  if (at < 0) return undefined
  const count = Number(buf.subarray(1, at - 1).toString('latin1'))
  if (!Number.isInteger(count) || count < 0 || count > 1_048_576) return { bad: 'not a RESP array' }
  at += 1
  const args: string[] = []
  for (let i = 0; i < count; i++) {
    if (at >= buf.length) return undefined
    if (buf[at] !== 0x24 /* '$' */) return { bad: 'a bulk string was expected' }
    const eol = buf.indexOf(0x0a, at)
    if (eol < 0) return undefined
    const len = Number(buf.subarray(at + 1, eol - 1).toString('latin1'))
    if (!Number.isInteger(len) || len < 0) return { bad: 'bad bulk length' }
    const start = eol + 1
    if (buf.length < start + len + 2) return undefined
    if (i < KEEP) args.push(buf.subarray(start, start + len).toString('utf8'))
    at = start + len + 2
  }
  return { size: at, args }
}

/** The user a command logs the connection in as: a name, 'default' for AUTH <password>, or undefined when it does not log in. */
export function loginOf(args: string[]): string | undefined {
  const name = args[0]?.toUpperCase()
  if (name === 'AUTH') return args.length >= 3 ? args[1] : 'default'
  if (name === 'HELLO') {
    const i = args.findIndex((a, n) => n > 0 && a.toUpperCase() === 'AUTH')
    return i > 0 ? args[i + 1] : undefined
  }
  if (name === 'RESET') return 'default'
  return undefined
}

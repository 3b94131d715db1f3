import { resolve } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import type { SerializedError } from 'vitest/node'

/** Why a suite could not run its tests, sorted into causes a learner can act on. */
export type LoadFailureKind = 'syntax' | 'exit' | 'service' | 'crash' | 'oom' | 'tamper'

export interface LoadFailure {
  kind: LoadFailureKind
  message: string
}

/** Name of the error the service fixtures throw; the runner maps it to `unavailable`. */
export const SERVICE_ERROR_NAME = 'ServiceUnavailableError'
/** Name of the error the worker's integrity check throws when the test framework was patched. */
export const TAMPER_ERROR_NAME = 'TamperingError'

const firstLine = (s: string) => s.split('\n').find((l) => l.trim() !== '') ?? s

/** Turns a serialized Vitest error into a short message for a learner. */
export function describeError(err: SerializedError, where: 'load' | 'hook' | 'test' | 'unhandled'): LoadFailure {
  const message = String(err.message ?? '')
  const name = String(err.name ?? 'Error')
  if (name === TAMPER_ERROR_NAME) return { kind: 'tamper', message }
  if (name === SERVICE_ERROR_NAME || (err.cause && err.cause.name === SERVICE_ERROR_NAME)) {
    return { kind: 'service', message }
  }
  if (/process\.exit unexpectedly called/.test(message)) {
    const code = /called with "([^"]*)"/.exec(message)?.[1] ?? '?'
    return { kind: 'exit', message: `your code called process.exit(${code}); a kata's code must return or throw instead of ending the process` }
  }
  if (name === 'SyntaxError' || /Transform failed|PARSE_ERROR|Unexpected token|Unterminated/i.test(message)) {
    return { kind: 'syntax', message: syntaxMessage(err) }
  }
  const prefix = { load: 'your code threw while loading: ', hook: "the suite's setup (beforeAll/beforeEach) failed: ", unhandled: 'unhandled error: ', test: '' }[where]
  return { kind: 'crash', message: `${prefix}${name !== 'Error' && name !== 'AssertionError' ? `${name}: ` : ''}${message}` }
}

/** "syntax error in <file>:<line>:<col>: <reason>" plus the code frame, without colours. */
function syntaxMessage(err: SerializedError): string {
  const plain = stripVTControlCharacters(String(err.message))
  const file = (err as { __vitest_rollup_error__?: { id?: string } }).__vitest_rollup_error__?.id
  const at = /([^\s[\]]+\.[cm]?[jt]sx?):(\d+):(\d+)/.exec(plain)
  const where = file && at ? `${file}:${at[2]}:${at[3]}` : file ?? (at ? resolve(at[1]!) + `:${at[2]}:${at[3]}` : undefined)
  const reason = /\[[A-Z_]+\]\s*(.+)/.exec(plain)?.[1] ?? firstLine(plain.replace(/^Transform failed with \d+ errors?:/, ''))
  const frame = plain.split('\n').filter((l) => /^\s*\d+\s*│|^\s*│\s+[┬╰─ ]/.test(l)).join('\n')
  return `syntax error${where ? ` in ${where}` : ''}: ${reason.trim()}${frame ? `\n${frame}` : ''}`
}

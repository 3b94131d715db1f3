import { styleText } from 'node:util'
import type { KataState } from '../progress/record.ts'
import type { Verdict } from '../results/model.ts'

type Format = Parameters<typeof styleText>[0]

/** Colours through node:util, which honours NO_COLOR, FORCE_COLOR and non-TTY streams. */
export const paint = (format: Format, text: string, stream: NodeJS.WriteStream = process.stdout) =>
  styleText(format, text, { stream })

/** One colour name per verdict, understood by node:util and by Ink alike. */
export const verdictColor: Record<Verdict, 'green' | 'red' | 'yellow'> = {
  pass: 'green',
  fail: 'red',
  error: 'red',
  timeout: 'yellow',
  oom: 'red',
  unavailable: 'yellow',
}

export const verdictMark: Record<Verdict, string> = {
  pass: '✓',
  fail: '✗',
  error: '✗',
  timeout: '⏱',
  oom: '✗',
  unavailable: '⚠',
}

/** A mark for a check that holds or not (doctor's services, verify's katas): a pass's or a fail's, in colour. */
export const checkMark = (ok: boolean) => (ok ? paint(verdictColor.pass, verdictMark.pass) : paint(verdictColor.fail, verdictMark.fail))

/**
 * The colour of one line of an expected/received diff (the collector keeps the diff
 * without Vitest's colours, for results.json): received in red, expected in green.
 */
export function diffLineColor(line: string): 'red' | 'green' | undefined {
  return /^\s*(\+|Received)/.test(line) ? 'red' : /^\s*(-|Expected)/.test(line) ? 'green' : undefined
}

/** A progress bar of `width` cells, `done` of `total` filled; the one every surface draws. */
export function bar(done: number, total: number, width: number): string {
  const full = total > 0 ? Math.min(width, Math.max(0, Math.round((done / total) * width))) : 0
  return '█'.repeat(full) + '░'.repeat(width - full)
}

/** A kata's state as a mark and its colour (none for not tried), in the list and on the screen. */
export const stateMark: Record<KataState, { mark: string; color?: 'green' | 'red' | 'yellow' }> = {
  passed: { mark: '✓', color: 'green' },
  failed: { mark: '✗', color: 'red' },
  regressed: { mark: '↺', color: 'yellow' },
  'not-tried': { mark: '·' },
}

import { styleText } from 'node:util'
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

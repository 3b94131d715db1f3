/**
 * The exit codes of every command, by name: scripts and CI read them, `--help` and the
 * README list them. Commands return these names, never bare numbers.
 */
export const EXIT = {
  /** Done: the kata passes, the score is reached, every kata is sound, every service answers. */
  ok: 0,
  /** A verdict: a kata fails, the score is below --min-score, verify found a broken kata, doctor found a service missing. */
  verdict: 1,
  /** Usage: unknown command, option, kata or chapter id; a bad option value; no usable Node. */
  usage: 2,
  /** Not graded: a service was missing or the suites were changed during grading. */
  notGraded: 3,
  /** Internal error: a bug in roadmap (the message says where); nothing was graded. */
  internal: 4,
} as const

export type ExitName = keyof typeof EXIT
export type ExitCode = (typeof EXIT)[ExitName]

const MEANING: Record<ExitName, string> = {
  ok: 'done: the kata passes, the score is reached, every kata is sound, every service answers',
  verdict: 'a verdict: a kata fails, the score is below --min-score, verify found a broken kata,\n     doctor found a service missing',
  usage: 'usage: unknown command, option, kata or chapter id; a bad option value; no usable Node',
  notGraded: 'not graded: a service was missing or the suites were changed during grading',
  internal: 'internal error: a bug in roadmap (the message says where); nothing was graded',
}

/** The table as `--help` prints it after the commands. */
export const EXIT_CODES_HELP = `\nExit codes:\n${(Object.keys(EXIT) as ExitName[]).map((n) => `  ${EXIT[n]}  ${MEANING[n]}`).join('\n')}`

/** An error the CLI prints as it is (no stack) before exiting with `exitCode` (a usage error unless said). */
export class UserError extends Error {
  override name = 'UserError'
  readonly exitCode: ExitCode
  constructor(
    message: string,
    exitCode: ExitCode = EXIT.usage,
  ) {
    super(message)
    this.exitCode = exitCode
  }
}

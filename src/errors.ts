/** An error the CLI prints as it is (no stack) before exiting with `exitCode` (2: a usage error). */
export class UserError extends Error {
  override name = 'UserError'
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message)
  }
}

import type * as Signup from './signup.ts'
import type { TestApi } from './test-api.ts'

/**
 * Write tests for createSignup(deps).signup(email) here, with doubles for its dependencies.
 * The grader calls defineTests with the real module and with broken copies; reach
 * createSignup and SignupError only through `signup`.
 */
export function defineTests(t: TestApi, signup: typeof Signup): void {
  throw new Error('TODO: build fakes/mocks for users, mailer, clock and newId, and test every rule in README.md\nTODO(ru): сделать фейки и моки для users, mailer, clock и newId и проверить каждое правило из README.ru.md')
}

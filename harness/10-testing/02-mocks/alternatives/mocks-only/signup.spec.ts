import type * as Signup from './signup.ts'
import type { TestApi } from './test-api.ts'

export function defineTests({ it, expect, vi }: TestApi, { createSignup, SignupError }: typeof Signup): void {
  const at = new Date('2030-01-02T03:04:05Z')
  /** Mocks only: every dependency is a vi.fn with a canned answer. */
  function setup(existing?: Signup.User) {
    const deps = {
      users: { findByEmail: vi.fn(async (_email: string) => existing), insert: vi.fn(async (_user: Signup.User) => undefined) },
      mailer: { sendWelcome: vi.fn(async (_to: string, _id: string) => undefined) },
      clock: { now: vi.fn(() => at) },
      newId: vi.fn(() => 'id-42'),
    }
    return { ...deps, signup: createSignup(deps).signup }
  }

  it('saves and mails a new user under the normalised address', async () => {
    const s = setup()
    const user = await s.signup('\tBob@Mail.EXAMPLE  ')
    const expected = { id: 'id-42', email: 'bob@mail.example', createdAt: at }
    expect(user).toEqual(expected)
    expect(s.users.findByEmail.mock.calls).toEqual([['bob@mail.example']])
    expect(s.users.insert.mock.calls).toEqual([[expected]])
    expect(s.mailer.sendWelcome.mock.calls).toEqual([['bob@mail.example', 'id-42']])
    expect(s.users.insert.mock.invocationCallOrder[0]).toBeLessThan(s.mailer.sendWelcome.mock.invocationCallOrder[0]!)
  })

  it.each(['', 'bob', 'bob@example', '@example.com'])('rejects %j before calling anything', async (email) => {
    const s = setup()
    const err = await s.signup(email).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(SignupError)
    expect((err as Signup.SignupError).code).toBe('invalid_email')
    expect(s.users.findByEmail).not.toHaveBeenCalled()
    expect(s.users.insert).not.toHaveBeenCalled()
    expect(s.mailer.sendWelcome).not.toHaveBeenCalled()
  })

  it('rejects a taken email with email_taken', async () => {
    const s = setup({ id: 'old', email: 'bob@mail.example', createdAt: new Date(0) })
    await expect(s.signup('BOB@mail.example')).rejects.toMatchObject({ code: 'email_taken' })
    expect(s.users.insert).not.toHaveBeenCalled()
    expect(s.mailer.sendWelcome).not.toHaveBeenCalled()
  })

  it('fails with the insert error and sends nothing', async () => {
    const s = setup()
    const boom = new Error('unique violation')
    s.users.insert.mockRejectedValueOnce(boom)
    await expect(s.signup('bob@mail.example')).rejects.toBe(boom)
    expect(s.mailer.sendWelcome).not.toHaveBeenCalled()
  })

  it('retries the mail once', async () => {
    const s = setup()
    s.mailer.sendWelcome.mockRejectedValueOnce(new Error('421'))
    await s.signup('bob@mail.example')
    expect(s.mailer.sendWelcome).toHaveBeenCalledTimes(2)
  })

  it('gives up after two failed mails without failing signup', async () => {
    const s = setup()
    s.mailer.sendWelcome.mockRejectedValue(new Error('down'))
    await expect(s.signup('bob@mail.example')).resolves.toMatchObject({ id: 'id-42' })
    expect(s.mailer.sendWelcome).toHaveBeenCalledTimes(2)
  })
}

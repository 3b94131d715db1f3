// HTTP in front of the use cases.
import express, { type Express, type NextFunction, type Request, type Response } from 'express'
import type { WalletService } from '../application/wallet-service.ts'

/** An error that knows its HTTP status. The domain errors extend it for now. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

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
    const status = err instanceof HttpError ? err.status : 500
    res.status(status).json({ error: { message: (err as Error).message } })
  })
  return app
}

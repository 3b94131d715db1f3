// The service to containerize. `npm run build` compiles it to dist/server.js;
// `node dist/server.js` starts it on $PORT (3000 by default).
import { createServer } from 'node:http'

const port = Number(process.env.PORT ?? 3000)

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
    return
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hello: 'world', env: process.env.NODE_ENV ?? 'development' }))
})

server.listen(port, () => console.log(`listening on :${port}`))

// `docker stop` sends SIGTERM to PID 1: finish in-flight requests, then exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)))

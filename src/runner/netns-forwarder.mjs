// Runs as root inside a graded worker's own network namespace, before the worker drops
// to its grading user: 127.0.0.1:<port> (and [::1]:<port>) of each service lead, through a
// unix socket only root can reach, to the grader's service gate (src/services/gate/).
// Nothing else is reachable from the namespace. Arguments: <ready file> <port>=<socket>…
import { writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'

const [ready, ...routes] = process.argv.slice(2)
const listening = []
for (const route of routes) {
  const at = route.indexOf('=')
  const port = Number(route.slice(0, at))
  const socket = route.slice(at + 1)
  for (const host of ['127.0.0.1', '::1']) {
    const server = createServer((client) => {
      const gate = connect(socket)
      client.on('error', () => gate.destroy())
      gate.on('error', () => client.destroy())
      client.pipe(gate).pipe(client)
    })
    listening.push(
      new Promise((resolve, reject) => {
        server.once('error', (err) => (host === '::1' ? resolve() : reject(err)))
        server.listen(port, host, () => resolve())
      }),
    )
  }
}
Promise.all(listening).then(
  () => writeFileSync(ready, ''),
  (err) => {
    process.stderr.write(`roadmap: the service forwarder could not listen: ${err.message}\n`)
    process.exit(1)
  },
)

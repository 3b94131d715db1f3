// `npm run doctor-under-load`: runs `roadmap doctor` while two CPU hogs (`yes > /dev/null`)
// run beside it, as on a laptop with a browser open or a shared CI runner, and says
// whether every service was still found. Exit 0 when doctor's verdict is the same as
// without the load. The same check runs inside `npm test` (tests/services.test.ts).
import { execFile, spawn } from 'node:child_process'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureNode } from './node-runtime.mjs'

await ensureNode()
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const doctor = () =>
  new Promise((resolve) => {
    const t0 = Date.now()
    execFile(process.execPath, [join(root, 'bin', 'roadmap.js'), 'doctor', '--json'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout) => {
      try {
        resolve({ ms: Date.now() - t0, services: JSON.parse(stdout).services.map((s) => `${s.name}:${s.state}`).sort() })
      } catch {
        resolve({ ms: Date.now() - t0, services: [`doctor failed: ${err?.message ?? 'no JSON'}`] })
      }
    })
  })

const idle = await doctor()
const hogs = [0, 1].map(() => spawn('sh', ['-c', 'exec yes > /dev/null'], { stdio: 'ignore' }))
let loaded
try {
  await new Promise((r) => setTimeout(r, 1000)) // let the hogs take the cores
  loaded = await doctor()
} finally {
  for (const h of hogs) h.kill('SIGKILL')
}
const same = idle.services.join() === loaded.services.join()
console.log(`without load: ${idle.services.join(', ')} (${idle.ms} ms)`)
console.log(`two CPU hogs, load average ${loadavg()[0].toFixed(1)}: ${loaded.services.join(', ')} (${loaded.ms} ms)`)
console.log(same ? 'same verdict under load' : 'DIFFERENT verdict under load')
process.exit(same ? 0 : 1)

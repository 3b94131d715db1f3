import { spawn } from 'node:child_process'
import { join } from 'node:path'

/** `roadmap watch` launched → first verdict printed (plain mode, services already up). */
export function startupToFirstVerdict(dir: string, bin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [bin, 'watch', '--plain', '--root', dir], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no verdict in 30 s:\n${out}`))
    }, 30_000)
    child.stdout.on('data', (d: Buffer) => {
      out += String(d)
      if (/^[✓✗⏱⚠] \S+\/\S+ /m.test(out)) {
        const ms = performance.now() - t0
        clearTimeout(timer)
        child.kill('SIGINT')
        child.once('exit', () => resolve(ms))
      }
    })
  })
}

export const binPath = (root: string) => join(root, 'bin', 'roadmap.js')

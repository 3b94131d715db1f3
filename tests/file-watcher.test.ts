import { openSync, renameSync, writeFileSync, writeSync, closeSync, ftruncateSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FileWatcher } from '../src/watch/file-watcher.ts'
import { tmp } from './helpers.ts'

// How editors save, and what the watch engine must see: exactly one change per save.
let watcher: FileWatcher | undefined
afterEach(async () => {
  await watcher?.close()
  watcher = undefined
})

async function watch(poll = false) {
  const dir = tmp('roadmap-watch-')
  mkdirSync(join(dir, 'kata'))
  const file = join(dir, 'kata', 'index.ts')
  writeFileSync(file, 'export const a = 1\n')
  const batches: string[][] = []
  watcher = new FileWatcher(dir, (files) => batches.push(files), { poll })
  await watcher.ready()
  return { dir, file, batches }
}
const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms))

describe('file watching', () => {
  it('sees a plain write once', async () => {
    const w = await watch()
    writeFileSync(w.file, 'export const a = 2\n')
    await settle()
    expect(w.batches).toEqual([[w.file]])
  })

  it('sees a save by rename (vim, JetBrains: write a temp file, rename it over) once', async () => {
    const w = await watch()
    const temp = join(w.dir, 'kata', 'index.ts.tmp')
    writeFileSync(temp, 'export const a = 3\n')
    renameSync(temp, w.file)
    await settle()
    expect(w.batches.flat().filter((f) => f === w.file).length).toBeGreaterThan(0)
    expect(w.batches.length).toBe(1)
  })

  it('sees a truncate-and-write save once', async () => {
    const w = await watch()
    const fd = openSync(w.file, 'r+')
    ftruncateSync(fd, 0)
    writeSync(fd, 'export const a = 4\n')
    closeSync(fd)
    await settle()
    expect(w.batches).toEqual([[w.file]])
  })

  it('folds a burst of saves into one change', async () => {
    const w = await watch()
    for (let i = 0; i < 5; i++) writeFileSync(w.file, `export const a = ${i}\n`)
    await settle()
    expect(w.batches.length).toBe(1)
  })

  it('works by polling too (--poll, for WSL, NFS and bind mounts)', async () => {
    const w = await watch(true)
    await settle(150)
    writeFileSync(w.file, 'export const a = 5\n')
    await settle(800)
    expect(w.batches.flat()).toContain(w.file)
  })

  it('reports its own failure instead of crashing (the screen then suggests --poll)', async () => {
    const dir = tmp('roadmap-watch-')
    const errors: Error[] = []
    watcher = new FileWatcher(dir, () => undefined, { onError: (e) => errors.push(e) })
    await watcher.ready()
    // What chokidar emits when inotify runs out of watches.
    ;(watcher as unknown as { watcher: NodeJS.EventEmitter }).watcher.emit('error', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }))
    expect(errors.map((e) => e.message)).toEqual(['no space left on device'])
  })
})

// `tsx bench/trace-saves.ts [kata…]`: a few saves per kata with ROADMAP_TRACE=1, so each
// verdict prints where its milliseconds went (runner phases and the worker's own).
process.env.ROADMAP_TRACE = '1'
const { resolve } = await import('node:path')
const { loadCatalogLenient } = await import('../src/catalog/load.ts')
const { ProgressStore } = await import('../src/progress/store.ts')
const { WatchEngine } = await import('../src/watch/engine.ts')
const { engineSaves } = await import('./save-to-verdict.ts')
const { benchWorkspace } = await import('./workspace.ts')

const dir = benchWorkspace(resolve(import.meta.dirname, '..'), true)
const { catalog } = loadCatalogLenient(dir)
const engine = new WatchEngine({ catalog, store: new ProgressStore(dir), config: {} })
await engine.start()
for (const id of process.argv.slice(2).length ? process.argv.slice(2) : ['bench/plain', 'bench/rabbitmq']) {
  const kata = catalog.byId.get(id)
  if (!kata) throw new Error(`no kata ${id}`)
  process.stderr.write(`== ${id}\n`)
  const times = await engineSaves(engine, catalog, kata, Number(process.env.BENCH_SAVES ?? 8))
  process.stderr.write(`${id}: ${times.map((t) => Math.round(t)).join(' ')} ms\n`)
}
await engine.close()

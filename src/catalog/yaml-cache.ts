import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

// Parsing the catalog's YAML was most of a launch's CPU (97 kata.yaml, half a megabyte:
// ~250 ms). Parsed values are kept in one file of this installation's cache, keyed by the
// text's hash, so a launch whose YAML did not change reads JSON instead.
const FILE = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'node_modules', '.cache', 'roadmap', 'yaml.json')
/** More entries than this and only the ones used by this process are written back. */
const MAX_ENTRIES = 2000

let cache: Map<string, unknown> | undefined
const used = new Set<string>()
let dirty = false

/** The cache file's entries, if it is this user's own and nobody else may write it. */
function load(): Map<string, unknown> {
  try {
    const st = statSync(FILE)
    if ((process.getuid && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) return new Map()
    return new Map(Object.entries(JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>))
  } catch {
    return new Map()
  }
}

/** `yaml.parse(text)`, answered from the cache when the same text was parsed before. Parse errors are thrown, never cached. */
export function parseYamlCached(text: string): unknown {
  cache ??= load()
  const key = createHash('sha256').update(text).digest('base64url')
  used.add(key)
  if (cache.has(key)) return structuredClone(cache.get(key))
  const value: unknown = parse(text)
  cache.set(key, value)
  dirty = true
  return structuredClone(value)
}

/** Writes new entries back (atomically; a cache that cannot be written only costs speed). */
export function saveYamlCache() {
  if (!cache || !dirty) return
  dirty = false
  const keep = cache.size > MAX_ENTRIES ? [...cache].filter(([k]) => used.has(k)) : [...cache]
  try {
    mkdirSync(dirname(FILE), { recursive: true })
    const tmp = `${FILE}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(keep)), { mode: 0o644 })
    renameSync(tmp, FILE)
  } catch {
    // read-only installation: parse every time
  }
}

import { UserError } from '../errors.ts'
import type { Lang } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { trackMessages } from '../i18n/track-messages.ts'
import { findKata, nearIds } from './find.ts'
import type { Catalog, Chapter, Kata } from './types.ts'

/** Edit distance counting a swap of two neighbours as one edit ("lsit" is one from "list"). */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}

/** The names closest to what was typed: a typo (distance ≤ 1/3 of the length) or a prefix. */
export function closest(query: string, names: string[], max = 3): string[] {
  const q = query.toLowerCase()
  return names
    .map((n) => ({ n, d: n.startsWith(q) || q.startsWith(n) ? 0.5 : distance(q, n.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(x.n.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map((x) => x.n)
}

/** A chapter by its id ("redis") or its folder ("05-redis"). */
export function findChapter(catalog: Catalog, query: string): Chapter | undefined {
  const q = query.replace(/\/+$/, '')
  return catalog.chapters.find((c) => c.id === q || c.dir === q)
}

/**
 * The katas that `--kata` / `--chapter` name, in roadmap order (the union of both;
 * every kata when neither is given). Any id that names nothing is a usage error
 * (exit 2) with the nearest ids: a typo in a CI workflow must not grade nothing and pass.
 */
export function selectKatas(catalog: Catalog, opts: { kata?: string[]; chapter?: string[] }, lang: Lang = 'en'): Kata[] {
  const m = messages(lang)
  const kataIds = opts.kata ?? []
  const chapterIds = opts.chapter ?? []
  if (!kataIds.length && !chapterIds.length) return catalog.katas
  const chosen = new Set<string>()
  for (const q of kataIds) {
    const kata = findKata(catalog, q)
    const elsewhere = !kata && catalog.whole && catalog.track ? findKata(catalog.whole, q) : undefined
    if (elsewhere) throw new UserError(trackMessages(lang).notInTrack(elsewhere.id, catalog.track!, catalog.katas.map((k) => k.id)))
    if (!kata) throw new UserError(m.unknownKata(q, nearIds(catalog, q)))
    chosen.add(kata.id)
  }
  for (const q of chapterIds) {
    const chapter = findChapter(catalog, q)
    const ids = catalog.chapters.map((c) => c.id)
    if (!chapter && catalog.whole && catalog.track && findChapter(catalog.whole, q)) throw new UserError(trackMessages(lang).chapterNotInTrack(q, catalog.track))
    if (!chapter) throw new UserError(m.unknownChapter(q, closest(q, ids), ids))
    if (!chapter.katas.length) throw new UserError(m.emptyChapter(chapter.id))
    for (const k of chapter.katas) chosen.add(k.id)
  }
  return catalog.katas.filter((k) => chosen.has(k.id))
}

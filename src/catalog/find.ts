import type { Catalog, Kata } from './types.ts'

/** Finds a kata by id, by slug when unique, or by its folder; undefined when none matches. */
export function findKata(catalog: Catalog, query: string): Kata | undefined {
  const q = query.replace(/\/+$/, '')
  const exact = catalog.byId.get(q)
  if (exact) return exact
  const bySlug = catalog.katas.filter((k) => k.slug === q)
  if (bySlug.length === 1) return bySlug[0]
  return catalog.katas.find((k) => q.endsWith(k.dir) || q === `exercises/${k.dir}` || q.endsWith(`exercises/${k.dir}`))
}

/** Up to three ids that look like what was typed, for "did you mean". */
export function nearIds(catalog: Catalog, query: string): string[] {
  const words = query.toLowerCase().split(/[/-]/).filter(Boolean)
  return catalog.katas
    .map((k) => ({ id: k.id, score: words.filter((w) => k.id.includes(w)).length }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, 3)
    .map((x) => x.id)
}

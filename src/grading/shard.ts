import type { Kata } from '../catalog/types.ts'

export interface Shard {
  index: number
  count: number
}

/** Parses "i/n" (1-based), as GitHub Actions matrix jobs pass it. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim())
  const index = Number(m?.[1])
  const count = Number(m?.[2])
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard takes i/n with 1 ≤ i ≤ n, e.g. 2/3 (got "${text}")`)
  return { index, count }
}

/**
 * The katas of one shard. Katas are dealt by budget, largest first, to the lightest
 * shard, so shards take similar time; the deal depends only on the catalog, so every
 * matrix job computes the same split and together they cover each kata exactly once.
 */
export function shardKatas(katas: Kata[], shard: Shard): Kata[] {
  const load = Array.from({ length: shard.count }, () => 0)
  const owner = new Map<string, number>()
  const byBudget = [...katas].sort((a, b) => b.budgetMs - a.budgetMs || a.index - b.index)
  for (const k of byBudget) {
    const lightest = load.indexOf(Math.min(...load))
    owner.set(k.id, lightest)
    load[lightest]! += k.budgetMs
  }
  return katas.filter((k) => owner.get(k.id) === shard.index - 1)
}

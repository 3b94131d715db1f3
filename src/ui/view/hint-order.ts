import type { Kata } from '../../catalog/types.ts'

/**
 * The order in which `h` reveals a kata's hints: those tied to the failing test on
 * screen first (in their own order), then the rest from gentle to explicit.
 */
export function hintOrder(kata: Kata, failingTest: string | undefined): number[] {
  const all = kata.hints.map((_, i) => i)
  if (!failingTest) return all
  const helps = (i: number) => kata.hints[i]!.tests?.some((t) => failingTest.includes(t)) ?? false
  return [...all.filter(helps), ...all.filter((i) => !helps(i))]
}

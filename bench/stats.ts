export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}
export const round = (n: number) => Math.round(n * 10) / 10
/** p50 and p95, with every measurement in order (bench.json shows which saves were the slow ones). */
export const summary = (xs: number[]) => ({ n: xs.length, p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), runs: xs.map(Math.round) })

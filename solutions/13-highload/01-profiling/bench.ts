// A day of sales to profile the report with. Run it from the repository root:
//
//   node --cpu-prof --cpu-prof-dir=profiles exercises/13-highload/01-profiling/bench.ts
//   node --heap-prof --heap-prof-dir=profiles exercises/13-highload/01-profiling/bench.ts
//
// then open profiles/*.cpuprofile (or *.heapprofile) in Chrome DevTools or speedscope.
// (Node 22.12–22.17 needs --experimental-strip-types to run a .ts file.)
import { buildReport, type Customer, type Order } from './report.ts'

/** A small seeded generator, so every run profiles the same day. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const rnd = random(2024)
const pad = (n: number) => String(n).padStart(5, '0')
const names = ['Ann', 'Boris', 'Chen', 'Dana', 'Emil', 'Fatima', 'Gleb', 'Hugo', 'Irina', 'Jonas']
const countries = ['RU', 'KZ', 'DE', 'US', 'BR', 'IN']

const customers: Customer[] = Array.from({ length: 500 }, (_, i) => ({
  id: `c${pad(i)}`,
  name: names[i % names.length]!,
  country: countries[i % countries.length]!,
}))
const orders: Order[] = Array.from({ length: 10_000 }, (_, i) => ({
  id: `o${pad(i)}`,
  customerId: `c${pad(Math.floor(rnd() * 510))}`, // a few customers are unknown
  items: Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => ({
    sku: `sku${Math.floor(rnd() * 3000)}`,
    qty: 1 + Math.floor(rnd() * 3),
    priceCents: 100 + Math.floor(rnd() * 10_000),
  })),
}))

for (let run = 1; run <= 5; run++) {
  const started = performance.now()
  const report = buildReport(orders, customers)
  const ms = performance.now() - started
  console.log(`run ${run}: ${ms.toFixed(1)} ms (total ${report.totalCents} cents, ${report.distinctSkus} SKUs)`)
}

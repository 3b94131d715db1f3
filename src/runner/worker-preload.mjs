// Loaded into a worker with --import while it waits for its run (a spare worker waits
// while the learner types): the service clients the last kata's suite used, so the
// next run of it finds them in Node's module cache instead of loading them on the
// save's clock. ROADMAP_PRELOAD names them, comma-separated.
const names = (process.env.ROADMAP_PRELOAD ?? '').split(',').filter(Boolean)
await Promise.allSettled(names.map((n) => import(n)))

// Loaded into every worker with --import while it waits for its run (a spare worker
// waits while the learner types): the service clients the fixtures use, so a run
// finds them in Node's module cache instead of loading them on the save's clock.
await Promise.allSettled([import('pg'), import('ioredis'), import('amqplib')])

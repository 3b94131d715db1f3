import type { Channel } from 'amqplib'

export type JobHandler = (job: unknown, meta: { messageId: string }) => Promise<void>

export interface Worker {
  /** Stops taking new jobs; resolves once the jobs already being handled are done. */
  stop(): Promise<void>
}

/** Producer: puts one job (any JSON value) on `queue` and returns its message id. */
export async function sendJob(channel: Channel, queue: string, job: unknown): Promise<string> {
  throw new Error('TODO: declare the durable queue, send the job as JSON with a new messageId, return that id\nTODO(ru): объявить устойчивую очередь, отправить задачу в JSON с новым messageId и вернуть этот id')
}

/** Consumer: hands every job of `queue` to `handler`, acknowledging it once handled. */
export async function startWorker(channel: Channel, queue: string, handler: JobHandler): Promise<Worker> {
  throw new Error('TODO: declare the queue, consume it, call handler(job, { messageId }), ack on success, reject on failure\nTODO(ru): объявить очередь, подписаться на неё, вызвать handler(job, { messageId }), при успехе ack, при ошибке reject')
}

// Where this kata's files live. The hidden suite imports this module to find your
// workflow (.github/workflows/…) and the project's package.json, so it reads the same
// folder whether you run the exercise, the reference solution or a submission.
// You do not need to edit it.
import { fileURLToPath } from 'node:url'

export const dir: string = fileURLToPath(new URL('.', import.meta.url))

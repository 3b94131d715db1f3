// Runs detached beside a session that started containers: when that process is gone
// (quit, Ctrl+C, killed), removes the containers it owned. Ryuk, Testcontainers' own
// reaper, is an image from a registry and cannot be had everywhere.
import { reapOrphans } from './containers.ts'

const owner = Number(process.argv[2])
const alive = () => {
  try {
    process.kill(owner, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
const timer = setInterval(() => {
  if (alive()) return
  clearInterval(timer)
  reapOrphans()
    .catch(() => 0)
    .finally(() => process.exit(0))
}, 300)

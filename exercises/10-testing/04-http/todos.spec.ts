import request from 'supertest'
import type * as Todos from './todos.ts'
import type { TestApi } from './test-api.ts'

/**
 * Write HTTP tests for the todos API here with supertest: `request(app).get('/todos')…`.
 * The grader calls defineTests with the real module and with broken copies; build the app
 * with `todos.createApp({ apiKey })`.
 */
export function defineTests(t: TestApi, todos: typeof Todos): void {
  void request
  throw new Error('TODO: create the app in beforeEach and test every route, status code and header in README.md\nTODO(ru): создавать приложение в beforeEach и проверить каждый маршрут, код ответа и заголовок из README.ru.md')
}

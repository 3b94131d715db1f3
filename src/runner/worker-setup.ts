// Runs in the test worker before each suite: applies the kata's budget to every test,
// so a promise that never settles fails as a timeout before the watchdog has to act.
import { expect, inject, vi } from 'vitest'
import './provided.ts'

const budgets = inject('roadmap:budgets')
const file = expect.getState().testPath
const budget = file ? budgets[file] : undefined
if (budget) vi.setConfig({ testTimeout: Math.max(500, budget - 300), hookTimeout: Math.max(500, budget - 300) })

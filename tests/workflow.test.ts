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

  it('grades with the harness it comes from, never the caller’s suites', () => {
    const wf = parse(text)
    const inputs = wf.on.workflow_call.inputs
    // In a reusable workflow github.repository is the caller: a fork's weakened suites.
    expect(inputs['harness-repository'].required).toBe(true)
    expect(inputs['harness-repository'].default).toBeUndefined()
    expect(inputs['harness-ref']).toMatchObject({ required: true })
    expect(inputs['harness-ref'].default).toBeUndefined()
    expect(text).not.toMatch(/default: \$\{\{ github\.repository \}\}/)
    const checkouts = [...wf.jobs.grade.steps, ...wf.jobs.report.steps].filter((s: { uses?: string; with?: { repository?: string } }) => s.uses?.startsWith('actions/checkout') && s.with?.repository)
    expect(checkouts).toHaveLength(2)
    for (const c of checkouts) {
      expect(c.with.ref).toBe('${{ inputs.harness-ref }}')
      expect(c.with.token).toBe('${{ secrets.harness-token || github.token }}')
    }
    expect(wf.on.workflow_call.secrets['harness-token'].required).toBe(false)
  })

  it('grades under sudo, so each run gets a user of its own', () => {
    const step = parse(text).jobs.grade.steps.find((s: { name?: string }) => s.name?.startsWith('Grade shard'))
    expect(step.run).toMatch(/sudo -E env "PATH=\$PATH" node bin\/roadmap\.js grade/)
  })

  it('the README shows a complete caller workflow', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('## Grading in CI'))
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1]
    expect(yaml, 'a yaml block in "Grading in CI"').toBeDefined()
    const caller = parse(yaml!)
    expect(caller.on).toBeDefined()
    expect(caller.jobs.grade.uses).toMatch(/\/\.github\/workflows\/grade\.yml@/)
    expect(caller.jobs.grade.with['harness-repository']).toBeTruthy()
    expect(caller.jobs.grade.with['harness-ref']).toBe(caller.jobs.grade.uses.split('@')[1])
    expect(workflowSchemaErrors('caller.yml', yaml!)).toEqual([])
  })
})

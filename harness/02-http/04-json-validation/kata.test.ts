import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createApp, parseEvent } from '@kata/http/json-validation'

const valid = {
  title: '  Go meetup  ',
  startsAt: '2030-05-01T21:00:00+03:00',
  seats: 120,
  tags: ['go', ' backend '],
  organizer: { name: 'Ada', email: 'Ada@Example.com' },
}
const normalized = {
  title: 'Go meetup',
  startsAt: '2030-05-01T18:00:00.000Z',
  seats: 120,
  tags: ['go', 'backend'],
  organizer: { name: 'Ada', email: 'ada@example.com' },
}

const show = (v: unknown) => JSON.stringify(v)

function expectFields(body: unknown, fields: Record<string, string>) {
  const r = parseEvent(body)
  expect(r.ok, `parseEvent(${show(body)}).ok`).toBe(false)
  expect(r.fields, `parseEvent(${show(body)}).fields`).toEqual(fields)
}

describe('parseEvent(body): decoding and normalizing a valid body', () => {
  it('accepts a valid event and normalizes it (trimmed strings, UTC date, lower-case email)', () => {
    const r = parseEvent(valid)
    expect(r, `parseEvent(${show(valid)})`).toEqual({ ok: true, value: normalized })
  })

  it('defaults missing or null tags to []', () => {
    const { tags: _tags, ...noTags } = valid
    expect(parseEvent(noTags), 'parseEvent(without tags)').toEqual({ ok: true, value: { ...normalized, tags: [] } })
    expect(parseEvent({ ...valid, tags: null }), 'parseEvent(tags: null)').toEqual({ ok: true, value: { ...normalized, tags: [] } })
  })

  it.each([
    ['2030-05-01T18:00:00Z', '2030-05-01T18:00:00.000Z'],
    ['2030-05-01T18:00Z', '2030-05-01T18:00:00.000Z'],
    ['2030-05-01T18:00:00.250Z', '2030-05-01T18:00:00.250Z'],
    ['2030-05-01T12:30:00-05:30', '2030-05-01T18:00:00.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('accepts startsAt %s as %s', (input, expected) => {
    const r = parseEvent({ ...valid, startsAt: input })
    expect(r.ok, `parseEvent({ startsAt: ${show(input)} }).ok`).toBe(true)
    expect(r.value?.startsAt, `parseEvent({ startsAt: ${show(input)} }).value.startsAt`).toBe(expected)
  })
})

describe('parseEvent(body): field-level errors', () => {
  it('reports every missing required field at once', () => {
    expectFields({}, { title: 'required', startsAt: 'required', seats: 'required', organizer: 'required' })
  })

  it('treats null as missing for required fields', () => {
    expectFields({ ...valid, title: null, seats: null }, { title: 'required', seats: 'required' })
  })

  it('reports a wrong JSON type as "type"', () => {
    expectFields({ ...valid, title: 42, startsAt: 1893456000000, seats: '120', tags: 'go', organizer: 'Ada' }, {
      title: 'type',
      startsAt: 'type',
      seats: 'type',
      tags: 'type',
      organizer: 'type',
    })
  })

  it('rejects a fractional seats as "type" and seats outside 1..10000 as "range"', () => {
    expectFields({ ...valid, seats: 2.5 }, { seats: 'type' })
    expectFields({ ...valid, seats: 0 }, { seats: 'range' })
    expectFields({ ...valid, seats: 10_001 }, { seats: 'range' })
    expect(parseEvent({ ...valid, seats: 10_000 }).ok, 'parseEvent({ seats: 10000 }).ok').toBe(true)
    expect(parseEvent({ ...valid, seats: 1 }).ok, 'parseEvent({ seats: 1 }).ok').toBe(true)
  })

  it('checks string lengths after trimming ("length")', () => {
    expectFields({ ...valid, title: '   ' }, { title: 'length' })
    expectFields({ ...valid, title: 'x'.repeat(101) }, { title: 'length' })
    expect(parseEvent({ ...valid, title: ` ${'x'.repeat(100)} ` }).ok, 'parseEvent({ title: 100 chars with spaces around }).ok').toBe(true)
    expectFields({ ...valid, organizer: { name: 'n'.repeat(51), email: 'a@b.co' } }, { 'organizer.name': 'length' })
    expect(parseEvent({ ...valid, organizer: { name: 'n'.repeat(50), email: 'a@b.co' } }).ok, 'parseEvent({ organizer.name: 50 chars }).ok (1..50 includes 50)').toBe(true)
    expect(parseEvent({ ...valid, tags: ['t'.repeat(20)] }).ok, 'parseEvent({ tags: [a 20-char tag] }).ok (1..20 includes 20)').toBe(true)
    expect(parseEvent({ ...valid, tags: ['a', 'b', 'c', 'd', 'e'] }).ok, 'parseEvent({ tags: 5 items }).ok (at most 5 includes 5)').toBe(true)
  })

  it.each([
    ['tomorrow'],
    ['2030-05-01'],
    ['2030-05-01T18:00:00'],
    ['2030-02-30T10:00:00Z'],
    ['2030-04-31T10:00:00Z'],
    ['2029-02-29T10:00:00Z'],
    ['2030-13-01T10:00:00Z'],
    ['2030-05-01T25:00:00Z'],
    ['2030-05-01T24:00:00Z'],
    ['2030-05-01 18:00:00Z'],
  ])('rejects startsAt %s as "format" (a real calendar date-time with a zone is required)', (input) => {
    expectFields({ ...valid, startsAt: input }, { startsAt: 'format' })
  })

  it('names array items by index: tags[1]', () => {
    expectFields({ ...valid, tags: ['go', 7, '', 'ok'] }, { 'tags[1]': 'type', 'tags[2]': 'length' })
    expectFields({ ...valid, tags: ['a', 'b', 'c', 'd', 'e', 'f'] }, { tags: 'length' })
    expectFields({ ...valid, tags: ['x'.repeat(21)] }, { 'tags[0]': 'length' })
  })

  it('names nested fields with a dot: organizer.email', () => {
    expectFields({ ...valid, organizer: { name: 'Ada' } }, { 'organizer.email': 'required' })
    expectFields({ ...valid, organizer: { name: 'Ada', email: 'ada.example.com' } }, { 'organizer.email': 'format' })
    expectFields({ ...valid, organizer: { name: ['Ada'], email: 5 } }, { 'organizer.name': 'type', 'organizer.email': 'type' })
    expectFields({ ...valid, organizer: [{ name: 'Ada', email: 'ada@example.com' }] }, { organizer: 'type' })
  })

  it('trims the email before checking its format', () => {
    const r = parseEvent({ ...valid, organizer: { name: 'Ada', email: '  Ada@Example.com ' } })
    expect(r, 'parseEvent({ organizer.email: "  Ada@Example.com " }): trimmed, then checked and lower-cased').toEqual({
      ok: true,
      value: { ...normalized, organizer: { name: 'Ada', email: 'ada@example.com' } },
    })
  })

  it('rejects unknown fields, top-level and nested, as "unknown" (like DisallowUnknownFields)', () => {
    expectFields({ ...valid, price: 10, organizer: { ...valid.organizer, phone: '+1' } }, { price: 'unknown', 'organizer.phone': 'unknown' })
  })

  it.each([[null], [[valid]], ['event'], [42]])('rejects a body that is not an object (%j) with { "$": "type" }', (body) => {
    expectFields(body, { $: 'type' })
  })

  it('reports errors in several places at once', () => {
    expectFields(
      { title: '', startsAt: '2030-02-30T10:00:00Z', seats: -1, tags: ['ok', null], organizer: { email: 'x' }, extra: true },
      {
        title: 'length',
        startsAt: 'format',
        seats: 'range',
        'tags[1]': 'required',
        'organizer.name': 'required',
        'organizer.email': 'format',
        extra: 'unknown',
      },
    )
  })
})

describe('POST /events and GET /events/:id over HTTP', () => {
  it('201 with the normalized event as JSON (charset utf-8), an id and a Location', async () => {
    const app = createApp()
    const res = await request(app).post('/events').send(valid)
    expect(res.status, `POST /events ${show(valid)}`).toBe(201)
    expect(res.headers['content-type'], 'POST /events: Content-Type').toMatch(/^application\/json;\s*charset=utf-8$/i)
    expect(res.body, 'POST /events: body').toEqual({ id: expect.any(String), ...normalized })
    expect(res.headers.location, 'POST /events: Location').toBe(`/events/${res.body.id}`)
    const got = await request(app).get(String(res.headers.location))
    expect(got.status, `GET ${res.headers.location}`).toBe(200)
    expect(got.body, `GET ${res.headers.location}`).toEqual(res.body)
  })

  it('round-trips non-ASCII text intact (Content-Length counts bytes, not characters)', async () => {
    const app = createApp()
    const body = { ...valid, title: 'Встреча гоферов 🚀 — «весна»', organizer: { name: 'Łukasz Żółć', email: 'lz@example.pl' } }
    const res = await request(app).post('/events').send(body)
    expect(res.status, 'POST /events with a Cyrillic/emoji title').toBe(201)
    expect(res.body.title, 'POST /events: title in the response').toBe('Встреча гоферов 🚀 — «весна»')
    const got = await request(app).get(`/events/${res.body.id}`)
    expect(got.body.organizer, 'GET /events/:id: organizer').toEqual({ name: 'Łukasz Żółć', email: 'lz@example.pl' })
  })

  it('400 {"error":"validation","fields":{…}} for an invalid body, and nothing is stored', async () => {
    const app = createApp()
    const res = await request(app).post('/events').send({ ...valid, seats: 0, organizer: { name: 'Ada', email: 'nope' } })
    expect(res.status, 'POST /events with seats 0 and a bad email').toBe(400)
    expect(res.headers['content-type'], 'POST /events (400): Content-Type').toMatch(/^application\/json/)
    expect(res.body, 'POST /events (400): body').toEqual({ error: 'validation', fields: { seats: 'range', 'organizer.email': 'format' } })
  })

  it('400 {"error":"invalid_json"} for a body that is not JSON at all', async () => {
    for (const text of ['{"title": "Go meetup",', "{'title': 'single quotes'}", '']) {
      const res = await request(createApp()).post('/events').set('Content-Type', 'application/json').send(text)
      expect(res.status, `POST /events with body ${show(text)}`).toBe(400)
      expect(res.body, `POST /events with body ${show(text)}: body`).toEqual({ error: 'invalid_json' })
    }
  })

  it('400 validation with { "$": "type" } for JSON that is not an object', async () => {
    const res = await request(createApp()).post('/events').set('Content-Type', 'application/json').send('[1,2,3]')
    expect(res.status, 'POST /events with body [1,2,3]').toBe(400)
    expect(res.body, 'POST /events with body [1,2,3]: body').toEqual({ error: 'validation', fields: { $: 'type' } })
  })

  it('404 {"error":"not_found"} for an unknown event', async () => {
    const res = await request(createApp()).get('/events/nope')
    expect(res.status, 'GET /events/nope').toBe(404)
    expect(res.body, 'GET /events/nope: body').toEqual({ error: 'not_found' })
  })
})

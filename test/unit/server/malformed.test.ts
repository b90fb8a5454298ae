// Generated malformed bodies: every one is answered 4xx with an ErrorBody (naming the field for
// schema errors), nothing is stored, and the server keeps answering.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src/core/events.ts';
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_ID_LENGTH } from '../../../src/core/sync/wire.ts';
import { T0, keyAuth, testServer, type TestServer } from '../../support/server-app.ts';

let s: TestServer;
beforeAll(async () => {
  s = await testServer();
});
afterAll(() => s.close());

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const validEvent = fc.record({
  type: fc.constantFrom(...EVENT_TYPES),
  itemId: fc.string({ minLength: 1, maxLength: 20 }),
  at: fc.integer({ min: T0 - 1e9, max: T0 }),
});
const validPseudonymous = fc.record({
  mode: fc.constant('pseudonymous'),
  batchId: fc.stringMatching(/^[A-Za-z0-9_-]{8,20}$/),
  releaseId: fc.option(fc.string({ minLength: 1, maxLength: 10 })),
  feed: fc.constant('home'),
  installId: fc.string({ minLength: 1, maxLength: 20 }),
  events: fc.array(validEvent, { minLength: 1, maxLength: 5 }),
});
const validCounts = fc.record({
  itemId: fc.string({ minLength: 1, maxLength: 20 }),
  day: fc.constant('2026-11-20'),
  impressions: fc.nat(100),
  clicks: fc.nat(10),
  watches: fc.nat(10),
  likes: fc.nat(10),
  hides: fc.nat(10),
  skips: fc.nat(10),
  watchSeconds: fc.nat(1000),
  watchFractionSum: fc.nat(5),
});
const validAggregate = fc.record({
  mode: fc.constant('aggregate'),
  batchId: fc.stringMatching(/^[A-Za-z0-9_-]{8,20}$/),
  releaseId: fc.constant(null),
  feed: fc.constant('home'),
  counts: fc.array(validCounts, { minLength: 1, maxLength: 5 }),
});
const validBatch = fc.oneof(validPseudonymous, validAggregate) as fc.Arbitrary<Record<string, Json>>;

const STRING_FIELDS = ['batchId', 'feed'];
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({})) as fc.Arbitrary<Json>;
const notANumber = fc.oneof(fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null), fc.constant([1]), fc.constant({})) as fc.Arbitrary<Json>;
/** [[[...]]] or {"a":{"a":...}} nested `depth` deep. */
const deep = fc.tuple(fc.integer({ min: 50, max: 1500 }), fc.boolean()).map(([depth, arrays]) => {
  let v: Json = 1;
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
});

interface Mutation {
  body: Json;
  /** The field the answer must name. */
  field: string;
}

type Rec = Record<string, Json>;
const rows = (b: Rec) => (b.mode === 'pseudonymous' ? 'events' : 'counts');
const clone = (b: Rec): Rec => structuredClone(b);

const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  // A required field missing.
  fc.tuple(validBatch, fc.nat()).map(([b, k]) => {
    const x = clone(b);
    const keys = Object.keys(x).filter((key) => key !== 'mode');
    const key = keys[k % keys.length]!;
    delete x[key];
    return { body: x, field: key };
  }),
  // A required field of a row missing.
  fc.tuple(validBatch, fc.nat()).map(([b, k]) => {
    const x = clone(b);
    const row = (x[rows(x)] as Rec[])[0]!;
    const keys = Object.keys(row).filter((key) => !['watchSeconds', 'watchFraction'].includes(key) || x.mode === 'aggregate');
    const key = keys[k % keys.length]!;
    delete row[key];
    return { body: x, field: `${rows(x)}[0].${key}` };
  }),
  // A field that is not in the contract.
  fc.tuple(validBatch, fc.stringMatching(/^[a-z]{3,12}$/), fc.jsonValue(), fc.boolean()).map(([b, key, value, inRow]) => {
    const x = clone(b);
    const name = `x_${key}`;
    if (inRow) (x[rows(x)] as Rec[])[0]![name] = value as Json;
    else x[name] = value as Json;
    return { body: x, field: inRow ? `${rows(x)}[0].${name}` : name };
  }),
  // Wrong types.
  fc.tuple(validBatch, fc.constantFrom(...STRING_FIELDS), notAString).map(([b, key, value]) => ({ body: { ...clone(b), [key]: value }, field: key })),
  fc.tuple(validPseudonymous as fc.Arbitrary<Rec>, fc.constantFrom('at', 'watchSeconds', 'watchFraction'), notANumber).map(([b, key, value]) => {
    const x = clone(b);
    (x.events as Rec[])[0]![key] = value;
    return { body: x, field: `events[0].${key}` };
  }),
  fc.tuple(validBatch, fc.oneof(fc.string(), fc.integer(), fc.constant({}))).map(([b, value]) => ({ body: { ...clone(b), [rows(b)]: value }, field: rows(b) })),
  // Out of range, bad enum, bad pattern, huge strings, deep nesting.
  fc.tuple(validPseudonymous as fc.Arbitrary<Rec>, fc.oneof(fc.double({ min: 1.0001, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -0.0001, noNaN: true }))).map(([b, f]) => {
    const x = clone(b);
    (x.events as Rec[])[0]!.watchFraction = f;
    return { body: x, field: 'events[0].watchFraction' };
  }),
  fc.tuple(validPseudonymous as fc.Arbitrary<Rec>, fc.string({ minLength: 1, maxLength: 12 }).filter((t) => !(EVENT_TYPES as readonly string[]).includes(t))).map(([b, t]) => {
    const x = clone(b);
    (x.events as Rec[])[0]!.type = t;
    return { body: x, field: 'events[0].type' };
  }),
  fc.tuple(validAggregate as fc.Arbitrary<Rec>, fc.string({ maxLength: 12 })).map(([b, day]) => {
    const x = clone(b);
    (x.counts as Rec[])[0]!.day = `${day}x`;
    return { body: x, field: 'counts[0].day' };
  }),
  fc.tuple(validBatch, fc.integer({ min: MAX_ID_LENGTH + 1, max: 100_000 })).map(([b, n]) => {
    const x = clone(b);
    (x[rows(x)] as Rec[])[0]!.itemId = 'x'.repeat(n);
    return { body: x, field: `${rows(x)}[0].itemId` };
  }),
  fc.tuple(validBatch, fc.oneof(fc.string({ maxLength: 7 }), fc.string({ minLength: 65, maxLength: 80 }), fc.constant('has space!'))).map(([b, id]) => ({ body: { ...clone(b), batchId: id }, field: 'batchId' })),
  fc.tuple(validBatch, fc.constantFrom('feed', 'batchId'), deep).map(([b, key, value]) => ({ body: { ...clone(b), [key]: value }, field: key })),
  fc.tuple(validBatch, fc.string({ maxLength: 15 }).filter((m) => m !== 'aggregate' && m !== 'pseudonymous')).map(([b, mode]) => ({ body: { ...clone(b), mode }, field: 'mode' })),
  validPseudonymous.map((b) => ({ body: { ...b, events: Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => b.events[0]!) } as Json, field: 'events' })),
  fc.tuple(validAggregate as fc.Arbitrary<Rec>, fc.double({ min: 0.01, max: 0.99, noNaN: true })).map(([b, f]) => {
    // Fractional counts are noise; without `noise` they are refused.
    const x = clone(b);
    (x.counts as Rec[])[0]!.clicks = 1 + f;
    return { body: x, field: 'counts[0].clicks' };
  }),
);

function expectErrorBody(body: unknown): asserts body is { error: string; message: string; field?: string } {
  expect(body).toEqual(expect.objectContaining({ error: expect.any(String), message: expect.any(String) }));
  expect(Object.keys(body as object).every((k) => ['error', 'message', 'field'].includes(k))).toBe(true);
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|node_modules/);
}

const post = (payload: string | Buffer, contentType = 'application/json') =>
  s.app.inject({ method: 'POST', url: '/v1/events', headers: { ...keyAuth, 'content-type': contentType }, payload });

describe('malformed batches', () => {
  it('answers every schema violation with 400 naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(mutations, async ({ body, field }) => {
        const r = await post(JSON.stringify(body));
        expect(r.statusCode, r.body).toBe(400);
        const b = r.json();
        expectErrorBody(b);
        expect(b.error).toBe('ValidationError');
        expect(b.field, b.message).toBe(field);
      }),
      { numRuns: 250, seed: 20261120 },
    );
    expect(await s.store.stats()).toMatchObject({ batches: 0, events: 0, countRows: 0 });
  });

  it('names the allowed values in the message', async () => {
    const r = await post(JSON.stringify({ mode: 'pseudonymous', batchId: 'batch-msg-01', releaseId: null, feed: 'f', installId: 'i', events: [{ type: 'view', itemId: 'a', at: T0 }] }));
    expect(r.json()).toEqual({ error: 'ValidationError', field: 'events[0].type', message: 'must be one of impression, click, watch, like, hide, skip' });
    const m = await post(JSON.stringify({ mode: 'batch', batchId: 'batch-msg-01' }));
    expect(m.json()).toEqual({ error: 'ValidationError', field: 'mode', message: 'must be one of aggregate, pseudonymous' });
  });

  it('answers broken bytes, broken JSON, wrong content types and oversize bodies with 4xx', async () => {
    const valid = JSON.stringify({ mode: 'pseudonymous', batchId: 'batch-raw-01', releaseId: null, feed: 'f', installId: 'i', events: [{ type: 'click', itemId: 'item-abc', at: T0 }] });
    const badUtf8 = fc.tuple(fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]), fc.nat()).map(([bytes, k]) => {
      const at = valid.indexOf('item-abc') + 1 + (k % 6);
      return { payload: Buffer.concat([Buffer.from(valid.slice(0, at)), Buffer.from(bytes), Buffer.from(valid.slice(at))]), type: 'application/json', status: 400, error: 'InvalidJson' };
    });
    const truncated = fc.nat(valid.length - 1).map((n) => ({ payload: valid.slice(0, n), type: 'application/json', status: 400, error: 'InvalidJson' }));
    const notJson = fc.constantFrom('{"a":1,}', "{'a':1}", 'NaN', '{"__proto__":{"x":1}}', '[1,2', 'undefined').map((p) => ({ payload: p, type: 'application/json', status: 400, error: 'InvalidJson' }));
    const wrongType = fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream').map((t) => ({ payload: valid, type: t, status: 415, error: 'UnsupportedMediaType' }));
    const oversize = fc.integer({ min: MAX_BATCH_BYTES + 1, max: MAX_BATCH_BYTES * 4 }).map((n) => ({ payload: `{"pad":"${'x'.repeat(n)}"}`, type: 'application/json', status: 413, error: 'PayloadTooLarge' }));
    // Nesting far deeper than any JS object built here could be (2 bytes a level, within the limit).
    const deepText = fc.integer({ min: 10_000, max: 120_000 }).map((depth) => ({
      payload: valid.replace('"feed":"f"', `"feed":${'['.repeat(depth)}1${']'.repeat(depth)}`),
      type: 'application/json',
      status: 400,
      error: 'ValidationError',
    }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(badUtf8, truncated, notJson, wrongType, oversize, deepText), async (c) => {
        const r = await post(c.payload, c.type);
        expect(r.statusCode, `${c.type} ${String(c.payload).slice(0, 40)}`).toBe(c.status);
        const b = r.json();
        expectErrorBody(b);
        expect(b.error).toBe(c.error);
      }),
      { numRuns: 120, seed: 7 },
    );
    expect(await s.store.stats()).toMatchObject({ batches: 0, events: 0 });
  });

  it('still answers /healthz and counts the rejections by reason', async () => {
    const h = await s.app.inject({ method: 'GET', url: '/healthz' });
    expect(h.json()).toEqual({ ok: true, store: 'sqlite' });
    const m = (await s.app.inject({ method: 'GET', url: '/v1/metrics' })).json();
    const { schema, json, size } = m.ingest.rejected;
    expect(schema + json + size + m.ingest.rejected['content-type']).toBe(250 + 2 + 120);
    expect(m.ingest.batches).toBe(0);
  });
});

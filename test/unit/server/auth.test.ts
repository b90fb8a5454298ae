import { describe, expect, it } from 'vitest';
import { issueToken } from '../../../src/server/auth/index.ts';
import { tokenKey } from '../../../src/server/auth/device-token.ts';
import { APP_KEY, SECRET, T0, deviceToken, events, keyAuth, postEvents, pseudonymous, testServer } from '../../support/server-app.ts';

const batch = pseudonymous('batch-auth-01', events(3));

async function expectRejected(s: Awaited<ReturnType<typeof testServer>>, headers: Record<string, string>, message: RegExp) {
  const r = await postEvents(s.app, batch, headers);
  expect(r.statusCode).toBe(401);
  expect(r.json()).toMatchObject({ error: 'Unauthorized', message: expect.stringMatching(message) });
  expect(await s.store.stats()).toMatchObject({ batches: 0, events: 0 });
}

describe('auth', () => {
  it('issues expiring tokens for known app keys only', async () => {
    const s = await testServer({ tokenTtlSeconds: 600 });
    const ok = await s.app.inject({ method: 'POST', url: '/v1/tokens', headers: { 'x-ondeck-app': APP_KEY } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ token: expect.stringMatching(/^v1\.[\w-]+\.[\w-]+$/), expiresAt: T0 + 600_000 });
    const unknown = await s.app.inject({ method: 'POST', url: '/v1/tokens', headers: { 'x-ondeck-app': 'not-an-app' } });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual({ error: 'Unauthorized', message: 'unknown app key in X-Ondeck-App' });
    const missing = await s.app.inject({ method: 'POST', url: '/v1/tokens' });
    expect(missing.statusCode).toBe(401);
    await s.close();
  });

  it('rejects missing, expired, forged and foreign credentials with 401 and stores nothing', async () => {
    const s = await testServer({ tokenTtlSeconds: 60 });
    const token = await deviceToken(s.app);
    await expectRejected(s, {}, /missing Authorization/);
    await expectRejected(s, { authorization: 'Basic dXNlcjpwYXNz' }, /unknown Authorization scheme/);
    await expectRejected(s, { authorization: 'Key wrong-secret-key-000000000000' }, /secret key is wrong/);
    // Forged: the payload changed (another app, a later expiry), the signature kept.
    const [v, payload, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 10 * 86_400_000 })).toString('base64url');
    await expectRejected(s, { authorization: `Bearer ${v}.${forged}.${sig}` }, /signature does not verify/);
    // Signed with another server's secret.
    const foreign = issueToken(tokenKey('another-secret-key-0123456789'), APP_KEY, T0, 3600).token;
    await expectRejected(s, { authorization: `Bearer ${foreign}` }, /signature does not verify/);
    await expectRejected(s, { authorization: 'Bearer garbage' }, /malformed/);
    // Expired: the clock moves past the 60 s lifetime.
    s.clock.now = T0 + 60_000;
    await expectRejected(s, { authorization: `Bearer ${token}` }, /expired/);
    s.clock.now = T0 + 59_999;
    expect((await postEvents(s.app, batch, { authorization: `Bearer ${token}` })).statusCode).toBe(200);
    await s.close();
  });

  it('refuses tokens of an app key that is no longer accepted', async () => {
    const s = await testServer({ appKeys: ['kept'] });
    const old = issueToken(tokenKey(SECRET), 'retired', T0, 3600).token;
    await expectRejected(s, { authorization: `Bearer ${old}` }, /no longer accepted/);
    await s.close();
  });

  it('keeps the secret-key routes from device tokens', async () => {
    const s = await testServer();
    const token = await deviceToken(s.app);
    for (const [method, url] of [['GET', '/v1/items/features'], ['GET', '/v1/export/events'], ['DELETE', '/v1/installs/x']] as const) {
      const asDevice = await s.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
      expect(asDevice.statusCode, url).toBe(401);
      expect(asDevice.json().error).toBe('Unauthorized');
      expect((await s.app.inject({ method, url })).statusCode, url).toBe(401);
      expect((await s.app.inject({ method, url, headers: keyAuth })).statusCode, url).toBe(200);
    }
    await s.close();
  });

  it('counts auth rejections in the metrics', async () => {
    const s = await testServer();
    await postEvents(s.app, batch, {});
    await postEvents(s.app, batch, { authorization: 'Key nope-nope-nope-nope' });
    const m = (await s.app.inject({ method: 'GET', url: '/v1/metrics' })).json();
    expect(m.ingest.rejected.auth).toBe(2);
    await s.close();
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once a token has spent its bucket, and lets it refill', async () => {
    const s = await testServer({ rateLimit: { perIp: { perSecond: 0 }, perToken: { perSecond: 0.5, burst: 3 } } });
    const token = await deviceToken(s.app);
    const auth = { authorization: `Bearer ${token}` };
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await postEvents(s.app, pseudonymous(`batch-rate-${i}0`, events(1)), auth)).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await postEvents(s.app, pseudonymous('batch-rate-x0', events(1)), auth);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(limited.json()).toMatchObject({ error: 'RateLimited' });
    // Another device has its own bucket; the server key is not limited at all.
    expect((await postEvents(s.app, pseudonymous('batch-rate-y0', events(1)), { authorization: `Bearer ${await deviceToken(s.app)}` })).statusCode).toBe(200);
    expect((await postEvents(s.app, pseudonymous('batch-rate-z0', events(1)), keyAuth)).statusCode).toBe(200);
    s.clock.now += 2000;
    expect((await postEvents(s.app, pseudonymous('batch-rate-w0', events(1)), auth)).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'GET', url: '/v1/metrics' })).json().ingest.rejected.rate).toBe(2);
    expect(await s.store.stats()).toMatchObject({ batches: 6 });
    await s.close();
  });

  it('limits each address, token requests included', async () => {
    const s = await testServer({ rateLimit: { perIp: { perSecond: 1, burst: 2 }, perToken: { perSecond: 0 } } });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await s.app.inject({ method: 'POST', url: '/v1/tokens', headers: { 'x-ondeck-app': APP_KEY } })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
    await s.close();
  });
});

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PromptStore, parseWav } from '../../media/prompts.ts';
import { ADMIN_PASSWORD, type TestApp, testApp } from '../support/app.ts';
import { peakFrequency, toneWav } from '../media/helpers/audio.ts';

/** Admins' recordings of prompts through the REST API (the files rtpengine plays: media/prompts.ts PromptStore). */
describe('recorded prompts', () => {
  let t: TestApp;
  let admin: { authorization: string };
  beforeEach(async () => {
    t = await testApp('pglite');
    admin = await t.auth('admin', ADMIN_PASSWORD);
  });
  afterEach(async () => {
    await t?.close();
  });

  const put = (url: string, body: Buffer, headers: object = admin, type = 'audio/wav') =>
    t.app.inject({ method: 'PUT', url, payload: body, headers: { ...headers, 'content-type': type } });

  it('stores a recording as 8 kHz mono, lists it, plays it back, and deletes it', async () => {
    // a 16 kHz recording of a 1 kHz tone, 1.5 s
    const res = await put('/api/prompts/en/welcome-sales', toneWav(1000, 1.5, 16000));
    expect(res.statusCode, res.body).toBe(204);
    const file = path.join(t.dataDir, 'prompts-custom', 'en', 'welcome-sales.wav');
    const pcm = parseWav(readFileSync(file))!;
    expect(pcm.rate).toBe(8000);
    expect(pcm.samples.length / 2 / 8000).toBeCloseTo(1.5, 1);
    expect(new PromptStore(t.dataDir).resolve('welcome-sales', 'en')).toBe(file);
    const list = (await t.app.inject({ method: 'GET', url: '/api/prompts', headers: admin })).json().items;
    expect(list).toContainEqual({ name: 'welcome-sales', language: 'en', shipped: false, custom: true });
    const back = await t.app.inject({ method: 'GET', url: '/api/prompts/en/welcome-sales', headers: admin });
    expect(back.statusCode).toBe(200);
    expect(back.headers['content-type']).toBe('audio/wav');
    const heard = parseWav(back.rawPayload)!;
    const samples = Array.from({ length: heard.samples.length / 2 }, (_, i) => heard.samples.readInt16LE(i * 2));
    expect(Math.abs(peakFrequency(samples, 8000) - 1000)).toBeLessThan(20);
    // a prompt text "@<name>" plays the recording (what IVR menus and the console's Listen do), not speech of the words
    const played = await t.app.inject({ method: 'POST', url: '/api/speech', payload: { text: ' @welcome-sales ', language: 'en' }, headers: admin });
    expect(played.statusCode).toBe(200);
    expect(played.rawPayload.equals(back.rawPayload)).toBe(true);
    const missing = await t.app.inject({ method: 'POST', url: '/api/speech', payload: { text: '@nothing-here', language: 'en' }, headers: admin });
    expect(missing.json()).toMatchObject({ statusCode: 422, field: 'body.text', message: 'body.text: no recording "nothing-here" in "en"' });
    // a name with a folder part, as the shipped numbers have (n/3)
    expect((await put('/api/prompts/et/menus/main', toneWav(500, 0.5))).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/prompts/en/welcome-sales', headers: admin })).statusCode).toBe(204);
    expect(existsSync(file)).toBe(false);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/prompts/en/welcome-sales', headers: admin })).json()).toMatchObject({ code: 'ERR_NOT_FOUND', message: 'no recording of "welcome-sales" in "en"' });
    expect((await t.app.inject({ method: 'GET', url: '/api/prompts/en/welcome-sales', headers: admin })).statusCode).toBe(404);
  });

  it('refuses what is not audio, a bad name or language, another content type, and anyone but an admin, naming the problem', async () => {
    const garbage = await put('/api/prompts/en/x', Buffer.from('RIFF....WAVEnot really'));
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json()).toMatchObject({ field: 'body', message: expect.stringMatching(/^body: the recording for "x" is not audio sox can read as WAV \(.*\)$/) });
    expect(garbage.json().message).not.toContain('/'); // (no path of the server's)
    const name = await put('/api/prompts/en/Bad%20Name', toneWav(440, 0.2));
    expect(name.statusCode).toBe(400);
    expect(name.json()).toMatchObject({ field: 'params.name', message: 'params.name: prompt name "Bad Name" is not a name like "please-hold" or "n/3"' });
    const escape = await put('/api/prompts/en/..%2F..%2Fsecret', toneWav(440, 0.2));
    expect(escape.statusCode).toBe(400);
    expect((await put('/api/prompts/english/x', toneWav(440, 0.2))).statusCode).toBe(400);
    expect((await put('/api/prompts/en/x', toneWav(440, 0.2), admin, 'text/plain')).json()).toMatchObject({ statusCode: 400, message: 'body: send the recording as a WAV file with Content-Type audio/wav' });
    expect((await put('/api/prompts/en/x', Buffer.alloc(0))).statusCode).toBe(400);
    await t.app.inject({ method: 'POST', url: '/api/users', payload: { login: 'sue', name: 'Sue', password: 'sue-password', role: 'supervisor' }, headers: admin });
    const sue = await t.auth('sue', 'sue-password');
    expect((await put('/api/prompts/en/x', toneWav(440, 0.2), sue)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/prompts', headers: sue })).statusCode).toBe(200);
    expect(existsSync(path.join(t.dataDir, 'prompts-custom', 'en', 'x.wav'))).toBe(false);
  });
});

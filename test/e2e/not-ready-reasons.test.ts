import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { type Harness, createAgent, eventually, startCallCenter, supervisorToken } from './support/harness.ts';

/**
 * Not-ready reasons ("aux codes"): an admin's list, the only reasons an agent may give (by the API and by the desk's
 * socket); the wall-board shows the label and flags an agent away longer than the reason allows; the not-ready
 * report adds up the time by agent and reason.
 */
describe('not-ready reasons', () => {
  let h: Harness;
  let anna: { id: number; token: string };
  let sue: string;

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 47600, rtpPortMax: 47699 });
    const a = await createAgent(h, { login: 'anna', name: 'Anna', languages: { en: 5 }, skills: {} });
    anna = { id: a.id, token: await h.login('anna', a.password) };
    sue = await supervisorToken(h);
  }, 60_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await h?.close();
  });

  const state = (body: object) => h.api('PUT', '/api/agent/state', body, anna.token);
  const annaOnBoard = async () => ((await h.api('GET', '/api/wallboard', undefined, sue)).body.agents as Array<Record<string, unknown>>).find((a) => a.id === anna.id)!;

  it('agents read the list and may give only its reasons; admins change it', async () => {
    const first = await h.api('GET', '/api/not-ready-reasons', undefined, anna.token);
    expect(first.status).toBe(200);
    expect(first.body.source).toBe('default');
    expect(first.body.items.map((r: { code: string }) => r.code)).toEqual(['break', 'lunch', 'training', 'other']);

    const coffee = await state({ state: 'not-ready', reason: 'coffee' });
    expect(coffee.status).toBe(400);
    expect(coffee.body.message).toBe('reason "coffee" is not one of the not-ready reasons: break, lunch, training, other');
    expect((await state({ state: 'not-ready' })).status).toBe(200); // (none given: the server's own "not-ready")

    const items = [
      { code: 'break', label: 'Short break', maxMinutes: 1 },
      { code: 'meeting', label: 'Team meeting', maxMinutes: null },
    ];
    expect((await h.api('PUT', '/api/not-ready-reasons', { items }, sue)).status).toBe(403);
    const bad = async (list: object[], message: string) => {
      const r = await h.api('PUT', '/api/not-ready-reasons', { items: list }, h.admin);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.message).toContain(message);
    };
    await bad([items[0]!, items[0]!], 'body.items[1].code: "break" appears twice');
    await bad([{ code: 'supervisor', label: 'Boss', maxMinutes: null }], "is the server's own");
    await bad([{ code: 'Coffee Time', label: 'x', maxMinutes: null }], 'code');
    await bad([], 'items');
    const set = await h.api('PUT', '/api/not-ready-reasons', { items }, h.admin);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ items, source: 'database' });
    expect((await state({ state: 'not-ready', reason: 'lunch' })).body.message).toContain('break, meeting');

    // the desk's socket is held to the same list
    const desk = new WebSocket(`${h.baseUrl.replace('http', 'ws')}/ws/agent?token=${anna.token}`);
    const told: Array<{ type: string; message?: string }> = [];
    desk.on('message', (m) => told.push(JSON.parse(String(m))));
    await new Promise((r) => desk.once('open', r));
    desk.send(JSON.stringify({ type: 'not-ready', reason: 'lunch' }));
    await eventually(() => told.find((m) => m.type === 'error'), 5000, 'the refusal');
    expect(told.find((m) => m.type === 'error')!.message).toBe('reason "lunch" is not one of the not-ready reasons: break, meeting');
    desk.close();
  });

  it('the wall-board shows the label and flags a break longer than its limit; the report adds up the time by reason', async () => {
    expect((await state({ state: 'not-ready', reason: 'break' })).status).toBe(200);
    expect(await annaOnBoard()).toMatchObject({ state: 'not-ready', reason: 'break', reasonLabel: 'Short break', overLimit: false });
    // (two minutes on a one-minute break, as the desk's clock tells the board)
    const desk = h.server.center.desk;
    const since = desk.stateSince.bind(desk);
    vi.spyOn(desk, 'stateSince').mockImplementation((id) => (id === String(anna.id) ? Date.now() - 120_000 : since(id)));
    expect(await annaOnBoard()).toMatchObject({ reasonLabel: 'Short break', overLimit: true });
    vi.restoreAllMocks();

    expect((await state({ state: 'not-ready', reason: 'meeting' })).status).toBe(200);
    expect(await annaOnBoard()).toMatchObject({ reason: 'meeting', reasonLabel: 'Team meeting', overLimit: false });
    expect((await state({ state: 'ready' })).status).toBe(200);
    expect(await annaOnBoard()).toMatchObject({ state: 'ready', reason: '', reasonLabel: '', overLimit: false });

    const report = await h.api('GET', `/api/reports/not-ready?interval=total&agentId=${anna.id}`, undefined, sue);
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    const rows = report.body.rows as Array<{ agent: string; reason: string; reasonLabel: string; times: number; seconds: number }>;
    expect(rows.map((r) => [r.agent, r.reason, r.reasonLabel, r.times]).sort()).toEqual([
      ['Anna', 'break', 'Short break', 1],
      ['Anna', 'login', 'Just logged in', 1],
      ['Anna', 'meeting', 'Team meeting', 1],
      ['Anna', 'not-ready', 'Not ready', 1],
    ]);
    const csv = await fetch(`${h.baseUrl}/api/reports/not-ready?interval=total&format=csv`, { headers: { authorization: `Bearer ${sue}` } });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe('agent,start,reason,reasonLabel,times,seconds');
    expect(lines.some((l) => l.startsWith('Anna,') && l.includes(',meeting,Team meeting,1,'))).toBe(true);
    expect((await h.api('GET', '/api/reports/not-ready', undefined, anna.token)).status).toBe(403);
  });
});

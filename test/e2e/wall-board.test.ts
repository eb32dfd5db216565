import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { BaresipPhone, makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, createAgent, deskPhone, eventually, startCallCenter, signInBoard } from './support/harness.ts';

/**
 * The supervisors' wall-board, live: a desk-phone agent, a caller dialling the queue from another phone, and the
 * board in Chromium (/supervisor/, fed by /ws/supervisor) and over REST (GET /api/wallboard) as calls wait, are
 * answered and are abandoned.
 */
describe('supervisor wall-board', () => {
  let h: Harness;
  let dir: string;
  let anna: BaresipPhone | undefined;
  let kiosk: BaresipPhone | undefined;
  let board: TestBrowser | undefined;
  let annaToken: string;
  let sue: string;

  const state = async (want: 'ready' | 'not-ready') => {
    const r = await h.api('PUT', '/api/agent/state', { state: want, reason: 'break' }, annaToken);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const view = async () => {
    await h.server.center!.log.flush();
    const r = await h.api('GET', '/api/wallboard', undefined, sue);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const sales = async () => (await view()).queues.find((q: { name: string }) => q.name === 'sales');
  const tile = (testId: string) => board!.page.getByTestId('wb-queue-sales').getByTestId(testId);
  const text = async (testId: string) => (await tile(testId).textContent()) ?? '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-wallboard-'));
    makeTone(path.join(dir, 'tone-440.wav'), 440);
    h = await startCallCenter({ rtpPortMin: 44800, rtpPortMax: 44899 });
    await h.api('POST', '/api/skills', { name: 'support' }, h.admin);
    const q = await h.api('POST', '/api/queues', {
      name: 'sales', skills: { support: 1 }, ringTimeoutSeconds: 6, wrapUpSeconds: 0, serviceLevel: { thresholdSeconds: 20, target: 0.8 },
    }, h.admin);
    expect(q.status).toBe(201);
    const a = await createAgent(h, { login: 'anna', name: 'Anna', languages: { en: 5 }, sipUser: '1901' });
    const k = await createAgent(h, { login: 'kiosk', name: 'Kiosk', languages: {}, skills: {}, sipUser: '3091' });
    annaToken = await h.login('anna', a.password);
    const u = await h.api('POST', '/api/users', { login: 'sue', name: 'Sue', password: 'sue-password-1', role: 'supervisor' }, h.admin);
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    sue = await h.login('sue', 'sue-password-1');
    anna = await deskPhone(h, dir, { user: '1901', password: a.sipPassword, port: 5902, tone: 1000, answer: 'auto' });
    kiosk = await deskPhone(h, dir, { user: '3091', password: k.sipPassword, port: 5906, tone: 700, answer: 'auto' });
  }, 120_000);

  afterAll(async () => {
    await board?.close();
    await anna?.stop();
    await kiosk?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is for supervisors and admins only, and refuses a bad period', async () => {
    expect((await h.api('GET', '/api/wallboard')).status).toBe(401);
    const agent = await h.api('GET', '/api/wallboard', undefined, annaToken);
    expect(agent.status).toBe(403);
    expect((await h.api('GET', '/api/wallboard', undefined, h.admin)).status).toBe(200);
    const future = await h.api('GET', `/api/wallboard?since=${new Date(Date.now() + 3_600_000).toISOString()}`, undefined, sue);
    expect(future.status).toBe(400);
    expect(future.body.message).toMatch(/since/);
    const junk = await h.api('GET', '/api/wallboard?since=yesterday', undefined, sue);
    expect(junk.status).toBe(400);
    expect(junk.body.message).toMatch(/since/);
    // the live channel too: an agent's token is refused with a message and close code 4401
    const ws = new WebSocket(`${h.baseUrl.replace(/^http/, 'ws')}/ws/supervisor?token=${encodeURIComponent(annaToken)}`);
    const [message, code] = await new Promise<[string, number]>((resolve, reject) => {
      let first = '';
      ws.on('message', (d) => (first ||= String(d)));
      ws.on('close', (c) => resolve([first, c]));
      ws.on('error', reject);
    });
    expect(code).toBe(4401);
    expect(JSON.parse(message)).toMatchObject({ type: 'error', message: expect.stringMatching(/supervisors/) });
  });

  it('shows a caller waiting, then answered within the service level, then an abandon, live in the browser and over REST', async () => {
    board = await launchBrowser(path.join(dir, 'tone-440.wav'));
    const page = board.page;
    await signInBoard(page, h, 'sue', 'sue-password-1');
    await eventually(async () => (await text('wb-waiting')) === '0', 10_000, 'the sales tile');
    expect(await page.getByTestId('wb-live').textContent()).toBe('live');

    await state('not-ready');
    await eventually(async () => (await page.getByTestId('wb-agent-Anna').getByTestId('wb-agent-state').textContent()) === 'not ready', 10_000, 'Anna not ready on the board');
    expect(await tile('wb-queue-agents').textContent()).toBe('1 not ready');

    // a caller waits: the board counts them and their wait goes up by itself
    await kiosk!.command('dial', `sip:sales@127.0.0.1:${h.sipPort}`);
    await eventually(async () => (await text('wb-waiting')) === '1', 10_000, 'one caller waiting on the board');
    await eventually(async () => /^0:0[2-9]$/.test(await text('wb-longest')), 10_000, 'the longest wait ticking');
    const waiting = await sales();
    expect(waiting).toMatchObject({ waiting: 1, offered: 1, answered: 0, serviceLevelPercent: null });
    expect(waiting.longestWaitSeconds).toBeGreaterThanOrEqual(1);
    expect((await view()).totals).toMatchObject({ waiting: 1 });

    // Anna takes it (her phone answers): waiting 0, answered within 20 s, Anna talking on a sales call
    await state('ready');
    await anna!.waitEvent('CALL_ESTABLISHED');
    await eventually(async () => (await text('wb-answered')) === '1', 10_000, 'answered on the board');
    expect(await text('wb-waiting')).toBe('0');
    expect(await text('wb-sl')).toBe('100%');
    expect(await tile('wb-sl').getAttribute('data-met')).toBe('yes');
    const annaRow = page.getByTestId('wb-agent-Anna');
    await eventually(async () => (await annaRow.getByTestId('wb-agent-state').textContent()) === 'talking', 10_000, 'Anna talking');
    expect(await annaRow.textContent()).toContain('sales');
    const answered = await sales();
    expect(answered).toMatchObject({ waiting: 0, longestWaitSeconds: null, answered: 1, answeredInThreshold: 1, serviceLevelPercent: 100 });
    expect(answered.asaSeconds).toBeGreaterThanOrEqual(1);
    expect(answered.asaSeconds).toBeLessThan(20);
    expect(answered.agents).toMatchObject({ busy: 1, ready: 0 });
    await kiosk!.command('hangup');
    await anna!.waitEvent('CALL_CLOSED');

    // a second caller gives up while Anna is on a break: an abandon, which the offered-based level counts
    await state('not-ready');
    await kiosk!.command('dial', `sip:sales@127.0.0.1:${h.sipPort}`);
    await eventually(async () => (await text('wb-waiting')) === '1', 10_000, 'the second caller waiting');
    await kiosk!.command('hangup');
    await eventually(async () => (await text('wb-abandoned')) === '1', 10_000, 'the abandon on the board');
    expect(await text('wb-waiting')).toBe('0');
    expect(await page.getByTestId('wb-total-abandoned').textContent()).toBe('1 (50%)');
    const end = await sales();
    expect(end).toMatchObject({
      offered: 2, answered: 1, answeredInThreshold: 1, abandoned: 1,
      serviceLevelPercent: 100, serviceLevelOfferedPercent: 50, abandonPercent: 50, thresholdSeconds: 20, target: 0.8,
    });
    const annaNow = (await view()).agents.find((a: { name: string }) => a.name === 'Anna');
    expect(annaNow).toMatchObject({ state: 'not-ready', reason: 'break', reasonLabel: 'Break', overLimit: false, callId: null });
    expect(Date.now() - Date.parse(annaNow.since)).toBeLessThan(60_000);
    // the same day in the history report, as JSON and as CSV (handle time: the answered call's talk)
    const report = await h.api('GET', '/api/reports/queues?interval=total', undefined, sue);
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    const row = report.body.rows.find((r: { queue: string }) => r.queue === 'sales');
    expect(row).toMatchObject({ offered: 2, answered: 1, abandoned: 1, serviceLevelPercent: 100, handled: 1 });
    expect(row.ahtSeconds).toBeGreaterThan(0);
    const csv = await fetch(`${h.baseUrl}/api/reports/queues?interval=hour&format=csv`, { headers: { authorization: `Bearer ${sue}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="queues-.*-hour\.csv"/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('queue,start,offered,answered,answeredInThreshold,serviceLevelPercent,serviceLevelOfferedPercent,asaSeconds,abandoned,abandonPercent,overflowed,missedOffers,callbacksRequested,callbacksFailed,voicemailsLeft,handled,ahtSeconds,surveys,surveyAverage,csatPercent');
    const cells = lines.slice(1).map((l) => l.split(',')).filter((c) => c[0] === 'sales');
    expect(cells.reduce((n, c) => n + Number(c[2]), 0)).toBe(2); // offered, over the hours the calls fell in
    // and on the page: the week by day (today's row), the day by hour, and the CSV download
    await page.getByTestId('history-interval').selectOption('day');
    await page.getByTestId('history-show').click();
    const dayRow = page.getByTestId('history-rows').getByTestId('history-sales');
    await eventually(async () => (await dayRow.count()) === 1, 10_000, "the day's row in the history");
    const dayCells = await dayRow.locator('td').allTextContents();
    expect(dayCells.slice(1, 5)).toEqual(['sales', '2', '1', '100%']);
    // the chart has the week's seven days, one of them with a call answered and one abandoned
    const heights = async (cls: string) =>
      page.getByTestId('history-chart').locator(`rect.${cls}`).evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    expect((await heights('answered')).length).toBe(7);
    expect((await heights('answered')).filter((x) => x > 0).length).toBe(1);
    expect((await heights('abandoned')).filter((x) => x > 0).length).toBe(1);
    await page.getByTestId('history-interval').selectOption('hour');
    await page.getByTestId('history-show').click();
    await eventually(async () => (await heights('answered')).length === 24, 10_000, 'the hourly chart');
    const hourly = await page.getByTestId('history-rows').getByTestId('history-sales').all();
    let offeredByHour = 0;
    for (const r of hourly) offeredByHour += Number(await r.locator('td').nth(2).textContent());
    expect(offeredByHour).toBe(2);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^queues-.*-hour\.csv$/);
    const file = path.join(dir, 'history.csv');
    await download.saveAs(file);
    expect(readFileSync(file, 'utf8').split('\r\n')[0]).toMatch(/^queue,start,offered,answered,/);
    // the 30 days up to today as a whole: a row per queue, and a bar per queue
    await page.getByTestId('history-period').selectOption('30');
    await page.getByTestId('history-interval').selectOption('total');
    await page.getByTestId('history-show').click();
    await eventually(async () => (await heights('answered')).length === report.body.rows.length || undefined, 10_000, 'a bar per queue');
    const whole = page.getByTestId('history-rows').getByTestId('history-sales');
    expect(await whole.count()).toBe(1);
    expect((await whole.locator('td').allTextContents()).slice(1, 5)).toEqual(['sales', '2', '1', '100%']);
    await page.getByTestId('history-period').selectOption('1');
    await page.getByTestId('history-interval').selectOption('hour');
    // the agents' history of the day: Anna handled one conversation
    await page.getByTestId('history-of').selectOption('agents');
    await page.getByTestId('history-interval').selectOption('day');
    await page.getByTestId('history-show').click();
    const annaHistory = page.getByTestId('history-rows').getByTestId('history-Anna');
    await eventually(async () => (await annaHistory.count()) === 1, 10_000, "Anna's row in the history");
    expect((await annaHistory.locator('td').allTextContents()).slice(1, 3)).toEqual(['Anna', '1']);

    // Anna's day: the conversation she handled, the time she spent ringing, talking, ready and on a break
    const agentsReport = await h.api('GET', '/api/reports/agents?interval=total', undefined, sue);
    expect(agentsReport.status, JSON.stringify(agentsReport.body)).toBe(200);
    const annaDay = agentsReport.body.rows.find((r: { agent: string }) => r.agent === 'Anna');
    expect(annaDay).toMatchObject({ handled: 1, missedOffers: 0 });
    expect(annaDay.handlingSeconds).toBeGreaterThan(0);
    expect(annaDay.talkSeconds).toBeGreaterThan(0);
    expect(annaDay.notReadySeconds).toBeGreaterThan(0);
    expect(annaDay.occupancyPercent).toBeGreaterThan(0);
    expect(annaDay.occupancyPercent).toBeLessThanOrEqual(100);
    expect(annaDay.loggedInSeconds).toBeCloseTo(annaDay.readySeconds + annaDay.ringingSeconds + annaDay.handlingSeconds + annaDay.notReadySeconds, 0);
    const agentsCsv = await fetch(`${h.baseUrl}/api/reports/agents?format=csv&interval=day`, { headers: { authorization: `Bearer ${sue}` } });
    expect((await agentsCsv.text()).split('\r\n')[0]).toBe('agent,start,handled,ahtSeconds,missedOffers,talkSeconds,wrapUpSeconds,readySeconds,ringingSeconds,handlingSeconds,notReadySeconds,loggedInSeconds,occupancyPercent,surveys,surveyAverage,csatPercent');
    expect((await h.api('GET', '/api/reports/agents', undefined, annaToken)).status).toBe(403);

    // planning on the page: the staffing calculator, and a what-if run of the live configuration
    await page.getByTestId('staffing-rate').fill('120');
    await page.getByTestId('staffing-handle').fill('240');
    await page.getByTestId('staffing-run').click();
    await eventually(async () => /^\d+ agents: /.test((await page.getByTestId('staffing-result').textContent()) ?? ''), 10_000, 'the staffing result');
    const needed = Number(((await page.getByTestId('staffing-result').textContent()) ?? '').split(' ')[0]);
    expect(needed).toBeGreaterThanOrEqual(9); // 120 calls × 240 s = 8 Erlangs: at least 9 agents
    await page.getByTestId(`staffing-${needed}`).waitFor();
    await page.getByTestId('whatif-hours').fill('2');
    await page.getByTestId('whatif-load').click();
    await eventually(async () => (await page.getByTestId('whatif-scenario').inputValue()).includes('"id": "sales"'), 10_000, 'the scenario');
    await page.getByTestId('whatif-run').click();
    const simRow = page.getByTestId('whatif-rows').getByTestId('whatif-sales');
    await simRow.waitFor({ timeout: 30_000 });
    expect(Number(await simRow.locator('td').nth(1).textContent())).toBeGreaterThan(0);
    expect(await page.getByTestId('whatif-unserved').isHidden()).toBe(true);
    // with nobody staffed, the page says which queue's calls no one could take
    const staffed = JSON.parse(await page.getByTestId('whatif-scenario').inputValue()) as { agentGroups: Array<{ count: number }> };
    for (const g of staffed.agentGroups) g.count = 0;
    await page.getByTestId('whatif-scenario').fill(JSON.stringify(staffed));
    await page.getByTestId('whatif-run').click();
    await eventually(async () => /^Never answered, since no agent in the scenario can take them: sales \d+\.$/.test((await page.getByTestId('whatif-unserved').textContent()) ?? ''), 30_000, 'the unserved warning');
    await page.getByTestId('whatif-scenario').fill('{"seed": 1}');
    await page.getByTestId('whatif-run').click();
    await eventually(async () => /scenario\.durationSeconds: is required/.test((await page.getByTestId('planning-error').textContent()) ?? ''), 10_000, 'the scenario error');

    // a report is for supervisors and admins, over a bounded period, in a real time zone
    expect((await h.api('GET', '/api/reports/queues', undefined, annaToken)).status).toBe(403);
    const backwards = await h.api('GET', `/api/reports/queues?from=${new Date().toISOString()}&to=2026-01-01T00:00:00Z`, undefined, sue);
    expect(backwards.status).toBe(400);
    expect(backwards.body.message).toMatch(/from must be before to/);
    const tooLong = await h.api('GET', '/api/reports/queues?interval=hour&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z', undefined, sue);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toMatch(/at most 31 days/);
    const mars = await h.api('GET', '/api/reports/queues?timeZone=Mars/Olympus', undefined, sue);
    expect(mars.status).toBe(400);
    expect(mars.body.message).toMatch(/timeZone/);
    expect((await h.api('GET', '/api/reports/queues?interval=week', undefined, sue)).status).toBe(400);

    // a supervisor logs Anna out from her row; only supervisors and admins may, and only to not ready or out
    const annaId = annaNow.id;
    expect((await h.api('PUT', `/api/agents/${annaId}/state`, { state: 'logged-out' }, annaToken)).status).toBe(403);
    expect((await h.api('PUT', '/api/agents/9999/state', { state: 'logged-out' }, sue)).status).toBe(404);
    expect((await h.api('PUT', `/api/agents/${annaId}/state`, { state: 'ready' }, sue)).status).toBe(400);
    await page.getByTestId('wb-agent-Anna').getByTestId('wb-agent-logged-out').click();
    await eventually(async () => (await page.getByTestId('wb-agent-Anna').count()) === 0, 10_000, 'Anna logged out on the board');
    expect(await page.getByTestId('wb-agents-away').textContent()).toBe('(2 logged out)');
    expect((await h.api('GET', '/api/agent/state', undefined, annaToken)).body.state).toBe('logged-out');
    const outAlready = await h.api('PUT', `/api/agents/${annaId}/state`, { state: 'not-ready' }, sue);
    expect(outAlready.status).toBe(409);
    expect(outAlready.body.message).toMatch(/logged out/);

    // outside its opening hours the queue takes no new call: the browser is told when it opens, a phone gets 480
    const tomorrow = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(new Date().getUTCDay() + 1) % 7]!;
    const salesId = (await sales()).id;
    const hours = await h.api('PATCH', `/api/queues/${salesId}`, { openingHours: { timeZone: 'UTC', days: { [tomorrow]: [{ from: '10:00', to: '11:00' }] } } }, h.admin);
    expect(hours.status, JSON.stringify(hours.body)).toBe(200);
    await eventually(async () => (await tile('wb-closed').count()) === 1, 10_000, 'the closed badge');
    const closed = await h.api('POST', '/api/public/calls', { queue: 'sales', language: 'en', page: { url: 'https://shop/x', title: 'X' } });
    expect(closed.status).toBe(409);
    expect(closed.body).toMatchObject({ code: 'ERR_CLOSED', field: 'body.queue' });
    expect(closed.body.message).toBe(`Sorry, we are closed. We open again ${tomorrow[0]!.toUpperCase()}${tomorrow.slice(1)} 10:00 (UTC).`);
    const seen = kiosk!.events.length;
    await kiosk!.command('dial', `sip:sales@127.0.0.1:${h.sipPort}`);
    const refused = await eventually(() => kiosk!.events.slice(seen).find((e) => e.type === 'CALL_CLOSED'), 10_000, "the phone's call refused");
    expect(refused.param).toMatch(/480/);
    expect((await sales()).offered).toBe(2);
    expect((await h.api('PATCH', `/api/queues/${salesId}`, { openingHours: null }, h.admin)).status).toBe(200);
    await eventually(async () => (await tile('wb-closed').count()) === 0, 10_000, 'open again');

    // figures count from the start of the period: from now on, nothing yet
    const later = await h.api('GET', `/api/wallboard?since=${encodeURIComponent(new Date().toISOString())}`, undefined, sue);
    expect(later.body.queues[0]).toMatchObject({ offered: 0, answered: 0, serviceLevelPercent: null });
  }, 120_000);
});

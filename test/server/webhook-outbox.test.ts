import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/connect.ts';
import { SecretBox } from '../../server/auth/secret-box.ts';
import { Webhooks } from '../../server/calls/webhooks.ts';
import { type ScratchDatabase, scratchDatabase } from '../support/databases.ts';
import { eventually } from '../e2e/support/harness.ts';

/**
 * The webhook's outbox: what a server could not deliver (the receiver down) is kept in the database and sent, in
 * order and with the same ids, when the server starts again; another server's events stay its own.
 */
describe('webhook outbox', () => {
  let scratch: ScratchDatabase | undefined;
  let database: DatabaseHandle | undefined;
  let receiver: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
    await database?.close();
    await scratch?.drop();
  });

  it('keeps what waits across a restart and sends it first, in order, once', async () => {
    scratch = await scratchDatabase('pglite');
    database = await scratch.open();
    const db = database.db;
    let up = false;
    const got: Array<{ id: string; event: string; callId: string }> = [];
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (!up) return void res.writeHead(503).end();
        got.push(...(JSON.parse(body).events as typeof got));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const deps = { db, box: new SecretBox(randomBytes(32)), logger: pino({ level: 'silent' }) };
    const rows = async (node: string) => (await db.selectFrom('webhook_outbox').select('event_id').where('node', '=', node).orderBy('seq').execute()).map((r) => r.event_id);

    const first = new Webhooks({ ...deps, node: 'n1' });
    await first.load();
    await first.configure({ url, secret: null, events: null });
    for (const callId of ['c1', 'c2', 'c3']) first.enqueue({ event: 'ENTERQUEUE', callId, queueId: 1 });
    await eventually(() => first.stats.failures > 0, 5000, 'a failed delivery');
    await first.close(); // (the server stops with three events undelivered)
    expect(await rows('n1')).toHaveLength(3);

    // another server sharing the database has its own
    const other = new Webhooks({ ...deps, node: 'n2' });
    await other.load();
    other.enqueue({ event: 'ABANDON', callId: 'x1', queueId: 1 });
    await eventually(() => other.stats.failures > 0, 5000, "the other server's failed delivery");
    await other.close();
    expect(await rows('n2')).toHaveLength(1);

    up = true;
    const again = new Webhooks({ ...deps, node: 'n1' });
    await again.load();
    await eventually(() => got.length === 3, 10_000, 'the three events delivered after the restart');
    expect(got.map((e) => e.callId)).toEqual(['c1', 'c2', 'c3']);
    expect(new Set(got.map((e) => e.id)).size).toBe(3);
    await eventually(async () => (await rows('n1')).length === 0, 5000, 'the outbox emptied');
    expect(await rows('n2')).toHaveLength(1);

    // a new event goes straight through; turning the webhook off empties the server's outbox
    again.enqueue({ event: 'CONNECT', callId: 'c4', queueId: 1, agentId: 7 });
    await eventually(() => got.length === 4, 5000, 'the new event');
    up = false;
    again.enqueue({ event: 'COMPLETECALLER', callId: 'c4', queueId: 1, agentId: 7 });
    await eventually(async () => (await rows('n1')).length === 1, 5000, 'the waiting event stored');
    await again.configure({ url: null, secret: null, events: null });
    await again.close();
    expect(await rows('n1')).toEqual([]);
    expect(got.map((e) => e.event)).toEqual(['ENTERQUEUE', 'ENTERQUEUE', 'ENTERQUEUE', 'CONNECT']);
  }, 30_000);
});

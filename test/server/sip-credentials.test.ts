import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/connect.ts';
import { SipCredentialDirectory } from '../../server/calls/sip-credentials.ts';
import { type ScratchDatabase, scratchDatabase } from '../support/databases.ts';

describe('the browsers’ SIP credentials', () => {
  let scratch: ScratchDatabase | undefined;
  let database: DatabaseHandle | undefined;
  afterEach(async () => {
    await database?.close();
    await scratch?.drop();
  });

  it("revoking an agent's (disabled, deleted) removes every softphone credential of theirs and nobody else's", async () => {
    scratch = await scratchDatabase('pglite');
    database = await scratch.open();
    let now = 1_000_000;
    const dir = new SipCredentialDirectory(database.db, 'test.realm', () => now);
    const anna1 = dir.issue({ kind: 'agent', agentId: 7 }, 3600);
    const anna2 = dir.issue({ kind: 'agent', agentId: 7 }, 3600);
    const bob = dir.issue({ kind: 'agent', agentId: 8 }, 3600);
    const customer = dir.issue({ kind: 'customer', callId: 'c1' }, 3600);
    expect((await dir.lookup(anna1.username))?.agentId).toBe('7');
    dir.revokeAgent(7);
    expect(await dir.lookup(anna1.username)).toBeNull();
    expect(await dir.lookup(anna2.username)).toBeNull();
    expect(dir.ownerOf(anna2.username)).toBeNull();
    expect((await dir.lookup(bob.username))?.agentId).toBe('8');
    expect(dir.ownerOf(customer.username)).toEqual({ kind: 'customer', callId: 'c1' });
    now += 3601 * 1000; // and they expire as before
    expect(await dir.lookup(bob.username)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { TimerQueues, type TimerOwner } from '../../sip/transaction/timer-queues.ts';

class Owner implements TimerOwner {
  timerGen0 = 0;
  timerGen1 = 0;
  readonly fired: Array<{ kind: number; at: number }> = [];
  constructor(
    readonly name: string,
    private readonly log: string[],
    private readonly onFire?: (kind: number) => void,
  ) {}
  onTimer(kind: number): void {
    this.fired.push({ kind, at: performance.now() });
    this.log.push(`${this.name}:${kind}`);
    this.onFire?.(kind);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('transaction timer queues', () => {
  it('fires timers of one duration in start order, not before their time, and each once', async () => {
    const log: string[] = [];
    const q = new TimerQueues((e) => {
      throw e;
    });
    const owners = ['a', 'b', 'c'].map((n) => new Owner(n, log));
    const t0 = performance.now();
    for (const [i, o] of owners.entries()) {
      q.start(40, o, 1, i + 10);
      await sleep(5);
    }
    q.start(15, owners[0]!, 0, 99); // a shorter duration fires first
    await sleep(120);
    expect(log).toEqual(['a:99', 'a:10', 'b:11', 'c:12']);
    expect(owners[1]!.fired[0]!.at - t0).toBeGreaterThanOrEqual(40);
    q.close();
  });

  it('cancel and restart: only the latest timer of a slot fires; the other slot is independent', async () => {
    const log: string[] = [];
    const q = new TimerQueues((e) => {
      throw e;
    });
    const o = new Owner('o', log);
    q.start(20, o, 1, 1);
    q.start(20, o, 1, 2); // replaces kind 1 in slot 1
    q.start(20, o, 0, 3);
    q.cancel(o, 0);
    const p = new Owner('p', log);
    q.start(20, p, 0, 4);
    await sleep(80);
    expect(log).toEqual(['o:2', 'p:4']);
    q.close();
  });

  it('a timer started from inside a callback fires later; a throwing owner does not stop the others', async () => {
    const log: string[] = [];
    const errors: unknown[] = [];
    const q = new TimerQueues((e) => errors.push(e));
    const again = new Owner('again', log, (kind) => {
      if (kind === 1) q.start(20, again, 0, 2);
    });
    const bad = new Owner('bad', log, () => {
      throw new Error('boom');
    });
    q.start(20, bad, 0, 7);
    q.start(20, again, 0, 1);
    await sleep(100);
    expect(log).toEqual(['bad:7', 'again:1', 'again:2']);
    expect(errors).toHaveLength(1);
    q.close();
  });

  it('close() stops everything that is pending', async () => {
    const log: string[] = [];
    const q = new TimerQueues(() => {});
    q.start(20, new Owner('x', log), 0, 1);
    q.close();
    await sleep(50);
    expect(log).toEqual([]);
  });
});

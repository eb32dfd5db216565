import { describe, expect, it } from 'vitest';
import { IndexRows } from '../../acd/index-rows.ts';
import { Rng } from '../../acd/sim/prng.ts';
import { NO_DURATION, TimerQueue, timerHandle, timerKind, timerTarget } from '../../acd/timer-queue.ts';

interface Model {
  deadline: number;
  kind: number;
  order: number;
}

function earliest(model: Map<number, Model>): number {
  let best = -1;
  let b: Model | undefined;
  for (const [h, t] of model) {
    if (b === undefined || t.deadline < b.deadline || (t.deadline === b.deadline && (t.kind < b.kind || (t.kind === b.kind && t.order < b.order)))) {
      best = h;
      b = t;
    }
  }
  return best;
}

describe('timer queue', () => {
  it('fires timers in (deadline, kind, order) order through schedules, cancels, ring compaction and growth', () => {
    const rng = new Rng(3, 1);
    const q = new TimerQueue(new IndexRows());
    const handles: number[] = [];
    for (let i = 0; i < 600; i++) handles.push(timerHandle(i % 3, i));
    const model = new Map<number, Model>();
    const durations = [1000, 2500, NO_DURATION];
    let now = 0;
    let fired = 0;
    for (let step = 0; step < 40_000; step++) {
      now += Math.floor(rng.uniform() * 3);
      const r = rng.uniform();
      const h = handles[Math.floor(rng.uniform() * handles.length)]!;
      if (r < 0.5) {
        const duration = durations[Math.floor(rng.uniform() * durations.length)]!;
        // Mostly "now + duration"; now and then a deadline counted from an earlier start (goes to the heap).
        const deadline = duration === NO_DURATION ? now + Math.floor(rng.uniform() * 4000) : now + duration - (rng.uniform() < 0.1 ? 700 : 0);
        const order = Math.floor(rng.uniform() * 1000) * 1000 + h;
        q.schedule(h, deadline, order, duration);
        model.set(h, { deadline, kind: timerKind(h), order });
      } else if (r < 0.8) {
        q.remove(h);
        model.delete(h);
      } else {
        const want = earliest(model);
        expect(q.peek()).toBe(want);
        if (want >= 0) {
          expect(q.nextDeadline()).toBe(model.get(want)!.deadline);
          expect(q.due(model.get(want)!.deadline)).toBe(true);
          expect(q.due(model.get(want)!.deadline - 0.5)).toBe(false);
          expect(q.pop()).toBe(want);
          model.delete(want);
          fired++;
        } else {
          expect(q.nextDeadline()).toBe(Infinity);
          expect(q.due(now + 1e9)).toBe(false);
        }
      }
      expect(q.size).toBe(model.size);
      expect(q.scheduled(h)).toBe(model.has(h));
    }
    expect(new Set(q.all())).toEqual(new Set(model.keys()));
    for (const [h, t] of model) {
      expect(q.deadlineOf(h)).toBe(t.deadline);
      expect(q.orderOf(h)).toBe(t.order);
      expect(timerTarget(h)).toBe(handles.indexOf(h));
    }
    expect(fired).toBeGreaterThan(1000);
  });
});

/** The Planning section of the wall-board page: the staffing calculator and what-if runs of the simulator. */
import { fetchJson } from '../shared/http.ts';

interface Model { agents: number; serviceLevel: number; asa: number; abandonRate: number; occupancy: number }
interface SimQueue { offered: number; answered: number; serviceLevel: number; asa: number; abandoned: number }

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const secs = (x: number) => `${Math.round(x * 10) / 10} s`;

function rowOf(doc: Document, cells: string[], testId?: string): HTMLTableRowElement {
  const tr = doc.createElement('tr');
  if (testId) tr.dataset.testid = testId;
  for (const c of cells) {
    const td = doc.createElement('td');
    td.textContent = c;
    tr.append(td);
  }
  return tr;
}

/** Wires the section's forms; `token` gives the session's token for each request. */
export function wirePlanning(doc: Document, token: () => string): void {
  const $ = <T extends HTMLElement>(id: string) => doc.getElementById(id) as T;
  const error = $('planning-error');
  const fail = (e: unknown) => {
    error.textContent = e instanceof Error ? e.message : String(e);
    error.hidden = false;
  };
  const form = $<HTMLFormElement>('staffing-form');
  const num = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    error.hidden = true;
    const body = {
      ratePerHour: Number(num('ratePerHour')),
      handleSeconds: Number(num('handleSeconds')),
      serviceLevelSeconds: Number(num('serviceLevelSeconds')),
      targetServiceLevel: Number(num('target')) / 100,
      maxOccupancy: Number(num('maxOccupancy')) / 100,
      ...(num('patienceSeconds') ? { patienceSeconds: Number(num('patienceSeconds')) } : {}),
    };
    fetchJson<{ needed: Model; around: Model[] }>('/api/planning/staffing', { method: 'POST', body, token: token() }).then((r) => {
      $('staffing-result').textContent =
        `${r.needed.agents} agents: ${pct(r.needed.serviceLevel)} answered within ${body.serviceLevelSeconds} s, ASA ${secs(r.needed.asa)}, occupancy ${pct(r.needed.occupancy)}`;
      $('staffing-rows').replaceChildren(
        ...r.around.map((m) => rowOf(doc, [String(m.agents), pct(m.serviceLevel), secs(m.asa), pct(m.abandonRate), pct(m.occupancy)], `staffing-${m.agents}`)),
      );
    }, fail);
  });

  const scenario = $<HTMLTextAreaElement>('whatif-scenario');
  $('whatif-load').addEventListener('click', () => {
    error.hidden = true;
    const hours = Number($<HTMLInputElement>('whatif-hours').value) || 8;
    fetchJson<{ scenario: unknown; notes: string[] }>(`/api/planning/scenario?hours=${hours}`, { token: token() }).then((r) => {
      scenario.value = JSON.stringify(r.scenario, null, 2);
      $('whatif-notes').replaceChildren(
        ...r.notes.map((n) => {
          const li = doc.createElement('li');
          li.textContent = n;
          return li;
        }),
      );
    }, fail);
  });

  $('whatif-run').addEventListener('click', () => {
    error.hidden = true;
    let body: unknown;
    try {
      body = JSON.parse(scenario.value);
    } catch (e) {
      fail(new Error(`scenario: not JSON (${e instanceof Error ? e.message : String(e)})`));
      return;
    }
    $('whatif-rows').replaceChildren(rowOf(doc, ['running…']));
    const unserved = $('whatif-unserved');
    unserved.hidden = true;
    fetchJson<{ queues: Record<string, SimQueue>; unserved?: Record<string, number> }>('/api/planning/simulate', { method: 'POST', body, token: token() }).then(
      (r) => {
        $('whatif-rows').replaceChildren(
          ...Object.entries(r.queues).map(([name, q]) =>
            rowOf(doc, [name, String(q.offered), String(q.answered), pct(q.serviceLevel), secs(q.asa), String(q.abandoned)], `whatif-${name}`),
          ),
        );
        // calls no agent could ever take (and whose callers never hang up) are in Offered and nowhere else: say so
        const stuck = Object.entries(r.unserved ?? {});
        unserved.textContent = `Never answered, since no agent in the scenario can take them: ${stuck.map(([name, n]) => `${name} ${n}`).join(', ')}.`;
        unserved.hidden = stuck.length === 0;
      },
      (e: unknown) => {
        $('whatif-rows').replaceChildren();
        fail(e);
      },
    );
  });
}

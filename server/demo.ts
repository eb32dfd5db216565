import type { Kysely } from 'kysely';
import { createIvrMenu, getIvrMenuByName } from '../db/repositories/ivr-menus.ts';
import { createQueue, getQueueByName } from '../db/repositories/queues.ts';
import { upsertSipCredential } from '../db/repositories/sip-credentials.ts';
import { createSkill } from '../db/repositories/skills.ts';
import { createAgent, createUser, findUserByLogin } from '../db/repositories/users.ts';
import type { Database } from '../db/schema.ts';
import { computeHa1 } from '../sip/auth/ha1.ts';
import { hashPassword } from './auth/password.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

/** Demo agents: known passwords, for trying the product on one machine only (DEMO=true). */
const DEMO_AGENTS = [
  { login: 'mari', name: 'Mari Tamm', password: 'demo-mari', languages: { et: 5, en: 3 }, sip: '1001' },
  { login: 'john', name: 'John Smith', password: 'demo-john', languages: { en: 5, de: 2 }, sip: '1002' },
  { login: 'olga', name: 'Olga Ivanova', password: 'demo-olga', languages: { ru: 5, en: 3, et: 2 }, sip: '1003' },
] as const;

/**
 * DEMO=true on an empty configuration: a `support` queue that routes each call by the language the customer
 * chose, three agents who speak different languages, each with a browser login and a desk-phone account, and a
 * supervisor (sue / demo-sue) for the wall-board.
 */
export async function seedDemo(db: Kysely<Database>, config: Config, logger: Logger): Promise<void> {
  // (the supervisor also joins a demo database made before there was one)
  if ((await findUserByLogin(db, 'sue')) === undefined) {
    await createUser(db, { login: 'sue', name: 'Sue Supervisor', role: 'supervisor', passwordHash: await hashPassword('demo-sue') });
  }
  const existing = await getQueueByName(db, 'support');
  if (existing !== undefined) {
    // (and the menu joins a demo database made before there were menus)
    await seedDemoMenu(db, existing.id);
    return;
  }
  await createSkill(db, { name: 'support', description: 'General customer support' });
  const queue = await createQueue(db, {
    name: 'support',
    description: 'Demo: every language, routed by the language the customer chooses',
    skills: { support: 1 },
    strategy: 'longest-idle',
    wrapUpSeconds: 15,
    ringTimeoutSeconds: 15,
    serviceLevel: { thresholdSeconds: 20, target: 0.8 },
    // Nobody speaks the customer's language: after a minute, any agent may take the call.
    steps: [{ afterSeconds: 60, language: null }],
    dispositions: ['Resolved', 'Follow-up needed', 'Sale', 'Complaint'],
  });
  for (const a of DEMO_AGENTS) {
    if ((await findUserByLogin(db, a.login)) !== undefined) continue;
    const agent = await createAgent(db, {
      login: a.login,
      name: a.name,
      passwordHash: await hashPassword(a.password),
      skills: { support: 3 },
      languages: a.languages,
    });
    const pw = `demo-${a.sip}`;
    await upsertSipCredential(db, {
      userId: agent.id,
      username: a.sip,
      realm: config.sipRealm,
      ha1Md5: computeHa1('MD5', a.sip, config.sipRealm, pw),
      ha1Sha256: computeHa1('SHA-256', a.sip, config.sipRealm, pw),
    });
  }
  await seedDemoMenu(db, queue.id);
  logger.warn(
    'DEMO: created queue "support", IVR menu "welcome" (a language choice for phones: sip:welcome@<realm>) and agents mari/demo-mari (et, en), john/demo-john (en, de), olga/demo-olga (ru, en, et); ' +
      'desk phones 1001/demo-1001, 1002/demo-1002, 1003/demo-1003; supervisor sue/demo-sue. ' +
      'Customer page: /demo/  Agent page: /agent/  Wall-board: /supervisor/',
  );
}

/**
 * An IVR menu `welcome`: a language choice (1 English, 2 Estonian, 3 Russian) into `support`, spoken to phone callers
 * and shown as buttons by the demo's Help page (the widget's data-menu); the labels are what the buttons say.
 */
async function seedDemoMenu(db: Kysely<Database>, supportId: number): Promise<void> {
  if ((await getIvrMenuByName(db, 'welcome')) !== undefined) return;
  const toSupport = { type: 'queue', queueId: supportId } as const;
  await createIvrMenu(db, {
    name: 'welcome',
    language: 'en',
    prompt: { en: 'Welcome. For English, press 1. For Estonian, press 2. For Russian, press 3.' },
    options: [
      { digit: '1', label: 'English', language: 'en', action: toSupport },
      { digit: '2', label: 'Eesti keeles', language: 'et', action: toSupport },
      { digit: '3', label: 'По-русски', language: 'ru', action: toSupport },
    ],
    defaultAction: toSupport,
  });
}

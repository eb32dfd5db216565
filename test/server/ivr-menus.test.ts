import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseWav } from '../../media/prompts.ts';
import { DATABASE_KINDS } from '../support/databases.ts';
import { ADMIN_PASSWORD, type TestApp, testApp } from '../support/app.ts';

describe.each(DATABASE_KINDS)('IVR menu REST API on %s', (kind) => {
  let t: TestApp;
  let admin: { authorization: string };
  beforeEach(async () => {
    t = await testApp(kind);
    admin = await t.auth('admin', ADMIN_PASSWORD);
  });
  afterEach(async () => {
    await t?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers: object = admin) =>
    t.app.inject({ method, url, ...(payload ? { payload } : {}), headers: { ...headers } });
  const queue = async (name: string): Promise<number> => {
    const res = await call('POST', '/api/queues', { name });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  };
  const menu = async (body: object): Promise<{ id: number; name: string }> => {
    const res = await call('POST', '/api/ivr-menus', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const prompt = { en: 'For billing press 1.' };
  const names = async () => (await call('GET', '/api/ivr-menus')).json().items.map((m: { name: string }) => m.name);

  it('creates, reads, lists, changes and deletes a menu; what it is not given takes the defaults', async () => {
    const billing = await queue('billing');
    const created = await call('POST', '/api/ivr-menus', { name: 'main', prompt });
    expect(created.statusCode, created.body).toBe(201);
    const main = created.json();
    expect(main).toEqual({
      id: expect.any(Number), name: 'main', language: 'en', prompt, options: [], timeoutSeconds: 5, maxAttempts: 3,
      defaultAction: null, openingHours: null, closedPrompt: {}, closedAction: null,
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    expect(new Date(main.createdAt).toISOString()).toBe(main.createdAt);
    expect((await call('GET', `/api/ivr-menus/${main.id}`)).json()).toEqual(main);

    const options = [
      { digit: '1', label: 'Billing', language: null, action: { type: 'queue', queueId: billing } },
      { digit: '#', label: 'Goodbye', language: null, action: { type: 'hangup' } },
    ];
    const hours = { timeZone: 'Europe/Tallinn', days: { mon: [{ from: '09:00', to: '17:00' }] } };
    const patched = await call('PATCH', `/api/ivr-menus/${main.id}`, {
      options, timeoutSeconds: 8, maxAttempts: 2, defaultAction: { type: 'queue', queueId: billing }, openingHours: hours,
      closedPrompt: { en: 'We are closed.' }, closedAction: { type: 'hangup' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      name: 'main', prompt, options, timeoutSeconds: 8, maxAttempts: 2, defaultAction: { type: 'queue', queueId: billing },
      openingHours: hours, closedPrompt: { en: 'We are closed.' }, closedAction: { type: 'hangup' }, createdAt: main.createdAt,
    });
    expect(Date.parse(patched.json().updatedAt)).toBeGreaterThanOrEqual(Date.parse(main.updatedAt));
    expect((await call('GET', `/api/ivr-menus/${main.id}`)).json()).toEqual(patched.json());
    const cleared = await call('PATCH', `/api/ivr-menus/${main.id}`, { defaultAction: null, openingHours: null });
    expect(cleared.json()).toMatchObject({ defaultAction: null, openingHours: null, options });

    await menu({ name: 'second', prompt });
    await menu({ name: 'third', prompt });
    const page = (await call('GET', '/api/ivr-menus?limit=2&offset=1')).json();
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 1 });
    expect(page.items.map((m: { name: string }) => m.name)).toEqual(['second', 'third']);

    expect((await call('DELETE', `/api/ivr-menus/${main.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/ivr-menus/${main.id}`)).statusCode).toBe(404);
    expect(await names()).toEqual(['second', 'third']);
  });

  it('a language-choice menu sets the caller\'s language per option, and a menu may go to itself (repeat)', async () => {
    const en = await menu({ name: 'main-en', prompt: { en: 'For billing press 1.' } });
    const et = await menu({ name: 'main-et', language: 'et', prompt: { et: 'Arvete jaoks vajutage 1.' } });
    const choice = await menu({
      name: 'welcome', prompt: { en: 'For English press 1.', et: 'Eesti keeles vajutage 2.' },
      options: [
        { digit: '1', label: 'English', language: 'en', action: { type: 'menu', menuId: en.id } },
        { digit: '2', label: 'Eesti', language: 'et', action: { type: 'menu', menuId: et.id } },
      ],
    });
    const repeat = { digit: '*', label: 'Repeat', language: null, action: { type: 'menu', menuId: choice.id } };
    const res = await call('PATCH', `/api/ivr-menus/${choice.id}`, { options: [...(choice as unknown as { options: object[] }).options, repeat] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().options.map((o: { digit: string; language: string | null }) => [o.digit, o.language])).toEqual([['1', 'en'], ['2', 'et'], ['*', null]]);
    expect(res.json().options[2].action).toEqual({ type: 'menu', menuId: choice.id });
    // only it goes to itself: it can still be deleted
    expect((await call('DELETE', `/api/ivr-menus/${choice.id}`)).statusCode).toBe(204);
  });

  it('a bad digit, a digit used twice, a bad language code or a prompt without the menu\'s language is refused naming the field, and nothing changes', async () => {
    const option = (digit: string) => ({ digit, label: '', language: null, action: { type: 'hangup' } });
    const twice = await call('POST', '/api/ivr-menus', { name: 'm', prompt, options: [option('1'), option('5'), option('5')] });
    expect(twice.statusCode).toBe(400);
    expect(twice.json()).toMatchObject({ code: 'ERR_VALIDATION', field: 'body.options[2].digit', message: 'body.options[2].digit: 5 is used twice' });
    for (const digit of ['A', '12', '', '**']) {
      const res = await call('POST', '/api/ivr-menus', { name: 'm', prompt, options: [option(digit)] });
      expect(res.statusCode, digit).toBe(400);
      expect(res.json().field).toBe('body.options.0.digit');
    }
    const noEt = await call('POST', '/api/ivr-menus', { name: 'm', language: 'et', prompt });
    expect(noEt.statusCode).toBe(400);
    expect(noEt.json()).toMatchObject({ field: 'body.prompt', message: 'body.prompt: must hold a text for the menu\'s language "et"' });
    const bad: Array<[object, string]> = [
      [{ language: 'english' }, 'body.language'],
      [{ prompt: { ...prompt, english: 'Hello' } }, 'body.prompt.english'],
      [{ prompt: { en: '' } }, 'body.prompt.en'],
      [{ prompt: { en: 'x'.repeat(2001) } }, 'body.prompt.en'],
      [{ options: [{ ...option('1'), language: 'EN' }] }, 'body.options.0.language'],
      [{ options: [{ ...option('1'), label: 'x'.repeat(101) }] }, 'body.options.0.label'],
      [{ timeoutSeconds: 0 }, 'body.timeoutSeconds'],
      [{ timeoutSeconds: 61 }, 'body.timeoutSeconds'],
      [{ maxAttempts: 11 }, 'body.maxAttempts'],
      [{ name: 'no spaces' }, 'body.name'],
      [{ closedPrompt: { en: '' } }, 'body.closedPrompt.en'],
    ];
    for (const [body, field] of bad) {
      const res = await call('POST', '/api/ivr-menus', { name: 'm', prompt, ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().field, JSON.stringify(body)).toBe(field);
    }
    expect((await call('POST', '/api/ivr-menus', { name: 'm', prompt: { en: 'x'.repeat(2000) }, options: [{ ...option('1'), label: 'x'.repeat(100) }] })).statusCode).toBe(201);
    expect(await names()).toEqual(['m']);

    // a change is checked against the menu as it will be stored
    const m = (await call('GET', '/api/ivr-menus')).json().items[0];
    const toEt = await call('PATCH', `/api/ivr-menus/${m.id}`, { language: 'et' });
    expect(toEt.statusCode).toBe(400);
    expect(toEt.json().message).toBe('body.prompt: must hold a text for the menu\'s language "et"');
    const dropEn = await call('PATCH', `/api/ivr-menus/${m.id}`, { prompt: { et: 'Tere.' } });
    expect(dropEn.statusCode).toBe(400);
    expect(dropEn.json().message).toBe('body.prompt: must hold a text for the menu\'s language "en"');
    const twicePatch = await call('PATCH', `/api/ivr-menus/${m.id}`, { options: [option('#'), option('#')] });
    expect(twicePatch.json()).toMatchObject({ field: 'body.options[1].digit', message: 'body.options[1].digit: # is used twice' });
    expect((await call('PATCH', `/api/ivr-menus/${m.id}`, {})).statusCode).toBe(400);
    expect((await call('GET', `/api/ivr-menus/${m.id}`)).json()).toEqual(m);
    const both = await call('PATCH', `/api/ivr-menus/${m.id}`, { language: 'et', prompt: { et: 'Tere.' } });
    expect(both.json()).toMatchObject({ language: 'et', prompt: { et: 'Tere.' } });
  });

  it('an action going to a queue or a menu that does not exist is refused with 422 naming the field, and nothing changes', async () => {
    const q = await queue('billing');
    const to = (action: object) => ({ digit: '1', label: '', language: null, action });
    const cases: Array<[object, string]> = [
      [{ options: [to({ type: 'queue', queueId: 424242 })] }, 'body.options[0].action.queueId: no queue 424242'],
      [{ options: [to({ type: 'queue', queueId: q }), { ...to({ type: 'menu', menuId: 999 }), digit: '2' }] }, 'body.options[1].action.menuId: no IVR menu 999'],
      [{ defaultAction: { type: 'menu', menuId: 999 } }, 'body.defaultAction.menuId: no IVR menu 999'],
      [{ closedAction: { type: 'queue', queueId: 424242 } }, 'body.closedAction.queueId: no queue 424242'],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '/api/ivr-menus', { name: 'm', prompt, ...body });
      expect(res.statusCode, message).toBe(422);
      expect(res.json()).toMatchObject({ code: 'ERR_UNKNOWN_REFERENCE', message, field: message.split(':')[0] });
    }
    expect(await names()).toEqual([]);
    const m = await menu({ name: 'm', prompt });
    const res = await call('PATCH', `/api/ivr-menus/${m.id}`, { defaultAction: { type: 'queue', queueId: 424242 } });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toBe('body.defaultAction.queueId: no queue 424242');
    expect((await call('GET', `/api/ivr-menus/${m.id}`)).json().defaultAction).toBeNull();
    // an action without its id, or with an unknown type, fails the schema
    expect((await call('PATCH', `/api/ivr-menus/${m.id}`, { defaultAction: { type: 'queue' } })).statusCode).toBe(400);
    expect((await call('PATCH', `/api/ivr-menus/${m.id}`, { defaultAction: { type: 'voicemail' } })).statusCode).toBe(400);
  });

  it('opening hours are checked as a queue\'s', async () => {
    const tz = await call('POST', '/api/ivr-menus', { name: 'm', prompt, openingHours: { timeZone: 'Nowhere/Land', days: {} } });
    expect(tz.statusCode).toBe(400);
    expect(tz.json()).toMatchObject({ field: 'body.openingHours.timeZone', message: 'body.openingHours.timeZone: unknown time zone "Nowhere/Land"' });
    const m = await menu({ name: 'm', prompt });
    const backwards = await call('PATCH', `/api/ivr-menus/${m.id}`, { openingHours: { timeZone: 'UTC', days: { tue: [{ from: '17:00', to: '09:00' }] } } });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().message).toBe('body.openingHours.days.tue[0]: from must be before to');
  });

  it('a name belongs to one menu or one queue: 409 for a second menu, for a menu named like a queue and for a queue named like a menu', async () => {
    await queue('support');
    const main = await menu({ name: 'main', prompt });
    const other = await menu({ name: 'other', prompt });
    const dup = await call('POST', '/api/ivr-menus', { name: 'main', prompt });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'ERR_DUPLICATE', message: 'IVR menu with name "main" already exists' });
    const likeQueue = await call('POST', '/api/ivr-menus', { name: 'support', prompt });
    expect(likeQueue.statusCode).toBe(409);
    expect(likeQueue.json()).toMatchObject({ code: 'ERR_DUPLICATE', message: 'queue with name "support" already exists' });
    expect((await call('PATCH', `/api/ivr-menus/${other.id}`, { name: 'support' })).statusCode).toBe(409);
    expect((await call('PATCH', `/api/ivr-menus/${other.id}`, { name: 'main' })).statusCode).toBe(409);
    expect((await call('PATCH', `/api/ivr-menus/${main.id}`, { name: 'main' })).statusCode).toBe(200);

    const queueLikeMenu = await call('POST', '/api/queues', { name: 'main' });
    expect(queueLikeMenu.statusCode).toBe(409);
    expect(queueLikeMenu.json()).toMatchObject({ code: 'ERR_DUPLICATE', message: 'IVR menu with name "main" already exists' });
    const sales = await queue('sales');
    const renamed = await call('PATCH', `/api/queues/${sales}`, { name: 'other' });
    expect(renamed.statusCode).toBe(409);
    expect(renamed.json().message).toBe('IVR menu with name "other" already exists');
    expect((await call('GET', '/api/queues')).json().items.map((q: { name: string }) => q.name)).toEqual(['support', 'sales']);
    expect(await names()).toEqual(['main', 'other']);
  });

  it('a queue or a menu that a menu goes to cannot be deleted: 409 names the menu', async () => {
    const billing = await queue('billing');
    const sub = await menu({ name: 'sub', prompt });
    const hang = { type: 'hangup' };
    for (const field of ['options', 'defaultAction', 'closedAction'] as const) {
      const action = { type: 'queue', queueId: billing };
      const main = await menu({ name: 'main', prompt, ...(field === 'options' ? { options: [{ digit: '1', label: '', language: null, action }] } : { [field]: action }) });
      const res = await call('DELETE', `/api/queues/${billing}`);
      expect(res.statusCode, field).toBe(409);
      expect(res.json()).toMatchObject({ code: 'ERR_IN_USE', message: 'queue billing is a target of IVR menu main' });
      expect((await call('DELETE', `/api/ivr-menus/${main.id}`)).statusCode).toBe(204);
    }
    const main = await menu({ name: 'main', prompt, closedAction: hang, options: [{ digit: '9', label: '', language: null, action: { type: 'menu', menuId: sub.id } }] });
    const inUse = await call('DELETE', `/api/ivr-menus/${sub.id}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json()).toMatchObject({ code: 'ERR_IN_USE', message: 'IVR menu sub is a target of IVR menu main' });
    expect((await call('GET', `/api/ivr-menus/${sub.id}`)).statusCode).toBe(200);
    await call('PATCH', `/api/ivr-menus/${main.id}`, { options: [], defaultAction: { type: 'menu', menuId: sub.id } });
    expect((await call('DELETE', `/api/ivr-menus/${sub.id}`)).statusCode).toBe(409);
    await call('PATCH', `/api/ivr-menus/${main.id}`, { defaultAction: null });
    expect((await call('DELETE', `/api/ivr-menus/${sub.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/api/queues/${billing}`)).statusCode).toBe(204);
  });

  it('an unknown id gets 404', async () => {
    for (const [method, payload] of [['GET'], ['PATCH', { maxAttempts: 2 }], ['DELETE']] as const) {
      const res = await call(method, '/api/ivr-menus/999', payload);
      expect(res.statusCode, method).toBe(404);
      expect(res.json()).toMatchObject({ code: 'ERR_NOT_FOUND', message: 'IVR menu 999 not found' });
    }
  });

  it('a supervisor reads menus but cannot change them; an agent cannot read them', async () => {
    const m = await menu({ name: 'main', prompt });
    await call('POST', '/api/users', { login: 'sue', name: 'Sue', password: 'sue-password', role: 'supervisor' });
    await call('POST', '/api/agents', { login: 'mari', name: 'Mari', password: 'mari-password' });
    const sue = await t.auth('sue', 'sue-password');
    expect((await call('GET', '/api/ivr-menus', undefined, sue)).json().total).toBe(1);
    expect((await call('GET', `/api/ivr-menus/${m.id}`, undefined, sue)).statusCode).toBe(200);
    expect((await call('POST', '/api/ivr-menus', { name: 'x', prompt }, sue)).statusCode).toBe(403);
    expect((await call('PATCH', `/api/ivr-menus/${m.id}`, { maxAttempts: 1 }, sue)).statusCode).toBe(403);
    expect((await call('DELETE', `/api/ivr-menus/${m.id}`, undefined, sue)).statusCode).toBe(403);
    const mari = await t.auth('mari', 'mari-password');
    expect((await call('GET', '/api/ivr-menus', undefined, mari)).statusCode).toBe(403);
    expect((await call('GET', '/api/ivr-menus')).json().items).toEqual([expect.objectContaining({ name: 'main', maxAttempts: 3 })]);
  });

  it('speaks a text as the menus do, for the admin to hear it before saving; names a language it has no voice for', async () => {
    const res = await call('POST', '/api/speech', { text: 'For sales, press 1.', language: 'en' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    const pcm = parseWav(res.rawPayload)!;
    expect(pcm.rate).toBe(8000);
    expect(pcm.samples.length / 2 / 8000).toBeGreaterThan(0.8);
    const unknown = await call('POST', '/api/speech', { text: 'Hello', language: 'zz' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'ERR_UNKNOWN_REFERENCE', message: 'body.language: no voice speaks "zz"' });
    expect((await call('POST', '/api/speech', { text: '   ', language: 'en' })).json()).toMatchObject({ message: 'body.text: must hold something to say' });
    expect((await call('POST', '/api/speech', { text: 'x'.repeat(2001), language: 'en' })).statusCode).toBe(400);
    await call('POST', '/api/users', { login: 'sue', name: 'Sue', password: 'sue-password', role: 'supervisor' });
    expect((await call('POST', '/api/speech', { text: 'Hello', language: 'en' }, await t.auth('sue', 'sue-password'))).statusCode).toBe(403);
  });

  it('the routes are in the OpenAPI documentation', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/ivr-menus', '/api/ivr-menus/{id}', '/api/speech']));
  });
});

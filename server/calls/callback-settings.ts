import type { Kysely } from 'kysely';
import { getSetting, putSetting } from '../../db/repositories/settings.ts';
import type { Database } from '../../db/schema.ts';
import type { SecretBox } from '../auth/secret-box.ts';

/** How customers are called back: CALLBACK_* at start, replaced by what an admin stored (PUT /api/settings/callbacks). */
export interface CallbackSettings {
  /** SIP URI of the gateway that reaches phone numbers (`sip:gw.example.net:5060;transport=udp`); null: no callbacks. */
  trunk: string | null;
  /** From of the calls to customers (what their phone shows), a SIP URI. */
  callerId: string;
  /** How long the customer's phone rings before the attempt counts as not answered. */
  dialSeconds: number;
  /** After an attempt the customer did not answer, the callback joins the line again this much later. */
  retrySeconds: number;
  /** Attempts in all before the callback is given up. */
  attempts: number;
  /** The trunk's account at its provider, to answer a digest challenge to our INVITE; null: none asked. */
  auth?: { username: string; password: string } | null;
  /** Agents may dial phone numbers through the trunk (their desk phone or browser softphone dials sip:<number>@<realm>). */
  agentCalls: boolean;
  /** The numbers agents may dial start with one of these (`+372`, `+49`); empty: any number (toll fraud: keep it short). */
  allowedPrefixes: string[];
}

/** A dialling prefix's problem (`+` and 1 to 15 digits, or digits alone), or null when it is fine. */
export function prefixProblem(p: string): string | null {
  return /^\+?[0-9]{1,15}$/.test(p) ? null : `expected a dialling prefix like +372, got ${JSON.stringify(p)}`;
}

/** A trunk URI's problem (it must be a SIP URI of the gateway without a user part), or null when it is fine. */
export function trunkProblem(uri: string): string | null {
  return /^sips?:[A-Za-z0-9.:[\]-]+(;[A-Za-z0-9=._-]+)*$/.test(uri)
    ? null
    : `expected a SIP URI of the gateway without a user part, like sip:gw.example.net:5060;transport=udp, got ${JSON.stringify(uri)}`;
}

/** A caller id's problem (a SIP URI), or null when it is fine. */
export function callerIdProblem(uri: string): string | null {
  return /^sips?:[^\s<>"]+$/.test(uri) ? null : `expected a SIP URI like sip:+3726001234@example.com, got ${JSON.stringify(uri)}`;
}

const KEY = 'callbacks';

/** The stored form: the trunk's password sealed (server/auth/secret-box.ts); rows of older versions hold it in clear. */
type StoredSettings = Partial<Omit<CallbackSettings, 'auth'>> & { auth?: { username: string; password?: string; passwordSealed?: string } | null };

/**
 * The settings an admin stored (PUT /api/settings/callbacks) over the start's defaults (CALLBACK_*); the defaults when
 * none are. `problem` says why a stored password was dropped (it does not open with this server's key: the admin sets
 * it again); `resealed` is true when a password stored in clear by an older version was sealed now.
 */
export async function loadCallbackSettings(
  db: Kysely<Database>,
  defaults: CallbackSettings,
  box: SecretBox,
): Promise<{ settings: CallbackSettings; stored: boolean; problem?: string; resealed?: boolean }> {
  const text = await getSetting(db, KEY);
  if (text === null) return { settings: defaults, stored: false };
  const { auth, ...rest } = JSON.parse(text) as StoredSettings;
  const settings: CallbackSettings = { ...defaults, ...rest };
  if (auth === undefined || auth === null) return { settings: auth === null ? { ...settings, auth: null } : settings, stored: true };
  if (auth.passwordSealed !== undefined) {
    try {
      return { settings: { ...settings, auth: { username: auth.username, password: box.open(auth.passwordSealed) } }, stored: true };
    } catch (err) {
      return { settings: { ...settings, auth: null }, stored: true, problem: (err as Error).message };
    }
  }
  const withPassword: CallbackSettings = { ...settings, auth: { username: auth.username, password: auth.password ?? '' } };
  await storeCallbackSettings(db, withPassword, box);
  return { settings: withPassword, stored: true, resealed: true };
}

/** Stores the callback settings, the trunk's password sealed (a UAC needs it in clear to answer challenges: it cannot be hashed). */
export async function storeCallbackSettings(db: Kysely<Database>, settings: CallbackSettings, box: SecretBox): Promise<void> {
  const { auth, ...rest } = settings;
  const stored: StoredSettings = auth === undefined ? rest : { ...rest, auth: auth === null ? null : { username: auth.username, passwordSealed: box.seal(auth.password) } };
  await putSetting(db, KEY, JSON.stringify(stored));
}

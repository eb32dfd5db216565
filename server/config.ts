import { callerIdProblem, prefixProblem, trunkProblem } from './calls/callback-settings.ts';
import { parseSecretKey } from './auth/secret-box.ts';

/**
 * Configuration: read once from the environment at boot into a frozen, typed object.
 * Defaults live here and only here; a malformed value stops the start with a message naming the variable.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly httpHost: string;
  readonly httpPort: number;
  readonly sipHost: string;
  readonly sipPort: number;
  /** Digest realm offered in SIP challenges and stored with the SIP credentials' HA1. */
  readonly sipRealm: string;
  /** Source addresses (IPs or CIDRs) whose REGISTER/INVITE are not challenged. */
  readonly sipTrustedSources: readonly string[];
  /** Overload control: event-loop load (percent) above which, with callers retransmitting, new INVITEs get 503; 0 = off. */
  readonly sipMaxLoadPercent: number;
  /** Inbound SIP connections (TCP, TLS, WebSocket) one address may hold at once; 0 = no limit. */
  readonly sipMaxConnectionsPerSource: number;
  /** Seconds between OPTIONS to each registered desk phone (a device that does not answer is down); 0 = off. */
  readonly sipQualifySeconds: number;
  /** Unset: embedded PGlite under `dataDir`. Set: PostgreSQL. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  /** Unset: the project starts its own rtpengine. Set (udp://host:port): use that one. */
  readonly rtpengineUrl: string | null;
  readonly rtpengineNgPort: number;
  readonly rtpPortMin: number;
  readonly rtpPortMax: number;
  readonly mediaAddress: string;
  readonly mediaAdvertisedAddress: string | null;
  /** Key (32 bytes, hex or base64) that encrypts stored secrets such as the trunk password; unset: DATA_DIR/secret.key. */
  readonly secretKey: string | null;
  /** Password for the `admin` user created on an empty database; unset: a random one, printed once. */
  readonly adminPassword: string | null;
  /** Lifetime of API bearer tokens. */
  readonly tokenTtlSeconds: number;
  /** Create demo skills, queues and agents on an empty database. */
  readonly demo: boolean;
  /** PEM certificate and key: with both set, SIP also listens on TLS (sipTlsPort) and WSS (sipWssPort). */
  readonly tlsCertFile: string | null;
  readonly tlsKeyFile: string | null;
  readonly sipTlsPort: number;
  readonly sipWssPort: number;
  /** Origins (scheme://host[:port]) whose pages may embed the widget; '*' = any site. */
  readonly widgetOrigins: readonly string[];
  /**
   * Reverse proxies (IPs or CIDRs) in front of the HTTP port: from these, the client's address is taken from
   * X-Forwarded-For (login lockout, per-address call limits, SIP over WebSocket's digest lockout). Empty: none.
   */
  readonly trustedProxies: readonly string[];
  /** Wrong passwords from one address within a minute before POST /api/login refuses it for 5 minutes; 0 = off. */
  readonly loginMaxFailures: number;
  /** Browser calls announced (POST /api/public/calls) but not dialled yet that one address may have at once; 0 = no limit. */
  readonly publicCallsPerSource: number;
  /** A connected call in which one side has sent no RTP for this long is hung up on both sides; 0 = off. */
  readonly mediaTimeoutSeconds: number;
  /** A queue with this many new voicemails takes no more (the caller hears that all agents are busy); 0 = no limit. */
  readonly voicemailMaxPerQueue: number;
  /** Voicemails older than this many days are deleted (they hold callers' voices: personal data); 0 = kept. */
  readonly voicemailRetentionDays: number;
  /** Call recordings older than this many days are deleted; 0 = kept. */
  readonly recordingRetentionDays: number;
  /** Call records older than this many days lose who the customer was (as when a customer is erased); 0 = kept. */
  readonly callDataRetentionDays: number;
  /** Audit log entries older than this many days are deleted; 0 = kept. */
  readonly auditRetentionDays: number;
  /** SIP URI of the gateway (trunk) that reaches customers' phone numbers for callbacks; unset: no callbacks. */
  readonly callbackTrunk: string | null;
  /** From of callbacks (what the customer's phone shows); default sip:callcenter@<SIP_REALM>. */
  readonly callbackCallerId: string;
  readonly callbackDialSeconds: number;
  readonly callbackRetrySeconds: number;
  readonly callbackAttempts: number;
  /** agents may dial phone numbers through the trunk (AGENT_CALLS) */
  readonly agentCalls: boolean;
  /** the numbers they may dial start with one of these (AGENT_CALL_PREFIXES); empty: any */
  readonly agentCallPrefixes: string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  return v;
}

function optional(env: Env, name: string): string | null {
  const v = env[name];
  return v === undefined || v === '' ? null : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v.trim())) throw new ConfigError(name, `expected a whole number, got ${JSON.stringify(v)}`);
  const n = Number(v.trim());
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(name, `expected true or false, got ${JSON.stringify(v)}`);
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const HOST_RE = /^[A-Za-z0-9.:-]+$/;
const IPV4_CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(\/(\d{1,2}))?$/;

function host(env: Env, name: string, fallback: string): string {
  const v = str(env, name, fallback);
  if (!HOST_RE.test(v)) throw new ConfigError(name, `not a host name or address: ${JSON.stringify(v)}`);
  return v;
}

function addresses(env: Env, name: string): string[] {
  const v = optional(env, name);
  if (v === null) return [];
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    const m = IPV4_CIDR_RE.exec(item);
    const ok = m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && (m[6] === undefined || Number(m[6]) <= 32);
    if (!ok && !/^[0-9a-fA-F:]+(\/\d{1,3})?$/.test(item)) {
      throw new ConfigError(name, `not an IP address or CIDR: ${JSON.stringify(item)}`);
    }
  }
  return items;
}

/** A SIP URI without a user part (the number to dial becomes it): sip:host[:port][;params]. */
function trunkUri(env: Env, name: string): string | null {
  const v = optional(env, name);
  const problem = v === null ? null : trunkProblem(v);
  if (problem !== null) throw new ConfigError(name, problem);
  return v;
}

function prefixes(env: Env, name: string): string[] {
  const v = optional(env, name);
  if (v === null) return [];
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (prefixProblem(item) !== null) throw new ConfigError(name, prefixProblem(item)!);
  return items;
}

function origins(env: Env, name: string): string[] {
  const v = optional(env, name);
  if (v === null || v.trim() === '*') return ['*'];
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(item)) {
      throw new ConfigError(name, `not an origin like https://shop.example.com: ${JSON.stringify(item)}`);
    }
  }
  return items;
}

export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  const rtpengineUrl = optional(env, 'RTPENGINE_URL');
  if (rtpengineUrl !== null && !/^udp:\/\/[^:/]+:\d+$/.test(rtpengineUrl)) {
    throw new ConfigError('RTPENGINE_URL', `expected udp://host:port, got ${JSON.stringify(rtpengineUrl)}`);
  }
  const logLevel = str(env, 'LOG_LEVEL', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }
  const adminPassword = optional(env, 'ADMIN_PASSWORD');
  if (adminPassword !== null && adminPassword.length < 8) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be at least 8 characters long');
  }
  const secretKey = optional(env, 'SECRET_KEY');
  if (secretKey !== null && parseSecretKey(secretKey) === null) {
    throw new ConfigError('SECRET_KEY', 'expected 32 bytes as 64 hex digits or in base64 (e.g. the output of: openssl rand -base64 32)');
  }
  const rtpPortMin = int(env, 'RTP_PORT_MIN', 30000, 1024, 65534);
  const rtpPortMax = int(env, 'RTP_PORT_MAX', 39999, 1025, 65535);
  if (rtpPortMax <= rtpPortMin) throw new ConfigError('RTP_PORT_MAX', `must be above RTP_PORT_MIN (${rtpPortMin})`);
  const httpHost = host(env, 'HTTP_HOST', '127.0.0.1');
  const sipRealm = host(env, 'SIP_REALM', 'callflow');
  const callbackCallerId = str(env, 'CALLBACK_CALLER_ID', `sip:callcenter@${sipRealm}`);
  const callerIdBad = callerIdProblem(callbackCallerId);
  if (callerIdBad !== null) throw new ConfigError('CALLBACK_CALLER_ID', callerIdBad);
  const config: Config = {
    httpHost,
    httpPort: int(env, 'HTTP_PORT', 8080, 0, 65535),
    sipHost: host(env, 'SIP_HOST', httpHost),
    sipPort: int(env, 'SIP_PORT', 5060, 0, 65535),
    sipRealm,
    sipTrustedSources: addresses(env, 'SIP_TRUSTED_SOURCES'),
    sipMaxLoadPercent: int(env, 'SIP_MAX_LOAD', 90, 0, 99),
    sipQualifySeconds: int(env, 'SIP_QUALIFY_SECONDS', 30, 0, 3600),
    sipMaxConnectionsPerSource: int(env, 'SIP_MAX_CONNECTIONS_PER_SOURCE', 1000, 0, 1_000_000),
    databaseUrl,
    dataDir: str(env, 'DATA_DIR', './var'),
    logLevel,
    rtpengineUrl,
    rtpengineNgPort: int(env, 'RTPENGINE_NG_PORT', 22222, 0, 65535),
    rtpPortMin,
    rtpPortMax,
    mediaAddress: host(env, 'MEDIA_ADDRESS', '127.0.0.1'),
    mediaAdvertisedAddress: optional(env, 'MEDIA_ADVERTISED_ADDRESS'),
    secretKey,
    adminPassword,
    tokenTtlSeconds: int(env, 'TOKEN_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600),
    demo: bool(env, 'DEMO', false),
    widgetOrigins: origins(env, 'WIDGET_ORIGINS'),
    trustedProxies: addresses(env, 'TRUSTED_PROXIES'),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 10, 0, 1000),
    publicCallsPerSource: int(env, 'PUBLIC_CALLS_PER_SOURCE', 20, 0, 100_000),
    mediaTimeoutSeconds: int(env, 'MEDIA_TIMEOUT_SECONDS', 60, 0, 24 * 3600),
    voicemailMaxPerQueue: int(env, 'VOICEMAIL_MAX_PER_QUEUE', 200, 0, 1_000_000),
    voicemailRetentionDays: int(env, 'VOICEMAIL_RETENTION_DAYS', 90, 0, 3650),
    recordingRetentionDays: int(env, 'RECORDING_RETENTION_DAYS', 30, 0, 3650),
    auditRetentionDays: int(env, 'AUDIT_RETENTION_DAYS', 365, 0, 36500),
    callDataRetentionDays: int(env, 'CALL_DATA_RETENTION_DAYS', 0, 0, 36500),
    callbackTrunk: trunkUri(env, 'CALLBACK_TRUNK'),
    callbackCallerId,
    callbackDialSeconds: int(env, 'CALLBACK_DIAL_SECONDS', 30, 5, 300),
    callbackRetrySeconds: int(env, 'CALLBACK_RETRY_SECONDS', 300, 1, 7 * 24 * 3600),
    callbackAttempts: int(env, 'CALLBACK_ATTEMPTS', 3, 1, 20),
    agentCalls: bool(env, 'AGENT_CALLS', false),
    agentCallPrefixes: prefixes(env, 'AGENT_CALL_PREFIXES'),
    tlsCertFile: optional(env, 'TLS_CERT_FILE'),
    tlsKeyFile: optional(env, 'TLS_KEY_FILE'),
    sipTlsPort: int(env, 'SIP_TLS_PORT', 5061, 0, 65535),
    sipWssPort: int(env, 'SIP_WSS_PORT', 8443, 0, 65535),
  };
  if ((config.tlsCertFile === null) !== (config.tlsKeyFile === null)) {
    throw new ConfigError(config.tlsCertFile === null ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE', 'TLS needs both TLS_CERT_FILE and TLS_KEY_FILE');
  }
  return Object.freeze({
    ...config,
    sipTrustedSources: Object.freeze([...config.sipTrustedSources]),
    trustedProxies: Object.freeze([...config.trustedProxies]),
    widgetOrigins: Object.freeze([...config.widgetOrigins]),
  });
}

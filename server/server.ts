import proxyAddr from '@fastify/proxy-addr';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DbBindingStore } from '../db/repositories/sip-bindings.ts';
import { openDatabase } from '../db/connect.ts';
import { type MediaEngine, startMedia } from '../media/index.ts';
import { type Binding, type SipStack, createSipServer } from '../sip/index.ts';
import type { AppContext } from './app-context.ts';
import { buildApp } from './app.ts';
import { ensureAdmin, loadTokenSigner } from './bootstrap.ts';
import { KEY_FILE, loadSecretBox } from './auth/secret-box.ts';
import { Sessions } from './auth/sessions.ts';
import { sessionState } from '../db/repositories/users.ts';
import { CallCenter } from './calls/call-center.ts';
import { SipCredentialDirectory } from './calls/sip-credentials.ts';
import type { Config } from './config.ts';
import { seedDemo } from './demo.ts';
import { installChannels } from './events/channels.ts';
import { WsEndpoints } from './events/ws-endpoints.ts';
import type { Logger } from './logger.ts';
import { callbackSettingsRoutes } from './routes/callback-settings.ts';
import { blockedCallerRoutes } from './routes/blocked-callers.ts';
import { webhookSettingsRoutes } from './routes/webhook-settings.ts';
import { notReadyReasonRoutes } from './routes/not-ready-reasons.ts';
import { customerRoutes } from './routes/customers.ts';
import { callbackRoutes } from './routes/callbacks.ts';
import { sipStatsRoutes } from './routes/sip-stats.ts';
import { supervisionRoutes } from './routes/supervision.ts';
import { telephonyRoutes } from './routes/telephony.ts';

export interface RunningServer {
  readonly ctx: AppContext;
  /** The HTTP address actually bound (port 0 in tests picks a free one). */
  readonly httpUrl: string;
  readonly sip: SipStack;
  readonly media: MediaEngine;
  readonly center: CallCenter;
  close(): Promise<void>;
}

/**
 * The composition root: database, media engine, SIP stack, ACD call center and the HTTP API, started in order and
 * closed in reverse order. Anything that fails half-way closes what was already started.
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const closers: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (err) {
        logger.warn({ err }, 'close failed');
      }
    }
  };
  try {
    const database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      onIdleError: (err) => logger.warn({ err }, 'idle database connection failed'),
    });
    closers.push(() => database.close());
    logger.info({ db: database.kind }, 'database ready');
    await ensureAdmin(database.db, config.adminPassword, logger);
    if (config.demo) await seedDemo(database.db, config, logger);
    const tokens = await loadTokenSigner(database.db);
    const secrets = await loadSecretBox(config.secretKey, path.resolve(config.dataDir));
    if (secrets.source === 'new file') logger.info({ file: path.join(path.resolve(config.dataDir), KEY_FILE) }, 'made a new key for the secrets stored in the database: back it up, but not together with the database (servers that share a database need the same SECRET_KEY)');
    const sessions = new Sessions((id) => sessionState(database.db, id));
    const ctx: AppContext = { config, logger, database, tokens, sessions };

    const media = await startMedia({
      dataDir: path.resolve(config.dataDir),
      logger, // (startMedia tags its lines component=media)
      ngPort: config.rtpengineNgPort,
      rtpPortMin: config.rtpPortMin,
      rtpPortMax: config.rtpPortMax,
      listenAddress: config.mediaAddress,
      ...(config.mediaAdvertisedAddress ? { advertisedAddress: config.mediaAdvertisedAddress } : {}),
      ...(config.rtpengineUrl ? { rtpengineUrl: config.rtpengineUrl } : {}),
    });
    closers.push(() => media.close());

    let center: CallCenter | undefined;
    const app = await buildApp(ctx, {
      // the admin API changed an agent or a queue: the running ACD picks it up (a failure, e.g. the database closing
      // during shutdown, is logged: an unhandled rejection would end the process)
      onAgentChanged: (id) => void center?.reloadAgent(id).catch((err: unknown) => logger.error({ err, agentId: id }, 'agent reload failed')),
      onQueueChanged: (id) => void center?.reloadQueue(id).catch((err: unknown) => logger.error({ err, queueId: id }, 'queue reload failed')),
      onVoicemailChanged: () => center?.board.storedChanged(),
    });
    closers.push(() => app.close());

    const credentials = new SipCredentialDirectory(database.db, config.sipRealm);
    // a disabled or deleted agent's browser softphone registers no more (a new password keeps it: the page goes on)
    sessions.on('ended', (userId) => void sessionState(database.db, userId).then((s) => {
      if (s === undefined || s.disabled) credentials.revokeAgent(userId);
    }).catch((err: unknown) => logger.warn({ err, userId }, 'could not read the account whose sessions ended')));
    // A browser's SIP WebSocket through a trusted reverse proxy: its address as the proxy reports it (as request.ip).
    const trustProxy = config.trustedProxies.length > 0 ? proxyAddr.compile([...config.trustedProxies]) : null;
    const sip = createSipServer({
      host: config.sipHost,
      udpPort: config.sipPort,
      realm: config.sipRealm,
      trustedSources: [...config.sipTrustedSources],
      overload: { maxLoad: config.sipMaxLoadPercent / 100 },
      qualify: { intervalSeconds: config.sipQualifySeconds },
      connections: { perSource: config.sipMaxConnectionsPerSource },
      ws: { server: app.server, path: '/sip', ...(trustProxy === null ? {} : { clientAddress: (req) => proxyAddr(req, trustProxy) }) },
      ...(config.tlsCertFile && config.tlsKeyFile
        ? { tls: { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile), port: config.sipTlsPort, wssPort: config.sipWssPort } }
        : {}),
      logger: logger.child({ component: 'sip' }),
      credentials,
      bindings: new DbBindingStore<Binding & { [k: string]: unknown }>(database.db),
    });
    closers.push(() => sip.close());
    center = new CallCenter({
      db: database.db, logger: logger.child({ component: 'calls' }), sip, media, credentials, tokens, secrets: secrets.box, realm: config.sipRealm,
      mediaTimeoutSeconds: config.mediaTimeoutSeconds,
      voicemail: { maxPerQueue: config.voicemailMaxPerQueue, retentionDays: config.voicemailRetentionDays },
      recordingRetentionDays: config.recordingRetentionDays,
      callDataRetentionDays: config.callDataRetentionDays,
      node: `${os.hostname()}:${config.httpPort}`,
      callbacks: {
        trunk: config.callbackTrunk,
        callerId: config.callbackCallerId,
        dialSeconds: config.callbackDialSeconds,
        retrySeconds: config.callbackRetrySeconds,
        attempts: config.callbackAttempts,
        agentCalls: config.agentCalls,
        allowedPrefixes: config.agentCallPrefixes,
      },
    });
    await center.start();
    closers.push(() => center!.close());
    await sip.start();

    const ws = new WsEndpoints(app.server, logger, ['/sip']);
    closers.push(() => ws.close());
    installChannels(ws, center, tokens, sessions, logger);
    await app.register(telephonyRoutes, { ctx, center });
    await app.register(supervisionRoutes, { ctx, center });
    await app.register(callbackSettingsRoutes, { ctx, center });
    await app.register(callbackRoutes, { ctx, center });
    await app.register(blockedCallerRoutes, { ctx, center });
    await app.register(webhookSettingsRoutes, { ctx, center });
    await app.register(notReadyReasonRoutes, { ctx, center });
    await app.register(customerRoutes, { ctx, center });
    await app.register(sipStatsRoutes, { ctx, sip });

    const httpUrl = await app.listen({ host: config.httpHost, port: config.httpPort });
    logger.info({ httpUrl, docs: `${httpUrl}/docs`, sip: `${config.sipHost}:${config.sipPort}` }, 'listening');
    let closed: Promise<void> | null = null;
    return {
      ctx,
      httpUrl,
      sip,
      media,
      center,
      close: () => (closed ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

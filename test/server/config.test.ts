import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('configuration', () => {
  it('uses the documented defaults when the environment is empty', () => {
    const c = loadConfig({});
    expect(c.httpPort).toBe(8080);
    expect(c.sipPort).toBe(5060);
    expect(c.dataDir).toBe('./var');
    expect(c.databaseUrl).toBeNull();
    expect(c.rtpengineUrl).toBeNull();
    expect(c.logLevel).toBe('info');
    expect(c.adminPassword).toBeNull();
    expect(c.sipMaxLoadPercent).toBe(90);
    expect(c.sipQualifySeconds).toBe(30);
    expect(c.voicemailMaxPerQueue).toBe(200);
    expect(c.voicemailRetentionDays).toBe(90);
    expect(c.recordingRetentionDays).toBe(30);
  });

  it('is frozen', () => {
    const c = loadConfig({ SIP_TRUSTED_SOURCES: '127.0.0.1' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.sipTrustedSources)).toBe(true);
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({
      HTTP_PORT: '9000', HTTP_HOST: '0.0.0.0', SIP_PORT: '5070', DATABASE_URL: 'postgresql://u@h/db', DATA_DIR: '/tmp/x',
      LOG_LEVEL: 'debug', RTPENGINE_URL: 'udp://127.0.0.1:2223', ADMIN_PASSWORD: 'correct horse', SIP_TRUSTED_SOURCES: '10.0.0.0/8, 192.168.1.1',
      SIP_MAX_LOAD: '0', SIP_QUALIFY_SECONDS: '60', SIP_MAX_CONNECTIONS_PER_SOURCE: '50', TRUSTED_PROXIES: '10.1.2.3,fd00::/8', SECRET_KEY: 'a'.repeat(64),
      VOICEMAIL_MAX_PER_QUEUE: '0', VOICEMAIL_RETENTION_DAYS: '30', RECORDING_RETENTION_DAYS: '0', AUDIT_RETENTION_DAYS: '90', CALL_DATA_RETENTION_DAYS: '400',
      AGENT_CALLS: '1', AGENT_CALL_PREFIXES: '+372, +358',
    });
    expect(c).toMatchObject({
      httpPort: 9000, httpHost: '0.0.0.0', sipPort: 5070, databaseUrl: 'postgresql://u@h/db', dataDir: '/tmp/x',
      logLevel: 'debug', rtpengineUrl: 'udp://127.0.0.1:2223', adminPassword: 'correct horse',
      sipTrustedSources: ['10.0.0.0/8', '192.168.1.1'], sipMaxLoadPercent: 0, sipQualifySeconds: 60, sipMaxConnectionsPerSource: 50,
      trustedProxies: ['10.1.2.3', 'fd00::/8'], secretKey: 'a'.repeat(64), voicemailMaxPerQueue: 0, voicemailRetentionDays: 30, recordingRetentionDays: 0, auditRetentionDays: 90, callDataRetentionDays: 400,
      agentCalls: true, agentCallPrefixes: ['+372', '+358'],
    });
    expect(loadConfig({})).toMatchObject({ agentCalls: false, agentCallPrefixes: [] });
  });

  it.each([
    ['HTTP_PORT', 'eighty'],
    ['HTTP_PORT', '70000'],
    ['SIP_PORT', '-1'],
    ['DATABASE_URL', 'mysql://x'],
    ['LOG_LEVEL', 'loud'],
    ['RTPENGINE_URL', 'http://127.0.0.1:22222'],
    ['ADMIN_PASSWORD', 'short'],
    ['HTTP_HOST', 'bad host!'],
    ['SIP_TRUSTED_SOURCES', '300.1.1.1'],
    ['TRUSTED_PROXIES', 'proxy.example.com'],
    ['SIP_MAX_LOAD', '100'],
    ['SIP_QUALIFY_SECONDS', 'often'],
    ['DEMO', 'perhaps'],
    ['WIDGET_ORIGINS', 'shop.example.com'],
    ['SECRET_KEY', 'not-a-key'],
    ['SIP_MAX_CONNECTIONS_PER_SOURCE', 'many'],
    ['SECRET_KEY', 'ab'.repeat(16)],
    ['VOICEMAIL_RETENTION_DAYS', '-1'],
    ['VOICEMAIL_MAX_PER_QUEUE', 'lots'],
    ['AGENT_CALLS', 'sometimes'],
    ['AGENT_CALL_PREFIXES', '+372,00-49'],
  ])('a malformed %s=%s stops the start with a message naming it', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toMatch(new RegExp(`^${name}: `));
  });

  it('lets the widget be embedded anywhere unless WIDGET_ORIGINS names the sites', () => {
    expect(loadConfig({}).widgetOrigins).toEqual(['*']);
    expect(loadConfig({ WIDGET_ORIGINS: 'https://a.example, http://localhost:3000' }).widgetOrigins).toEqual(['https://a.example', 'http://localhost:3000']);
  });

  it('turns TLS on only with both a certificate and a key', () => {
    expect(loadConfig({}).tlsCertFile).toBeNull();
    expect(loadConfig({ TLS_CERT_FILE: '/c.pem', TLS_KEY_FILE: '/k.pem' })).toMatchObject({ tlsCertFile: '/c.pem', sipTlsPort: 5061, sipWssPort: 8443 });
    expect(() => loadConfig({ TLS_CERT_FILE: '/c.pem' })).toThrow(/^TLS_KEY_FILE: /);
  });

  it('rejects an RTP port range that is empty', () => {
    expect(() => loadConfig({ RTP_PORT_MIN: '40000', RTP_PORT_MAX: '30000' })).toThrow(/RTP_PORT_MAX/);
  });
});

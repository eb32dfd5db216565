import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { type RunningServer, startServer } from '../../server/server.ts';

describe('the server with a TLS certificate', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'callflow-tls-'));
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers SIP over TLS on SIP_TLS_PORT', async () => {
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    server = await startServer(
      loadConfig({
        HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', SIP_PORT: '0', SIP_TLS_PORT: '0', SIP_WSS_PORT: '0', RTPENGINE_NG_PORT: '0',
        RTP_PORT_MIN: '44700', RTP_PORT_MAX: '44799', DATA_DIR: dir, TLS_CERT_FILE: cert, TLS_KEY_FILE: key, ADMIN_PASSWORD: 'tls-admin-pw',
      }),
      pino({ level: 'silent' }),
    );
    expect(server.sip.ports.wss).toBeGreaterThan(0);
    const sock = tls.connect({ host: '127.0.0.1', port: server.sip.ports.tls!, rejectUnauthorized: false });
    await new Promise((r) => sock.once('secureConnect', r));
    let got = '';
    sock.on('data', (d) => (got += d));
    sock.write(
      `OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:${sock.localPort};branch=z9hG4bKtls1\r\nFrom: <sip:a@b>;tag=1\r\n` +
        'To: <sip:c@d>\r\nCall-ID: tls-check\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    );
    for (let i = 0; i < 100 && !got.includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 20));
    sock.destroy();
    expect(got).toMatch(/^SIP\/2.0 200 OK/);
  });
});

/**
 * `npm run build:web`: builds the widget, the agent softphone, the supervisors' wall-board, the admin console and the demo shop into web-softphone/dist/, then,
 * as the very last step, touches dist/.built (scripts/setup.mjs rebuilds when it is missing or stale).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'vite';
import { APP_MODES, DIST, appConfig } from './vite.config.ts';

const marker = resolve(DIST, '.built');
rmSync(marker, { force: true });
mkdirSync(DIST, { recursive: true });
rmSync(resolve(DIST, 'widget.js'), { force: true });
rmSync(resolve(DIST, 'widget.js.map'), { force: true });
for (const mode of APP_MODES) {
  const started = Date.now();
  await build(appConfig(mode));
  process.stdout.write(`built ${mode} in ${Date.now() - started} ms\n`);
}
writeFileSync(marker, `${new Date().toISOString()}\n`);

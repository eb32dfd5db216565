/**
 * Builds the browser apps into web-softphone/dist/, one mode per app (see build.ts, which runs them all):
 *   --mode widget  dist/widget.js          one self-contained classic script (IIFE, sip.js inside)
 *   --mode agent   dist/agent/index.html   the agent softphone, served at /agent/
 *   --mode supervisor dist/supervisor/index.html the supervisors' wall-board, served at /supervisor/
 *   --mode admin   dist/admin/index.html   the admin console, served at /admin/
 *   --mode demo    dist/demo/*.html        the demo shop that embeds /widget.js, served at /demo/
 * Each app keeps its assets under its own prefix (/agent/assets/, /demo/assets/).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, defineConfig, type InlineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
export const DIST = resolve(here, 'dist');

export const APP_MODES = ['widget', 'agent', 'supervisor', 'admin', 'demo'] as const;
export type AppMode = (typeof APP_MODES)[number];

/**
 * Vite's logger minus one expected warning: the demo pages embed /widget.js as a classic script, exactly as a
 * customer's site would, and Vite notes that it cannot bundle it. That is the point, so it is not shown.
 */
function quietLogger(): ReturnType<typeof createLogger> {
  const logger = createLogger('warn');
  const warn = logger.warn.bind(logger);
  logger.warn = (msg, options) => {
    if (msg.includes('<script src="/widget.js">') && msg.includes('can\'t be bundled')) return;
    warn(msg, options);
  };
  return logger;
}

export function appConfig(mode: AppMode): InlineConfig {
  const common: InlineConfig = {
    configFile: false,
    logLevel: 'warn',
    customLogger: quietLogger(),
    publicDir: false,
    build: { target: 'es2020', sourcemap: true, reportCompressedSize: false },
  };
  if (mode === 'widget') {
    return {
      ...common,
      root: here,
      // Library mode does not replace process.env.NODE_ENV; sip.js does not read it, but keep bundles honest.
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      build: {
        ...common.build,
        outDir: DIST,
        emptyOutDir: false,
        lib: {
          entry: resolve(here, 'widget/main.ts'),
          name: 'CallflowWidgetBundle',
          formats: ['iife'],
          fileName: () => 'widget.js',
        },
      },
    };
  }
  if (mode === 'agent' || mode === 'supervisor' || mode === 'admin') {
    return {
      ...common,
      root: resolve(here, mode),
      base: `/${mode}/`,
      build: { ...common.build, outDir: resolve(DIST, mode), emptyOutDir: true },
    };
  }
  const demo = resolve(here, 'demo');
  return {
    ...common,
    root: demo,
    base: '/demo/',
    build: {
      ...common.build,
      outDir: resolve(DIST, 'demo'),
      emptyOutDir: true,
      rollupOptions: {
        input: {
          index: resolve(demo, 'index.html'),
          tents: resolve(demo, 'tents.html'),
          jackets: resolve(demo, 'jackets.html'),
          boots: resolve(demo, 'boots.html'),
          help: resolve(demo, 'help.html'),
        },
      },
    },
  };
}

export default defineConfig(({ mode }) => {
  const app = (APP_MODES as readonly string[]).includes(mode) ? (mode as AppMode) : 'agent';
  const { configFile: _ignored, ...config } = appConfig(app);
  return config;
});

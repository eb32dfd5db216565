import type { DatabaseHandle } from '../db/connect.ts';
import type { Sessions } from './auth/sessions.ts';
import type { TokenSigner } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

/** What the HTTP routes need, passed in by the composition root (server/main.ts or a test). */
export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: DatabaseHandle;
  readonly tokens: TokenSigner;
  /** whether a session token still stands (password, role, disabled since) */
  readonly sessions: Sessions;
}

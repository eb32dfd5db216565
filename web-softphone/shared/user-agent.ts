import { UserAgent, type UserAgentDelegate } from 'sip.js';
import { WebError } from './errors.ts';
import { sipLogConnector, type Logger } from './logger.ts';
import { SDH_FACTORY_OPTIONS } from './media.ts';

/** What the server hands a browser to reach it over SIP: the widget's one-call and the softphone's session access. */
export interface SipAccess {
  wsUrl: string;
  uri: string;
  authorizationUsername: string;
  authorizationPassword: string;
  displayName: string;
}

/** A sip.js user agent for our server: WebSocket transport, digest credentials, audio only, logs to our logger. */
export function createUserAgent(access: SipAccess, log: Logger, delegate: UserAgentDelegate, what = 'sip.uri'): UserAgent {
  const uri = UserAgent.makeURI(access.uri);
  if (!uri) throw new WebError('WEB_ERR_BAD_RESPONSE', `${what} "${access.uri}" is not a SIP URI`);
  return new UserAgent({
    uri,
    transportOptions: { server: access.wsUrl },
    authorizationUsername: access.authorizationUsername,
    authorizationPassword: access.authorizationPassword,
    displayName: access.displayName,
    sessionDescriptionHandlerFactoryOptions: SDH_FACTORY_OPTIONS,
    logBuiltinEnabled: false,
    logLevel: 'warn',
    logConfiguration: false,
    logConnector: sipLogConnector(log.child({ component: 'sip.js' })),
    delegate,
  });
}

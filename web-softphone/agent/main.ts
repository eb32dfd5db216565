/** Entry of the agent softphone page (/agent/). */
import { wireAccount } from '../shared/account.ts';
import { createLogger } from '../shared/logger.ts';
import { signInForm } from '../shared/sign-in.ts';
import { AgentApp } from './agent-app.ts';
import { AgentApi } from './api-client.ts';
import { AgentView } from './agent-view.ts';

// The entry point decides where log lines go: the browser console.
const log = createLogger((level, msg, fields) => console[level](`[agent] ${msg}`, fields), 'info');

signInForm(document); // (the view finds the form's fields by id)
const app = new AgentApp(new AgentView(document), new AgentApi(location.origin), location.origin, log, (hooks) => wireAccount(document, hooks));
void app.start();

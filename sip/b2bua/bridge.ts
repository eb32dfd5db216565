import type { IncomingCall } from './incoming-call.ts';
import type { OutgoingCall } from './outgoing-call.ts';
import { CallState } from './call-state.ts';

/**
 * Bridges an incoming leg to an outgoing leg, signalling only (SDP passed through unchanged):
 * 1xx -> progress, 2xx -> answer, failure -> reject, CANCEL -> cancel, BYE on either side -> BYE on the other,
 * re-INVITE offers relayed to the other leg. The call layer uses it as is, or as a template when media
 * must be anchored (it then rewrites SDP between the legs).
 */
export function bridge(a: IncomingCall, b: OutgoingCall): void {
  b.on('provisional', (status, sdp) => {
    if (a.state === CallState.Initial || a.state === CallState.Early) {
      if (status === 180 || status === 183) a.progress(status, sdp);
      else if (status === 181 || status === 182) a.progress(status);
    }
  });
  b.on('answered', (sdp) => {
    if (a.isClosed) {
      void b.bye().catch(() => {});
      return;
    }
    a.answer(sdp).catch(() => {
      void b.bye().catch(() => {});
    });
  });
  b.on('failed', (status, reason) => {
    if (!a.isClosed) a.reject(status >= 300 ? status : 500, reason);
  });
  a.on('cancel', () => b.cancel());
  a.on('bye', () => void b.bye().catch(() => {}));
  b.on('bye', () => void a.bye().catch(() => {}));
  a.on('close', (reason) => {
    if (reason !== 'bye' && !b.isClosed) void b.bye().catch(() => {});
  });
  b.on('close', (reason) => {
    if (reason !== 'bye' && !a.isClosed) void a.bye().catch(() => {});
  });
  a.setReinviteHandler((offer) => b.reinvite(offer));
  b.setReinviteHandler((offer) => a.reinvite(offer));
}

import { bridge, type IncomingCall, type PlaceCallOptions, type SipStack } from '../sip/index.ts';

/**
 * A fixed test route for the B2BUA (used by the interop tests and bench/sip.ts): every incoming call is
 * placed to `route(call)` and the two legs are bridged, signalling only (SDP passed through).
 */
export function startTestRouter(stack: SipStack, route: (call: IncomingCall) => PlaceCallOptions['target'] | undefined): void {
  stack.on('incomingCall', (call) => {
    const target = route(call);
    if (!target) {
      call.reject(404, 'Not Found');
      return;
    }
    let out;
    try {
      out = stack.placeCall({ target, from: `<${call.fromUri}>`, sdp: call.remoteSdp ?? '' });
    } catch {
      call.reject(480, 'Temporarily Unavailable');
      return;
    }
    bridge(call, out);
  });
}

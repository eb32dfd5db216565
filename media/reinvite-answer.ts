/**
 * Answering a re-INVITE from a leg whose media rtpengine already carries (hold and resume from a phone or the
 * browser softphone): the ports, codecs, ICE credentials and DTLS fingerprint stay as negotiated, so the answer is
 * our previous SDP for that leg with
 * - the direction mirrored from the new offer (RFC 3264 6.1: sendonly → recvonly, inactive → inactive,
 *   recvonly → sendonly, otherwise sendrecv),
 * - a=setup fixed to the DTLS role already in force (RFC 5763 5: an answer says active or passive, never actpass;
 *   RFC 4145 4.1 keeps the established connection): ours if we answered before, else the opposite of the peer's,
 * - the o= session version incremented (RFC 3264 8: a changed SDP has a higher version).
 */
export interface ReinviteAnswer {
  sdp: string;
  /** the offer puts the call on hold (sendonly or inactive) */
  hold: boolean;
}

const DIRECTIONS = ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const;
type Direction = (typeof DIRECTIONS)[number];

function audioDirection(sdp: string): Direction {
  const lines = sdp.split(/\r?\n/);
  let inAudio = false;
  let session: Direction = 'sendrecv';
  let media: Direction | undefined;
  for (const line of lines) {
    if (line.startsWith('m=')) inAudio = line.startsWith('m=audio');
    const m = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.exec(line);
    if (!m) continue;
    if (inAudio) media = m[1] as Direction;
    else session = m[1] as Direction;
  }
  return media ?? session;
}

const MIRROR: Record<Direction, Direction> = { sendrecv: 'sendrecv', sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive' };

export function answerReinvite(previousLocalSdp: string, previousRemoteSdp: string | undefined, offerSdp: string): ReinviteAnswer {
  if (typeof previousLocalSdp !== 'string' || previousLocalSdp.length === 0) throw new TypeError('previousLocalSdp must be an SDP string');
  const offered = audioDirection(offerSdp);
  const ours = MIRROR[offered];
  // Our role: what we said, if we already answered with a role; else the opposite of the role the peer took.
  const localSetup = /^a=setup:(\w+)/m.exec(previousLocalSdp)?.[1];
  const peerSetup = /^a=setup:(\w+)/m.exec(previousRemoteSdp ?? '')?.[1];
  const ourSetup =
    localSetup === 'active' || localSetup === 'passive' ? localSetup : peerSetup === 'passive' ? 'active' : 'passive';
  const eol = previousLocalSdp.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  let inAudio = false;
  let wroteDirection = false;
  for (const line of previousLocalSdp.split(/\r?\n/)) {
    if (line === '') continue;
    if (line.startsWith('m=')) {
      if (inAudio && !wroteDirection) out.push(`a=${ours}`);
      inAudio = line.startsWith('m=audio');
      wroteDirection = false;
    }
    if (/^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.test(line)) {
      if (inAudio && !wroteDirection) {
        out.push(`a=${ours}`);
        wroteDirection = true;
      }
      continue;
    }
    if (line.startsWith('a=setup:')) {
      out.push(`a=setup:${ourSetup}`);
      continue;
    }
    if (line.startsWith('o=')) {
      const parts = line.split(' ');
      if (parts.length >= 6 && /^\d+$/.test(parts[2]!)) parts[2] = String(BigInt(parts[2]!) + 1n);
      out.push(parts.join(' '));
      continue;
    }
    out.push(line);
  }
  if (inAudio && !wroteDirection) out.push(`a=${ours}`);
  return { sdp: out.join(eol) + eol, hold: offered === 'sendonly' || offered === 'inactive' };
}

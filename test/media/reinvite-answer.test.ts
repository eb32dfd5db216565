import { describe, expect, it } from 'vitest';
import { answerReinvite } from '../../media/reinvite-answer.ts';

const OURS = ['v=0', 'o=- 1545997027 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 30000 UDP/TLS/RTP/SAVPF 111 126',
  'a=rtpmap:111 opus/48000/2', 'a=sendrecv', 'a=setup:actpass', 'a=fingerprint:sha-256 AA:BB', ''].join('\r\n');
const THEIR_ANSWER = 'v=0\r\no=- 9 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendrecv\r\na=setup:active\r\n';
const offer = (dir: string) => `v=0\r\no=- 9 3 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=${dir}\r\na=setup:actpass\r\n`;

describe('answering a re-INVITE on an established leg', () => {
  it('a sendonly offer (hold) gets recvonly, the DTLS role in force and a higher version', () => {
    const a = answerReinvite(OURS, THEIR_ANSWER, offer('sendonly'));
    expect(a.hold).toBe(true);
    expect(a.sdp).toMatch(/^a=recvonly\r$/m);
    expect(a.sdp).not.toMatch(/a=sendrecv/);
    expect(a.sdp).toMatch(/^a=setup:passive\r$/m);
    expect(a.sdp).toMatch(/^o=- 1545997027 2 IN IP4/m);
    expect(a.sdp).toContain('m=audio 30000 UDP/TLS/RTP/SAVPF 111 126');
    expect(a.sdp).toContain('a=fingerprint:sha-256 AA:BB');
  });

  it('a sendrecv offer (resume) gets sendrecv and is not a hold', () => {
    const a = answerReinvite(OURS, THEIR_ANSWER, offer('sendrecv'));
    expect(a.hold).toBe(false);
    expect(a.sdp).toMatch(/^a=sendrecv\r$/m);
  });

  it('inactive stays inactive; an answer we gave keeps our own role', () => {
    const ourAnswer = OURS.replace('a=setup:actpass', 'a=setup:active');
    const a = answerReinvite(ourAnswer, offer('sendrecv'), offer('inactive'));
    expect(a.hold).toBe(true);
    expect(a.sdp).toMatch(/^a=inactive\r$/m);
    expect(a.sdp).toMatch(/^a=setup:active\r$/m);
  });

  it('plain RTP without a direction attribute gets one', () => {
    const plain = 'v=0\no=- 5 5 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 30002 RTP/AVP 0 101\na=rtpmap:0 PCMU/8000\n';
    const a = answerReinvite(plain, undefined, offer('sendonly'));
    expect(a.sdp).toBe('v=0\no=- 5 6 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 30002 RTP/AVP 0 101\na=rtpmap:0 PCMU/8000\na=recvonly\n');
  });
});

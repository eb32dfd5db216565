import { formatParams, isTokenChar, parseParams, quote, quotesBalanced, unquote } from './grammar.ts';
import { formatUri, isSipUri, parseUri, type AnyUri, type SipUri } from './uri.ts';

/**
 * name-addr / addr-spec with header parameters (RFC 3261 20.10, 20.20, 20.39, 25.1):
 *   [display-name] <URI> *(;param)   or   URI *(;param)
 * Used for From, To, Contact, Route, Record-Route, Refer-To, Path.
 */
export interface NameAddr {
  displayName: string | undefined;
  uri: AnyUri;
  params: Map<string, string | null>;
}

function checkDisplayName(d: string): string | undefined {
  const t = d.trim();
  if (t === '') return undefined;
  if (t.startsWith('"')) {
    if (!t.endsWith('"') || t.length < 2 || !quotesBalanced(t)) throw new SyntaxError('bad quoted display name');
    return unquote(t);
  }
  // *(token LWS): only token characters and whitespace
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c !== 32 && c !== 9 && !isTokenChar(c) && c < 128) {
      throw new SyntaxError(`display name has a character that needs quoting: "${t[i]}"`);
    }
  }
  return t;
}

/** Parses one name-addr or addr-spec with parameters. Throws SyntaxError naming the problem. */
export function parseNameAddr(text: string): NameAddr {
  const s = text.trim();
  if (!quotesBalanced(s)) throw new SyntaxError('unterminated quoted string');
  // find '<' outside quotes
  let lt = -1;
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inQuote) {
      if (c === 92) i++;
      else if (c === 34) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (c === 60) {
      lt = i;
      break;
    }
  }
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    if (gt < 0) throw new SyntaxError('missing ">"');
    const displayName = checkDisplayName(s.slice(0, lt));
    const uriText = s.slice(lt + 1, gt);
    if (uriText !== uriText.trim()) throw new SyntaxError('whitespace inside <>');
    const uri = parseUri(uriText);
    const params = parseParams(s.slice(gt + 1));
    return { displayName, uri, params };
  }
  if (s.startsWith('"')) throw new SyntaxError('display name without <URI>');
  // addr-spec: RFC 3261 20: the URI can't have ';' params, '?' or ',' — they belong to the header
  const semi = s.indexOf(';');
  const uriText = semi >= 0 ? s.slice(0, semi) : s;
  if (/\s/.test(uriText.trim())) throw new SyntaxError('whitespace in addr-spec');
  if (uriText.includes('?')) throw new SyntaxError('URI with headers must be enclosed in <>');
  const uri = parseUri(uriText.trim());
  const params = parseParams(semi >= 0 ? s.slice(semi) : '');
  return { displayName: undefined, uri, params };
}

export function formatNameAddr(n: NameAddr): string {
  const dn = n.displayName !== undefined ? `${quote(n.displayName)} ` : '';
  return `${dn}<${formatUri(n.uri)}>${formatParams(n.params)}`;
}

export function sipUriOf(n: NameAddr): SipUri | undefined {
  return isSipUri(n.uri) ? n.uri : undefined;
}

export function tagOf(n: NameAddr): string | undefined {
  const t = n.params.get('tag');
  return t === null ? undefined : t;
}

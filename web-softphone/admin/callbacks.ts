/**
 * The Callbacks form of the admin console: the prefixes agents may dial (`allowedPrefixes` of GET/PUT
 * /api/settings/callbacks) between the list the API holds and the text field the admin types in.
 */

/** "+372, +49  +358" -> ["+372", "+49", "+358"]; empty items go. Whether each is a prefix is the server's to judge. */
export function parsePrefixes(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

/** ["+372", "+49"] -> "+372, +49" (read back by parsePrefixes the same). */
export function formatPrefixes(prefixes: readonly string[]): string {
  return prefixes.join(', ');
}

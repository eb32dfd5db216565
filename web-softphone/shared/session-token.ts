/** A login token kept in sessionStorage under `key`: it survives a reload, not a closed tab. */
export function sessionTokenStore(key: string): { get(): string | null; set(token: string): void; clear(): void } {
  return {
    get(): string | null {
      try {
        return sessionStorage.getItem(key);
      } catch {
        return null;
      }
    },
    set(token: string): void {
      try {
        sessionStorage.setItem(key, token);
      } catch {
        // Storage refused: the token lives only as long as this page.
      }
    },
    clear(): void {
      try {
        sessionStorage.removeItem(key);
      } catch {
        // nothing stored
      }
    },
  };
}

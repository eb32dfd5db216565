/**
 * Where digest credentials come from. The database stores exactly username, realm, HA1 (MD5) and HA1 (SHA-256);
 * never the password (see ha1.ts computeHa1).
 */
export interface SipCredential {
  username: string;
  realm: string;
  ha1Md5: string;
  ha1Sha256: string;
  agentId?: string | undefined;
}

export interface CredentialStore {
  lookup(username: string): Promise<SipCredential | null>;
}

/** In-memory store for tests and the embedded default. */
export class MemoryCredentialStore implements CredentialStore {
  private readonly byUser = new Map<string, SipCredential>();

  set(cred: SipCredential): void {
    this.byUser.set(cred.username, { ...cred });
  }

  delete(username: string): void {
    this.byUser.delete(username);
  }

  async lookup(username: string): Promise<SipCredential | null> {
    const c = this.byUser.get(username);
    return c ? { ...c } : null;
  }
}

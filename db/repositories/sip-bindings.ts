import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** A registrar binding as the SIP layer defines it; stored whole as JSON, keyed by (aor, contact). */
export interface StoredBinding {
  aor: string;
  contact: string;
  expiresAt: number;
  [field: string]: unknown;
}

/** Registrar persistence on the database: bindings survive a restart (expired ones are dropped on load). */
export class DbBindingStore<B extends StoredBinding> {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  async loadAll(): Promise<B[]> {
    await this.db.deleteFrom('sip_bindings').where('expires_at', '<=', new Date(this.now())).execute();
    const rows = await this.db.selectFrom('sip_bindings').select('data').orderBy('aor').orderBy('contact').execute();
    return rows.map((r) => r.data as B);
  }

  async upsert(binding: B): Promise<void> {
    const values = {
      aor: binding.aor,
      contact: binding.contact,
      expires_at: new Date(binding.expiresAt),
      data: JSON.stringify(binding),
    };
    await this.db
      .insertInto('sip_bindings')
      .values(values)
      .onConflict((oc) => oc.columns(['aor', 'contact']).doUpdateSet({ ...values, updated_at: new Date() }))
      .execute();
  }

  async remove(aor: string, contact: string): Promise<void> {
    await this.db.deleteFrom('sip_bindings').where('aor', '=', aor).where('contact', '=', contact).execute();
  }
}

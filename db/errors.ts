/** Errors the repositories raise for the caller to map (the HTTP layer maps them in one place). */

/** A unique name is already taken. */
export class DuplicateError extends Error {
  override readonly name = 'DuplicateError';
  constructor(
    readonly entity: string,
    readonly field: string,
    readonly value: string,
  ) {
    super(`${entity} with ${field} ${JSON.stringify(value)} already exists`);
  }
}

/** A reference names something that does not exist (a queue requiring an unknown skill). */
export class UnknownReferenceError extends Error {
  override readonly name = 'UnknownReferenceError';
  constructor(
    readonly field: string,
    readonly value: string,
    reason = `unknown ${JSON.stringify(value)}`,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * A value breaks a rule that spans fields (an IVR menu's prompt lacks the menu's language). The repository checks
 * such rules on the record as it will be stored, so a partial update cannot break them either.
 */
export class InvalidValueError extends Error {
  override readonly name = 'InvalidValueError';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** The thing is still referenced and cannot be deleted. */
export class InUseError extends Error {
  override readonly name = 'InUseError';
}

/** PostgreSQL unique_violation, from node-postgres or PGlite. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/** PostgreSQL foreign_key_violation, or restrict_violation (PostgreSQL 17, as in PGlite, raises it for RESTRICT). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === '23503' || code === '23001';
}

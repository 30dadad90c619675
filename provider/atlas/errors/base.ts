/**
 * The root of the package's one error family. Every failure the package raises is an `AtlasError`
 * with a pinned `name`, a stable `kind`, and (where it has one) a stable `errorCode`: decide on
 * those, never on message text.
 *
 * Guards check a `Symbol.for` brand and `kind` rather than `instanceof`, because the Pulumi closure
 * serializer can load a second copy of this package in the same process (see runtime.ts).
 */

const BRAND = Symbol.for("pulumi-atlas-org-invitations.AtlasError");

/** One value per failure kind; each has its own class. */
export type AtlasErrorKind =
  | "api"
  | "network"
  | "timeout"
  | "protocol"
  | "authentication"
  | "proxy"
  | "tls"
  | "deadline"
  | "configuration"
  | "validation"
  | "conflict"
  | "state";

/** The request an error is about. */
export interface RequestLine {
  /** Upper-case HTTP method. */
  method: string;
  /** Path and query, without the base URL. */
  path: string;
}

/** Base of every error this package throws. Messages and `toJSON()` never hold a secret. */
export abstract class AtlasError extends Error {
  abstract readonly kind: AtlasErrorKind;
  readonly [BRAND] = true;
  /**
   * What the caller's edge added to the message: how its audience changes a setting the error
   * names (a config command for the provider, an environment variable for the CLI).
   */
  advice: string | undefined;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }

  /** Appends `advice` to the message, once (a second call changes nothing); returns this error. */
  withAdvice(advice: string): this {
    if (this.advice === undefined && advice !== "") {
      this.advice = advice;
      this.message = `${this.message} ${advice}`;
    }
    return this;
  }

  /** Stable, secret-free fields for logs and JSON output. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, message: this.message };
  }
}

function hasBrand(value: unknown): value is { kind: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}

/** Whether `value` is any error of this package (works across two loaded copies). */
export function isAtlasError(value: unknown): value is AtlasError {
  return hasBrand(value);
}

/** A guard for one `kind`, working across two loaded copies of the package. */
export function kindGuard<T extends AtlasError>(
  kind: AtlasErrorKind,
): (value: unknown) => value is T {
  return (value: unknown): value is T => hasBrand(value) && value.kind === kind;
}

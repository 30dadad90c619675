/**
 * A credential value that cannot leak by accident: `String()`, JSON, `util.inspect` and template
 * literals all print `[redacted]`. Only `reveal()` returns the value, and only auth code calls it.
 * The value lives in a closure, not in a property, so no serializer or logger that walks objects
 * can reach it.
 */
import { inspect } from "node:util";

const REDACTED = "[redacted]";
const SECRET_BRAND = Symbol.for("pulumi-atlas-org-invitations.Secret");

/**
 * A credential value that prints as `[redacted]` everywhere (string, JSON, `util.inspect`);
 * `reveal()` returns it.
 */
export class Secret {
  readonly reveal: () => string;
  readonly [SECRET_BRAND] = true;

  constructor(value: string) {
    this.reveal = () => value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

export function isSecret(value: unknown): value is Secret {
  return typeof value === "object" && value !== null && SECRET_BRAND in value;
}

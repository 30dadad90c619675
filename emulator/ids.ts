import { randomBytes } from "node:crypto";

/** Atlas ids are 24 lowercase hex digits (openapi slice: `^([a-f0-9]{24})$`). */
export const ID_PATTERN = /^[a-f0-9]{24}$/;

export function newId(): string {
  return randomBytes(12).toString("hex");
}

export function isId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

/**
 * The `email` format of ajv-formats (fast mode), so that every username the emulator accepts also
 * passes the contract tests' `format: email` check on the way back out.
 */
const EMAIL =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function isEmail(value: unknown): value is string {
  return typeof value === "string" && value.length <= 254 && EMAIL.test(value);
}

/** ISO-8601 UTC without milliseconds, the way Atlas prints timestamps. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

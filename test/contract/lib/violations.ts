/** The violation record, and how ajv errors and HTTP details become readable messages. */
import type { ErrorObject, ValidateFunction } from "ajv";

export interface ContractViolation {
  where: "request" | "response";
  operationId: string | undefined;
  method: string;
  path: string;
  status?: number;
  message: string;
}

/** Collects violations that share where/operation/path, each message prefixed with `label`. */
export function collector(
  base: Omit<ContractViolation, "message">,
  label: string,
): { out: ContractViolation[]; fail: (message: string) => void } {
  const out: ContractViolation[] = [];
  return { out, fail: (message) => out.push({ ...base, message: `${label}: ${message}` }) };
}

export function formatAjvErrors(
  errors: readonly ErrorObject[] | null | undefined,
  hint: (e: ErrorObject) => string = () => "",
): string[] {
  return (errors ?? []).map((e) => {
    const at = e.instancePath === "" ? "body" : e.instancePath;
    const p = e.params as Record<string, unknown>;
    const extra =
      e.keyword === "additionalProperties"
        ? ` (${JSON.stringify(p["additionalProperty"])})`
        : e.keyword === "enum"
          ? ` ${JSON.stringify(p["allowedValues"])}`
          : e.keyword === "discriminator"
            ? ` (got ${JSON.stringify(p["tagValue"])})`
            : "";
    return `${at} ${e.message ?? "is invalid"}${extra}${hint(e)}`;
  });
}

export function runSchema(
  validate: ValidateFunction,
  data: unknown,
  hint?: (e: ErrorObject) => string,
): string[] {
  return validate(data) ? [] : formatAjvErrors(validate.errors, hint);
}

export function describeViolations(violations: readonly ContractViolation[]): string {
  return violations.map((v, i) => `  ${i + 1}. ${v.message}`).join("\n");
}

/** `application/vnd.atlas.YYYY-MM-DD+json`, the Atlas Admin API v2 versioned media type. */
export const VERSIONED = /^application\/vnd\.atlas\.\d{4}-\d{2}-\d{2}\+json$/;

export function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** `Type/Subtype; charset=utf-8` -> `type/subtype`. */
export function mediaTypeOf(header: string): string {
  return (header.split(";")[0] ?? "").trim().toLowerCase();
}

/** The versioned media types named in an Accept header (q and other parameters dropped). */
export function acceptedVersions(accept: string | undefined): string[] {
  return (accept ?? "")
    .split(",")
    .map(mediaTypeOf)
    .filter((t) => VERSIONED.test(t));
}

export function hasBody(body: unknown): boolean {
  return body !== undefined && body !== null && body !== "";
}

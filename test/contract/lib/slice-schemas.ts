/**
 * The OpenAPI slice as ajv 8 schemas. The slice is loaded once and registered twice, as a request
 * view and a response view, each a whole document with an `$id` so that the `#/components/...`
 * references inside it resolve. Compiled validators are addressed by JSON pointer into that view.
 *
 * OpenAPI 3.0 details handled here:
 * - `nullable: true` is an ajv 8 keyword (it needs a sibling `type`, which the slice always has).
 * - `\p{L}` patterns (OrganizationInvitation.orgName) need the `u` flag: ajv's `unicodeRegExp`
 *   default (true).
 * - `readOnly`/`writeOnly` (OAS 3.0.1 Schema Object): a readOnly property is "sent as part of the
 *   response but not as part of the request", and is only required in responses; writeOnly is the
 *   mirror image. The request view therefore drops readOnly properties from `required` and fails
 *   any readOnly value present; the response view does the same for writeOnly.
 * - The request view also closes request objects (`additionalProperties: false`): Atlas answers
 *   400 INVALID_ATTRIBUTE to a field it does not know, so a client that sends one (say the
 *   invitation's readOnly `id`) is off-contract. Responses stay open: Atlas adds fields.
 * - The OrgUserResponse cycle, and two upstream defects read as meant rather than as written:
 *   see readings.ts.
 * - The response view then takes the deviations real Atlas answers show (recorded-deviations.ts),
 *   each widening one schema spot. A view is registered per set of allowances, so a test can
 *   validate with one of them switched off.
 */
import Ajv from "ajv";
import type { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { breakDiscriminatorCycles, notReturned, undoDoubleEscape } from "./readings";
import type { DeviationId } from "./recorded-deviations";
import { ALL_DEVIATIONS, RECORDED_DEVIATIONS } from "./recorded-deviations";

export type JsonSchema = Record<string, unknown>;

export interface ParameterObject {
  $ref?: string;
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema: JsonSchema;
}

export interface MediaTypeObject {
  schema?: JsonSchema;
}

export interface HeaderObject {
  $ref?: string;
  schema?: JsonSchema;
}

export interface ResponseObject {
  $ref?: string;
  content?: Record<string, MediaTypeObject>;
  headers?: Record<string, HeaderObject>;
}

export interface OperationObject {
  operationId: string;
  parameters?: ParameterObject[];
  requestBody?: { content: Record<string, MediaTypeObject>; required?: boolean };
  responses: Record<string, ResponseObject>;
}

export interface SpecDocument {
  paths: Record<string, Partial<Record<string, OperationObject>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, ParameterObject>;
    responses: Record<string, ResponseObject>;
    headers: Record<string, HeaderObject>;
  };
}

export const SLICE_PATH = join(
  __dirname,
  "..",
  "..",
  "..",
  "openapi",
  "atlas-admin-v2-org-invites-users.json",
);

export const spec = JSON.parse(readFileSync(SLICE_PATH, "utf8")) as SpecDocument;

const FORBIDDEN_READ_ONLY = "x-contract-readOnly";
const FORBIDDEN_WRITE_ONLY = "x-contract-writeOnly";

export type Direction = "request" | "response";

const VIEW_BASE = "https://contract.test/atlas-admin-v2-org-invites-users";

/** The view's `$id`: requests have one view, responses one per set of allowances. */
function viewId(direction: Direction, allowances: ReadonlySet<DeviationId>): string {
  if (direction === "request") return `${VIEW_BASE}.request.json`;
  const on = RECORDED_DEVIATIONS.map((d) => d.id).filter((id) => allowances.has(id));
  return `${VIEW_BASE}.response.${on.length === RECORDED_DEVIATIONS.length ? "recorded" : on.join("+") || "literal"}.json`;
}

const ajv = new Ajv({ strict: false, allErrors: true, discriminator: true });
addFormats(ajv);
ajv.addKeyword({
  keyword: FORBIDDEN_READ_ONLY,
  errors: false,
  validate: () => false,
  error: { message: "is readOnly: only Atlas sets it, a request must not send it" },
});
ajv.addKeyword({
  keyword: FORBIDDEN_WRITE_ONLY,
  errors: false,
  validate: () => false,
  error: { message: "is writeOnly: a response must not carry it" },
});

const registered = new Set<string>();

/** Registers a view the first time it is asked for; returns its `$id`. */
function ensureView(direction: Direction, allowances: ReadonlySet<DeviationId>): string {
  const id = viewId(direction, allowances);
  if (!registered.has(id)) {
    ajv.addSchema({ ...deriveView(spec, direction, allowances), $id: id });
    registered.add(id);
  }
  return id;
}

/** Query and path parameters arrive as strings: coerce them to the declared types first. */
const paramAjv = new Ajv({ strict: false, allErrors: true, coerceTypes: "array" });
addFormats(paramAjv);

function deriveView(
  source: SpecDocument,
  direction: Direction,
  allowances: ReadonlySet<DeviationId>,
): JsonSchema {
  const doc = structuredClone(source) as SpecDocument;
  breakDiscriminatorCycles(doc.components.schemas);
  if (direction === "response") {
    for (const deviation of RECORDED_DEVIATIONS) {
      if (allowances.has(deviation.id)) deviation.widen(doc.components.schemas);
    }
  }
  const hidden = direction === "request" ? "readOnly" : "writeOnly";
  const marker = direction === "request" ? FORBIDDEN_READ_ONLY : FORBIDDEN_WRITE_ONLY;
  const isHidden = (s: JsonSchema): boolean => {
    const ref = s["$ref"];
    const target = typeof ref === "string" ? doc.components.schemas[ref.split("/").pop() ?? ""] : s;
    return target?.[hidden] === true;
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== "object" || node === null) return;
    const s = node as JsonSchema;
    Object.values(s).forEach(visit);
    if (s[hidden] === true) s[marker] = true;
    if (typeof s["pattern"] === "string") s["pattern"] = undoDoubleEscape(s["pattern"]);
    const properties = s["properties"] as Record<string, JsonSchema> | undefined;
    if (properties === undefined) return;
    if (Array.isArray(s["required"])) {
      s["required"] = (s["required"] as string[]).filter((p) => {
        const prop = properties[p];
        if (prop === undefined) return true;
        return !isHidden(prop) && !(direction === "response" && notReturned(prop));
      });
    }
    const composed = "allOf" in s || "oneOf" in s || "anyOf" in s;
    if (direction === "request" && !composed && !("additionalProperties" in s)) {
      s["additionalProperties"] = false;
    }
  };
  visit(doc.components.schemas);
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      if (op === undefined) continue;
      visit(direction === "request" ? op.requestBody : op.responses);
    }
  }
  return doc as unknown as JsonSchema;
}

const cache = new Map<string, ValidateFunction>();

/**
 * A validator for the schema at `pointer` (a JSON pointer into the slice) in one direction.
 * Responses are read with the recorded deviations in `allowances` (default: all of them);
 * requests always strictly.
 */
export function schemaValidator(
  direction: Direction,
  pointer: string,
  allowances: ReadonlySet<DeviationId> = ALL_DEVIATIONS,
): ValidateFunction {
  const view = ensureView(direction, allowances);
  const key = `${view}#${pointer.split("/").map(encodeURIComponent).join("/")}`;
  let validate = cache.get(key);
  if (validate === undefined) {
    validate = ajv.getSchema(key);
    if (validate === undefined) throw new Error(`contract: no schema at ${direction} ${pointer}`);
    cache.set(key, validate);
  }
  return validate;
}

const paramCache = new WeakMap<ParameterObject, ValidateFunction>();

export function compileParameter(p: ParameterObject): ValidateFunction {
  let validate = paramCache.get(p);
  if (validate === undefined) {
    validate = paramAjv.compile(p.schema);
    paramCache.set(p, validate);
  }
  return validate;
}

function componentName(ref: string, kind: "parameters" | "responses"): string {
  const prefix = `#/components/${kind}/`;
  if (!ref.startsWith(prefix)) throw new Error(`contract: unexpected $ref ${ref}`);
  return ref.slice(prefix.length);
}

export function resolveParameter(p: ParameterObject): ParameterObject {
  if (p.$ref === undefined) return p;
  const target = spec.components.parameters[componentName(p.$ref, "parameters")];
  if (target === undefined) throw new Error(`contract: ${p.$ref} not found`);
  return target;
}

/** The response object and the JSON pointer it lives at (its component when it is a $ref). */
export function resolveResponse(
  r: ResponseObject,
  pointer: string,
): { response: ResponseObject; pointer: string } {
  if (r.$ref === undefined) return { response: r, pointer };
  const name = componentName(r.$ref, "responses");
  const target = spec.components.responses[name];
  if (target === undefined) throw new Error(`contract: ${r.$ref} not found`);
  return { response: target, pointer: `/components/responses/${name}` };
}

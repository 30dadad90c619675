/**
 * Request rules: path and query parameters against their schemas, a versioned Accept the
 * operation serves, and the body against the requestBody schema for the Content-Type sent.
 */
import type { ErrorObject } from "ajv";
import { escapePointer, findRoute } from "./routes";
import {
  compileParameter,
  resolveParameter,
  resolveResponse,
  schemaValidator,
  spec,
} from "./slice-schemas";
import type { JsonSchema, OperationObject, ParameterObject } from "./slice-schemas";
import {
  acceptedVersions,
  collector,
  formatAjvErrors,
  hasBody,
  lowerKeys,
  mediaTypeOf,
  runSchema,
} from "./violations";
import type { ContractViolation } from "./violations";

export interface RequestExchange {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

export function validateRequest(ex: RequestExchange): ContractViolation[] {
  const found = findRoute(ex.method, ex.path);
  if (found === undefined) return [];
  const { route, params: pathParams } = found;
  const { out, fail } = collector(
    { where: "request", operationId: route.operationId, method: route.method, path: ex.path },
    `request for ${route.method} ${route.pathTemplate}`,
  );
  const params = (route.op.parameters ?? []).map(resolveParameter);
  checkParameters(params, "path", pathParams, fail);
  checkParameters(params, "query", ex.query, fail);

  const headers = lowerKeys(ex.headers);
  const served = servedMediaTypes(route.op);
  const versions = acceptedVersions(headers["accept"]);
  if (versions.length === 0) {
    fail(`Accept ${JSON.stringify(headers["accept"] ?? "")} names no versioned media type`);
  }
  for (const v of versions) {
    if (!served.includes(v)) fail(`Accept ${v} is not served (declared: ${served.join(", ")})`);
  }

  const requestBody = route.op.requestBody;
  if (requestBody === undefined) {
    if (hasBody(ex.body)) fail("sends a body but the operation declares no requestBody");
    return out;
  }
  if (!hasBody(ex.body)) {
    if (requestBody.required === true) fail("requestBody is required but none was sent");
    return out;
  }
  const contentType = mediaTypeOf(headers["content-type"] ?? "");
  const declared = Object.keys(requestBody.content);
  if (!declared.includes(contentType)) {
    fail(`Content-Type ${JSON.stringify(contentType)} is not declared (${declared.join(", ")})`);
    return out;
  }
  const validate = schemaValidator(
    "request",
    `${route.pointer}/requestBody/content/${escapePointer(contentType)}/schema`,
  );
  const readOnly = responseReadOnlyNames(route.op);
  const hint = (e: ErrorObject): string => {
    const name = (e.params as Record<string, unknown>)["additionalProperty"];
    return e.keyword === "additionalProperties" && e.instancePath === "" && readOnly.has(`${name}`)
      ? ": it is readOnly in the response, only Atlas sets it"
      : "";
  };
  for (const message of runSchema(validate, ex.body, hint)) fail(message);
  return out;
}

function checkParameters(
  params: ParameterObject[],
  location: "path" | "query",
  values: Record<string, string>,
  fail: (message: string) => void,
): void {
  const declared = params.filter((p) => p.in === location);
  for (const name of Object.keys(values)) {
    if (!declared.some((p) => p.name === name)) fail(`undeclared ${location} parameter "${name}"`);
  }
  for (const p of declared) {
    const raw = values[p.name];
    if (raw === undefined) {
      if (p.required === true) fail(`missing required ${location} parameter "${p.name}"`);
      continue;
    }
    // Exchange queries are flattened to one string per name; a repeated array parameter
    // (style=form, explode=true, the OpenAPI default) arrives comma-joined.
    const value = p.schema["type"] === "array" ? raw.split(",") : raw;
    const validate = compileParameter(p);
    if (validate(value)) continue;
    for (const m of formatAjvErrors(validate.errors)) {
      fail(`${location} parameter "${p.name}"=${JSON.stringify(raw)}: ${m.replace(/^body /, "")}`);
    }
  }
}

/** Media types of the operation's success responses: what an Accept header may ask for. */
function servedMediaTypes(op: OperationObject): string[] {
  const types = Object.entries(op.responses)
    .filter(([status]) => status.startsWith("2"))
    .flatMap(([, r]) => Object.keys(resolveResponse(r, "").response.content ?? {}));
  return [...new Set(types)];
}

/**
 * Top-level readOnly property names of the operation's success schemas (e.g. the invitation's
 * `id`), to explain why the closed request schema refuses them.
 */
function responseReadOnlyNames(op: OperationObject): Set<string> {
  const names = new Set<string>();
  const collect = (schema: JsonSchema | undefined): void => {
    const s = deref(schema);
    if (s === undefined) return;
    if (s["type"] === "array") return collect(s["items"] as JsonSchema | undefined);
    for (const part of (s["allOf"] as JsonSchema[] | undefined) ?? []) collect(part);
    const properties = (s["properties"] as Record<string, JsonSchema> | undefined) ?? {};
    for (const [name, prop] of Object.entries(properties)) {
      if (deref(prop)?.["readOnly"] === true) names.add(name);
    }
  };
  for (const [status, r] of Object.entries(op.responses)) {
    if (!status.startsWith("2")) continue;
    for (const media of Object.values(resolveResponse(r, "").response.content ?? {})) {
      collect(media.schema);
    }
  }
  return names;
}

function deref(schema: JsonSchema | undefined): JsonSchema | undefined {
  const ref = schema?.["$ref"];
  return typeof ref === "string" ? spec.components.schemas[ref.split("/").pop() ?? ""] : schema;
}

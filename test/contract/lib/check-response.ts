/**
 * Response rules: a declared (or common error) status, declared headers, a declared media type,
 * the body against the schema for that status and media type, no body where none is declared.
 */
import type { DeviationId } from "./recorded-deviations";
import { ALL_DEVIATIONS, DIGEST_401_SCHEMA } from "./recorded-deviations";
import { escapePointer, findRoute } from "./routes";
import { resolveResponse, schemaValidator, spec } from "./slice-schemas";
import type { JsonSchema } from "./slice-schemas";
import {
  acceptedVersions,
  collector,
  hasBody,
  lowerKeys,
  mediaTypeOf,
  runSchema,
} from "./violations";
import type { ContractViolation } from "./violations";

/**
 * Statuses any operation may answer even where its `responses` do not list them, always with an
 * `ApiError` body served as `application/json`: the statuses of the spec's shared
 * `components/responses` (Atlas answers them platform-wide: 409 on a duplicate invitation,
 * 410 VERSION_GONE after a sunset, 503 in maintenance...), plus 406 for an `Accept` version the
 * operation does not serve (RFC 9110 §15.5.7) and 415 for a Content-Type it does not take
 * (RFC 9110 §15.5.16), both checked against the badRequest shape (ApiError, application/json).
 * Anything else (201 for createOrgInvite, 418, 502...) is off-contract.
 */
const COMMON_ERROR_RESPONSES: Readonly<Record<number, string>> = {
  400: "badRequest",
  401: "unauthorized",
  402: "paymentRequired",
  403: "forbidden",
  404: "notFound",
  405: "methodNotAllowed",
  406: "badRequest",
  409: "conflict",
  410: "gone",
  415: "badRequest",
  429: "tooManyRequests",
  500: "internalServerError",
  503: "serviceUnavailable",
};

export interface ResponseExchange {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** The request's Accept header; when given, a success must answer in the negotiated version. */
  accept?: string;
  /** Skip the body: the emulator sent deliberately malformed bytes (FaultSpec.malformedBody). */
  skipBody?: boolean;
  /**
   * The answer is an injected fault (emulator FaultSpec): it may use a status or a header form the
   * spec does not declare (a gateway's 502, an HTTP-date Retry-After) to test the client beyond
   * the contract, but an error it answers must still be an ApiError served as application/json.
   */
  injected?: boolean;
  /**
   * The recorded deviations of real Atlas answers to allow (recorded-deviations.ts).
   * @default all of them; an empty set validates against the slice as written
   */
  allowances?: ReadonlySet<DeviationId>;
}

export function validateResponse(ex: ResponseExchange): ContractViolation[] {
  const found = findRoute(ex.method, ex.path);
  if (found === undefined) return [];
  const { route } = found;
  const { out, fail } = collector(
    {
      where: "response",
      operationId: route.operationId,
      method: route.method,
      path: ex.path,
      status: ex.status,
    },
    `response ${ex.status} for ${route.method} ${route.pathTemplate}`,
  );
  const headers = lowerKeys(ex.headers);
  const declaredRef = route.op.responses[String(ex.status)];
  const common = COMMON_ERROR_RESPONSES[ex.status];
  const resolved =
    declaredRef !== undefined
      ? resolveResponse(declaredRef, `${route.pointer}/responses/${ex.status}`)
      : common !== undefined
        ? resolveResponse({ $ref: `#/components/responses/${common}` }, "")
        : ex.injected === true && ex.status >= 400
          ? resolveResponse({ $ref: "#/components/responses/badRequest" }, "")
          : undefined;
  if (resolved === undefined) {
    const declared = Object.keys(route.op.responses).join(", ");
    fail(`status ${ex.status} is not declared (declared: ${declared}) nor a common error status`);
    return out;
  }
  const { response, pointer } = resolved;

  for (const [name, header] of Object.entries(
    ex.injected === true ? {} : (response.headers ?? {}),
  )) {
    const raw = headers[name.toLowerCase()];
    const schema = header.schema ?? headerSchema(header.$ref);
    if (raw !== undefined && schema["type"] === "integer" && !/^\d+$/.test(raw.trim())) {
      fail(`header ${name}=${JSON.stringify(raw)} must be an integer`);
    }
  }

  const content = response.content ?? {};
  const withSchema = Object.keys(content).filter((t) => content[t]?.schema !== undefined);
  if (withSchema.length === 0) {
    if (hasBody(ex.body)) fail("must not have a body (the spec declares no response schema)");
    return out;
  }
  const contentType = mediaTypeOf(headers["content-type"] ?? "");
  if (!withSchema.includes(contentType)) {
    fail(`Content-Type ${JSON.stringify(contentType)} is not declared (${withSchema.join(", ")})`);
    return out;
  }
  const asked = acceptedVersions(ex.accept);
  if (ex.status < 300 && asked.length > 0 && !asked.includes(contentType)) {
    fail(`Content-Type ${contentType} differs from the negotiated ${asked.join(", ")}`);
  }
  if (ex.skipBody === true) return out;
  if (ex.body === undefined) {
    fail("has no body but the spec declares one");
    return out;
  }
  const allowances = ex.allowances ?? ALL_DEVIATIONS;
  const digestChallenge = ex.status === 401 && /^digest\s/i.test(headers["www-authenticate"] ?? "");
  const validate = schemaValidator(
    "response",
    digestChallenge && allowances.has("digest401WithoutErrorCode")
      ? `/components/schemas/${DIGEST_401_SCHEMA}`
      : `${pointer}/content/${escapePointer(contentType)}/schema`,
    allowances,
  );
  for (const message of runSchema(validate, ex.body)) fail(message);
  return out;
}

function headerSchema(ref: string | undefined): JsonSchema {
  return spec.components.headers[ref?.split("/").pop() ?? ""]?.schema ?? {};
}

/**
 * Contract validator for the vendored OpenAPI slice (openapi/atlas-admin-v2-org-invites-users.json).
 * Every request the client sends and every response the emulator gives in the test suite goes
 * through `validateExchange` (wired by test/support/emulator.ts); a divergence fails the test.
 *
 * The pieces live in test/contract/lib/: slice-schemas.ts (the slice as ajv 8 schemas, with the
 * OpenAPI 3.0 readings explained), routes.ts, check-request.ts, check-response.ts.
 */
import type { Exchange } from "../../emulator";
import { validateRequest } from "../contract/lib/check-request";
import { validateResponse } from "../contract/lib/check-response";
import { findRoute, routes } from "../contract/lib/routes";
import { lowerKeys } from "../contract/lib/violations";
import type { ContractViolation } from "../contract/lib/violations";

export type { ContractViolation } from "../contract/lib/violations";
export { describeViolations } from "../contract/lib/violations";
export { validateRequest } from "../contract/lib/check-request";
export { validateResponse } from "../contract/lib/check-response";

export function sliceOperations(): { operationId: string; method: string; pathTemplate: string }[] {
  return routes.map(({ operationId, method, pathTemplate }) => ({
    operationId,
    method,
    pathTemplate,
  }));
}

export function matchOperation(
  method: string,
  pathname: string,
): { operationId: string; pathTemplate: string; params: Record<string, string> } | undefined {
  const found = findRoute(method, pathname);
  if (found === undefined) return undefined;
  const { route, params } = found;
  return { operationId: route.operationId, pathTemplate: route.pathTemplate, params };
}

/**
 * Both halves of one emulator exchange. Exchanges outside the slice (OAuth token, emulator
 * control routes, unknown routes the emulator refuses) carry no contract and yield nothing.
 * `options` carry what only the emulator's log knows: `injected`, the answer came from an
 * injected fault (see ResponseExchange.injected); `malformedBody`, its body was deliberately not
 * JSON (FaultSpec.malformedBody), so only status and media type are checked.
 */
export function validateExchange(
  exchange: Exchange,
  options: { injected?: boolean; malformedBody?: boolean } = {},
): ContractViolation[] {
  const hit = matchOperation(exchange.method, exchange.path);
  if (hit === undefined) return [];
  const out = validateRequest({
    method: exchange.method,
    path: exchange.path,
    query: exchange.query,
    headers: exchange.requestHeaders,
    body: exchange.requestBody,
  });
  if (exchange.operationId !== undefined && exchange.operationId !== hit.operationId) {
    out.push({
      where: "response",
      operationId: hit.operationId,
      method: exchange.method.toUpperCase(),
      path: exchange.path,
      status: exchange.status,
      message: `the emulator labelled ${exchange.method} ${exchange.path} as ${exchange.operationId}; the slice says ${hit.operationId}`,
    });
  }
  // Status 0: the socket was destroyed by an injected reset, no response exists to check.
  if (exchange.status === 0) return out;
  const accept = lowerKeys(exchange.requestHeaders)["accept"];
  return out.concat(
    validateResponse({
      method: exchange.method,
      path: exchange.path,
      status: exchange.status,
      headers: exchange.responseHeaders,
      body: exchange.responseBody,
      ...(accept !== undefined ? { accept } : {}),
      skipBody: options.malformedBody === true,
      injected: options.injected === true,
    }),
  );
}

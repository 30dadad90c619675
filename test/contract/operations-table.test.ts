/**
 * The client's one description of each Atlas operation (provider/atlas/operations.ts) against the
 * OpenAPI slice: operationId, method, path template, the version's media type on the success
 * answer (and on the request body), the answer and body schemas, the query parameters, and the
 * path parameter that names the rate-limit scope. An entry that drifts from the slice fails here.
 */
import { OPERATIONS } from "../../provider/atlas/operations";
import { mediaType } from "../../provider/atlas/types";
import { routes } from "./lib/routes";
import type { Route } from "./lib/routes";
import { resolveParameter, resolveResponse } from "./lib/slice-schemas";
import type { JsonSchema } from "./lib/slice-schemas";

const entries = Object.entries(OPERATIONS);

/** Slice operations the client does not call, each for a reason (operations.ts). */
const UNUSED = ["updateOrgInvites"];

function routeOf(operationId: string): Route {
  const route = routes.find((r) => r.operationId === operationId);
  if (route === undefined) throw new Error(`${operationId} is not in the slice`);
  return route;
}

/** A schema as the table names it: the component's name, `Name[]` for an array of them. */
function schemaName(schema: JsonSchema | undefined): string | undefined {
  if (schema === undefined) return undefined;
  const ref = schema["$ref"];
  if (typeof ref === "string") return ref.split("/").pop();
  if (schema["type"] === "array") return `${schemaName(schema["items"] as JsonSchema)}[]`;
  return "an inline schema";
}

describe("the operations table", () => {
  it("describes every operation of the slice the client calls, once, under its operationId", () => {
    for (const [key, op] of entries) expect(op.operationId).toBe(key);
    const described = entries.map(([, op]) => op.operationId);
    expect(new Set(described).size).toBe(described.length);
    expect([...described, ...UNUSED].sort()).toEqual(routes.map((r) => r.operationId).sort());
  });

  it.each(entries)("%s has the slice's method and path template", (_id, op) => {
    const route = routeOf(op.operationId);
    expect({ method: op.method, path: op.path }).toEqual({
      method: route.method,
      path: route.pathTemplate,
    });
  });

  it.each(entries)(
    "%s's version is served on its success answer, whose status and schema are the slice's",
    (_id, op) => {
      const route = routeOf(op.operationId);
      const declared = route.op.responses[String(op.answer.status)];
      expect(declared).toBeDefined();
      const { response } = resolveResponse(declared ?? {}, "");
      const content = response.content ?? {};
      expect(Object.keys(content)).toContain(mediaType(op.version));
      expect(schemaName(content[mediaType(op.version)]?.schema)).toBe(op.answer.schema);
      // An answer with a schema is checked; one without (204) is not read.
      expect(op.answer.check !== undefined).toBe(op.answer.schema !== undefined);
    },
  );

  it.each(entries)("%s sends the slice's request body, in its version", (_id, op) => {
    const { requestBody } = routeOf(op.operationId).op;
    if (op.requestBody === undefined) {
      expect(requestBody).toBeUndefined();
      return;
    }
    const media = requestBody?.content[mediaType(op.version)];
    expect(media).toBeDefined();
    expect(schemaName(media?.schema)).toBe(op.requestBody);
  });

  it.each(entries)("%s sends only query parameters the slice declares", (_id, op) => {
    const declared = (routeOf(op.operationId).op.parameters ?? [])
      .map(resolveParameter)
      .filter((p) => p.in === "query")
      .map((p) => p.name);
    for (const name of op.query) expect(declared).toContain(name);
  });

  it.each(entries)(
    "%s draws on the organization's token bucket, named by its orgId path parameter",
    (_id, op) => {
      const pathParams = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect(pathParams).toContain(op.scope.organization);
      expect(op.scope.organization).toBe("orgId");
    },
  );

  it("counts exactly the calls that can send an invitation towards the invitation limit", () => {
    expect(entries.filter(([, op]) => op.sendsInvitation).map(([id]) => id)).toEqual([
      "createOrgInvite",
      "updateOrgInviteById",
      "createOrgUser",
      "updateOrgUser",
    ]);
  });
});

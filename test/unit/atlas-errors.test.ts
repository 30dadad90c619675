import { inspect } from "node:util";
import {
  AtlasApiError,
  AtlasNetworkError,
  AtlasProtocolError,
  AtlasTimeoutError,
  isAtlasApiError,
  isAtlasError,
  isAtlasNetworkError,
  isAtlasProtocolError,
  isAtlasTimeoutError,
} from "../../provider/atlas/errors";
import type { AtlasApiErrorInit } from "../../provider/atlas/errors";

const line = { method: "POST", path: "/api/atlas/v2/orgs/o/invites" };

describe("Atlas errors", () => {
  it("builds an API error's message and fields from the Atlas body", () => {
    const err = new AtlasApiError({
      ...line,
      status: 400,
      body: {
        error: 400,
        errorCode: "INVALID_ROLE_FOR_ORG",
        detail: "Invalid org role.",
        parameters: [{}],
        badRequestDetail: { fields: [{ field: "roles", description: "unknown role" }] },
      } as AtlasApiErrorInit["body"],
    });
    expect(err.message).toBe(
      "Atlas answered 400 INVALID_ROLE_FOR_ORG for POST /api/atlas/v2/orgs/o/invites: Invalid org role.",
    );
    expect(err).toMatchObject({
      status: 400,
      errorCode: "INVALID_ROLE_FOR_ORG",
      detail: "Invalid org role.",
      parameters: [{}],
    });
    expect(err.fieldViolations).toEqual(["roles: unknown role"]);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: "AtlasApiError",
      kind: "api",
      message: err.message,
      status: 400,
      errorCode: "INVALID_ROLE_FOR_ORG",
      detail: "Invalid org role.",
      method: "POST",
      path: line.path,
    });
  });

  it("falls back to UNKNOWN without a body and to the reason without a detail", () => {
    expect(new AtlasApiError({ ...line, status: 502, body: undefined }).message).toBe(
      `Atlas answered 502 UNKNOWN for POST ${line.path}`,
    );
    expect(
      new AtlasApiError({ ...line, status: 404, body: { reason: "Not Found" } }).message,
    ).toMatch(/: Not Found$/);
  });

  it("recognizes each kind by brand, not by class identity", () => {
    const errors = [
      new AtlasApiError({ ...line, status: 500, body: undefined }),
      new AtlasNetworkError({ ...line, code: undefined }),
      new AtlasTimeoutError({ ...line, timeoutMs: 5 }),
      new AtlasProtocolError({ ...line, status: 200, problem: "malformed JSON" }),
    ];
    const guards = [
      isAtlasApiError,
      isAtlasNetworkError,
      isAtlasTimeoutError,
      isAtlasProtocolError,
    ];
    expect(errors.map((e) => guards.map((g) => g(e)))).toEqual([
      [true, false, false, false],
      [false, true, false, false],
      [false, false, true, false],
      [false, false, false, true],
    ]);
    expect(errors.every(isAtlasError)).toBe(true);
    expect(isAtlasError({ kind: "api" })).toBe(false);
    expect((errors[1] as AtlasNetworkError).code).toBe("UNKNOWN");
  });

  it("keeps no cause or request config that inspect could print", () => {
    const err = new AtlasNetworkError({ ...line, code: "ECONNRESET" });
    expect(err.cause).toBeUndefined();
    expect(inspect(err, { showHidden: true })).not.toMatch(/headers|config|Authorization/i);
  });
});

import { inspect } from "node:util";
import {
  AtlasApiError,
  AtlasAuthenticationError,
  AtlasConfigurationError,
  AtlasDeadlineError,
  AtlasNetworkError,
  AtlasProtocolError,
  AtlasProxyError,
  AtlasTimeoutError,
  AtlasTlsError,
  isAtlasApiError,
  isAtlasAuthenticationError,
  isAtlasConfigurationError,
  isAtlasDeadlineError,
  isAtlasError,
  isAtlasNetworkError,
  isAtlasProtocolError,
  isAtlasProxyError,
  isAtlasTimeoutError,
  isAtlasTlsError,
} from "../../provider/errors";
import { formatMs, isTlsFailureCode } from "../../provider/atlas/errors/request";
import type { AtlasApiErrorInit } from "../../provider/errors";

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

  it("falls back to UNKNOWN without a body, printing the status alone, and to the reason without a detail", () => {
    const bare = new AtlasApiError({ ...line, status: 502, body: undefined });
    expect(bare.errorCode).toBe("UNKNOWN");
    expect(bare.message).toBe(`Atlas answered 502 for POST ${line.path}`);
    expect(
      new AtlasApiError({ ...line, status: 404, body: { reason: "Not Found" } }).message,
    ).toMatch(/: Not Found$/);
  });

  it("ends a 401 with a hint about the credentials and a 403 with one about roles", () => {
    const unauthorized = new AtlasApiError({
      ...line,
      status: 401,
      body: { error: 401, detail: "You are not authorized for this resource." },
    });
    expect(unauthorized.message).toBe(
      `Atlas answered 401 for POST ${line.path}: You are not authorized for this resource. ` +
        "Atlas refused the credentials: check the API key or service account, and that it is not " +
        "restricted to other IP addresses.",
    );
    // Facts for the caller's advice, never a Pulumi key or a variable.
    expect(unauthorized.settings).toEqual(["publicKey", "privateKey", "clientId", "clientSecret"]);
    expect(unauthorized.message).not.toMatch(/mongodbatlas:|MONGODB_ATLAS_|pulumi/);
    const byKind = (credentials: "digest" | "serviceAccount") =>
      new AtlasApiError({ ...line, status: 401, body: undefined, credentials }).message;
    expect(byKind("digest")).toContain(
      "Atlas refused the API key: check its public and private key",
    );
    expect(byKind("serviceAccount")).toContain(
      "Atlas refused the service account: check its client id and secret",
    );
    expect(
      new AtlasApiError({ ...line, status: 401, body: undefined, credentials: "digest" }).settings,
    ).toEqual(["publicKey", "privateKey"]);
    const forbidden = new AtlasApiError({ ...line, status: 403, body: { errorCode: "X" } });
    expect(forbidden.message).toMatch(new RegExp(`^Atlas answered 403 X for POST ${line.path}\\b`));
    expect(forbidden.message).toContain(
      "The API key or service account lacks a role this call needs (invitations need Organization Owner).",
    );
    expect(new AtlasApiError({ ...line, status: 404, body: undefined }).message).not.toMatch(
      /credentials|role/,
    );
  });

  it("names the host a connection failed for, the keys behind a timeout, and a TLS proxy that speaks plain HTTP", () => {
    expect(
      new AtlasNetworkError({ ...line, code: "ECONNREFUSED", host: "cloud.mongodb.com" }).message,
    ).toBe(`Network error calling Atlas at cloud.mongodb.com for POST ${line.path}: ECONNREFUSED`);
    expect(new AtlasTimeoutError({ ...line, timeoutMs: 5 }).message).toMatch(
      /within 5 ms \(the attempt timeout, requestTimeoutMs, or what was left of the operation's budget, deadlineMs\)/,
    );
    const tls = new AtlasProxyError({
      ...line,
      proxy: "https://proxy.example:3128",
      variable: "HTTPS_PROXY",
      code: "EPROTO",
    });
    expect(tls.message).toContain(
      "The proxy https://proxy.example:3128 (from HTTPS_PROXY) was reached, but the TLS handshake with it failed (EPROTO)",
    );
    expect(tls.message).toContain("write it as http://proxy.example:3128");
    const refused = new AtlasProxyError({
      ...line,
      proxy: "http://proxy.example:3128",
      variable: "HTTPS_PROXY",
      code: "ECONNREFUSED",
    });
    expect(refused.message).toContain("could not be reached (ECONNREFUSED)");
  });

  it("recognizes each kind by brand, not by class identity", () => {
    const errors = [
      new AtlasApiError({ ...line, status: 500, body: undefined }),
      new AtlasNetworkError({ ...line, code: undefined }),
      new AtlasTimeoutError({ ...line, timeoutMs: 5 }),
      new AtlasProtocolError({ ...line, status: 200, problem: "malformed JSON" }),
      new AtlasAuthenticationError({ ...line, offered: "Basic" }),
      new AtlasProxyError({ ...line, proxy: "http://p:1", variable: "HTTPS_PROXY", status: 502 }),
      new AtlasTlsError({ ...line, host: "cloud.mongodb.com", code: "CERT_HAS_EXPIRED" }),
      new AtlasDeadlineError({ ...line, deadlineMs: 1, why: "w" }),
      new AtlasConfigurationError("bad", ["k"]),
    ];
    const guards = [
      isAtlasApiError,
      isAtlasNetworkError,
      isAtlasTimeoutError,
      isAtlasProtocolError,
      isAtlasAuthenticationError,
      isAtlasProxyError,
      isAtlasTlsError,
      isAtlasDeadlineError,
      isAtlasConfigurationError,
    ];
    // Exactly one guard holds for each error: the identity matrix.
    expect(errors.map((e) => guards.map((g) => g(e)))).toEqual(
      errors.map((_, i) => guards.map((_g, j) => i === j)),
    );
    expect(errors.every(isAtlasError)).toBe(true);
    expect(errors.map((e) => e.kind)).toEqual([
      "api",
      "network",
      "timeout",
      "protocol",
      "authentication",
      "proxy",
      "tls",
      "deadline",
      "configuration",
    ]);
    expect(isAtlasError({ kind: "api" })).toBe(false);
    expect(isAtlasApiError(Object.assign(new Error("x"), { kind: "api", status: 500 }))).toBe(
      false,
    );
    expect((errors[1] as AtlasNetworkError).code).toBe("UNKNOWN");
  });

  it("recognizes an error thrown by a second copy of the package, through its Symbol.for brand", () => {
    const brand = Symbol.for("pulumi-atlas-org-invitations.AtlasError");
    const foreign = Object.assign(new Error("x"), { kind: "deadline", [brand]: true });
    expect(isAtlasError(foreign)).toBe(true);
    expect(isAtlasDeadlineError(foreign)).toBe(true);
    expect(isAtlasApiError(foreign)).toBe(false);
  });

  it("keeps no cause or request config that inspect could print", () => {
    const err = new AtlasNetworkError({ ...line, code: "ECONNRESET" });
    expect(err.cause).toBeUndefined();
    expect(inspect(err, { showHidden: true })).not.toMatch(/headers|config|Authorization/i);
  });
});

describe("the new failure kinds", () => {
  it("says which digest challenges a 401 offered and that none was usable", () => {
    const err = new AtlasAuthenticationError({
      method: "GET",
      path: "/x",
      offered: "Digest algorithm=SHA-512-256 qop=auth-int",
    });
    expect(err).toMatchObject({
      name: "AtlasAuthenticationError",
      status: 401,
      errorCode: "NO_USABLE_DIGEST_CHALLENGE",
    });
    expect(err.message).toContain(
      "Atlas answered 401 for GET /x without a usable HTTP Digest challenge (offered: Digest algorithm=SHA-512-256 qop=auth-int)",
    );
    expect(err.message).toContain("MD5 or SHA-256");
    expect(
      new AtlasAuthenticationError({ method: "GET", path: "/x", offered: "" }).message,
    ).toContain("(offered: none)");
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: "AtlasAuthenticationError",
      kind: "authentication",
      message: err.message,
      status: 401,
      errorCode: "NO_USABLE_DIGEST_CHALLENGE",
      offered: err.offered,
      method: "GET",
      path: "/x",
      settings: ["baseUrl", "clientId", "clientSecret"],
    });
  });

  it("names the proxy and its variable, with advice for a 407 and for an unreachable proxy", () => {
    const refused = new AtlasProxyError({
      ...line,
      proxy: "http://proxy.example:3128",
      variable: "https_proxy",
      status: 407,
    });
    expect(refused.message).toBe(
      `The proxy http://proxy.example:3128 (from https_proxy) refused the tunnel with 407 Proxy Authentication Required: ` +
        `check the user and password in the proxy URL, for POST ${line.path}. ` +
        "Fix https_proxy, or add the Atlas host to NO_PROXY if it must be reached directly.",
    );
    const down = new AtlasProxyError({
      ...line,
      proxy: "http://proxy.example:3128",
      variable: "ALL_PROXY",
      code: "ECONNREFUSED",
    });
    expect(down.message).toContain("could not be reached (ECONNREFUSED)");
    expect(down.message).toContain("Fix ALL_PROXY");
    expect(JSON.parse(JSON.stringify(down))).toMatchObject({
      kind: "proxy",
      proxy: "http://proxy.example:3128",
      variable: "ALL_PROXY",
      code: "ECONNREFUSED",
    });
  });

  it.each([
    [
      "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
      /authority this process does not trust.*NODE_EXTRA_CA_CERTS/,
    ],
    ["SELF_SIGNED_CERT_IN_CHAIN", /self-signed authority.*NODE_EXTRA_CA_CERTS/],
    ["CERT_HAS_EXPIRED", /has expired.*Check the clock/],
    ["ERR_TLS_CERT_ALTNAME_INVALID", /another host name.*Check the base URL/],
    ["ERR_SSL_SOMETHING_NEW", /the TLS handshake failed/],
  ])("explains the TLS failure %s with its fix", (code, message) => {
    const err = new AtlasTlsError({ ...line, host: "cloud.mongodb.com", code });
    expect(err.message).toMatch(/^TLS to cloud\.mongodb\.com failed for POST /);
    expect(err.message).toContain(`(${code})`);
    expect(err.message).toMatch(message);
  });

  it("tells TLS failure codes from network codes", () => {
    for (const code of [
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      "CERT_NOT_YET_VALID",
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "ERR_SSL_WRONG_VERSION_NUMBER",
    ])
      expect(isTlsFailureCode(code)).toBe(true);
    for (const code of ["ECONNRESET", "ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", undefined])
      expect(isTlsFailureCode(code)).toBe(false);
  });

  it("names the operation budget and its setting, by its neutral name, in a deadline error", () => {
    const cause = new AtlasApiError({ ...line, status: 503, body: undefined });
    const err = new AtlasDeadlineError({
      ...line,
      deadlineMs: 180_000,
      why: "gave up after 3 attempts",
      cause,
    });
    expect(err.message).toBe(
      `POST ${line.path} did not complete within the operation's budget of 180 s (deadlineMs): ` +
        "gave up after 3 attempts. Run again later, or raise the budget.",
    );
    expect(err.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: "AtlasDeadlineError",
      kind: "deadline",
      message: err.message,
      deadlineMs: 180_000,
      settings: ["deadlineMs"],
      method: "POST",
      path: line.path,
    });
  });

  it("formats durations in ms below a second and in tenths of seconds above", () => {
    expect([250, 999, 1000, 1500, 59_940, 180_000].map(formatMs)).toEqual([
      "250 ms",
      "999 ms",
      "1 s",
      "1.5 s",
      "59.9 s",
      "180 s",
    ]);
  });
});

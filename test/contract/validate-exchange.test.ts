/**
 * validateExchange joins both halves of an emulator exchange: the hook useEmulator runs after
 * every test. These exchanges are hand-built so each rule is shown failing on its own.
 */
import type { Exchange } from "../../emulator";
import { describeViolations, validateExchange } from "../support/contract";
import { INVITE, USERS, V2023, V2025, apiError, invitation, pendingUser } from "./lib/examples";

function exchange(overrides: Partial<Exchange>): Exchange {
  return {
    method: "GET",
    path: INVITE,
    query: {},
    requestHeaders: { accept: V2023, authorization: "Bearer [REDACTED]" },
    requestBody: undefined,
    status: 200,
    responseHeaders: { "content-type": V2023, "content-length": "300" },
    responseBody: invitation,
    operationId: "getOrgInvite",
    ...overrides,
  };
}

describe("validateExchange", () => {
  it("passes a well-formed exchange", () => {
    expect(validateExchange(exchange({}))).toEqual([]);
  });

  it("fails a deliberately broken exchange on both sides, so the afterEach hook would fail the test", () => {
    const broken = exchange({
      query: { verbose: "true" },
      responseBody: { ...invitation, id: invitation.id.toUpperCase() },
    });
    const violations = validateExchange(broken);
    expect(violations.map((v) => [v.where, v.operationId, v.status])).toEqual([
      ["request", "getOrgInvite", undefined],
      ["response", "getOrgInvite", 200],
    ]);
    expect(describeViolations(violations)).toBe(
      [
        '  1. request for GET /api/atlas/v2/orgs/{orgId}/invites/{invitationId}: undeclared query parameter "verbose"',
        '  2. response 200 for GET /api/atlas/v2/orgs/{orgId}/invites/{invitationId}: /id must match pattern "^([a-f0-9]{24})$"',
      ].join("\n"),
    );
  });

  it("fails a success whose media type is not the version the request negotiated", () => {
    const page = { results: [pendingUser] };
    const ex = exchange({
      path: USERS,
      operationId: "listOrgUsers",
      requestHeaders: { accept: V2023 },
      responseHeaders: { "content-type": V2025 },
      responseBody: page,
    });
    expect(validateExchange(ex).map((v) => v.message)).toEqual([
      expect.stringContaining(`Content-Type ${V2025} differs from the negotiated ${V2023}`),
    ]);
  });

  it("fails an exchange the emulator labelled with another operation", () => {
    expect(
      validateExchange(exchange({ operationId: "listOrgInvites" })).map((v) => v.message),
    ).toEqual([expect.stringContaining("labelled GET")]);
  });

  it("ignores exchanges outside the slice: the OAuth token route and emulator control routes", () => {
    const token = exchange({
      method: "POST",
      path: "/api/oauth/token",
      operationId: undefined,
      responseBody: "x",
    });
    const control = exchange({
      method: "POST",
      path: "/__emulator/reset",
      operationId: undefined,
      status: 418,
    });
    expect(validateExchange(token)).toEqual([]);
    expect(validateExchange(control)).toEqual([]);
  });

  it("checks nothing on the response side of a reset connection (status 0)", () => {
    const reset = exchange({ status: 0, responseHeaders: {}, responseBody: undefined });
    expect(validateExchange(reset)).toEqual([]);
  });

  it("skips a malformed body only when told it was injected, still checking its media type", () => {
    const truncated = exchange({ responseBody: undefined });
    expect(validateExchange(truncated)).toEqual([
      expect.objectContaining({ message: expect.stringContaining("has no body") }),
    ]);
    expect(validateExchange(truncated, { injected: true, malformedBody: true })).toEqual([]);
    const wrongType = exchange({
      responseBody: undefined,
      responseHeaders: { "content-type": "text/html" },
    });
    expect(validateExchange(wrongType, { injected: true, malformedBody: true })).toHaveLength(1);
  });

  it("allows an injected gateway status but still requires its ApiError body", () => {
    const gateway = (body: unknown): Exchange =>
      exchange({
        status: 502,
        responseHeaders: { "content-type": "application/json" },
        responseBody: body,
      });
    const ok = { ...apiError, error: 502, errorCode: "BAD_GATEWAY" };
    expect(validateExchange(gateway(ok))).toHaveLength(1);
    expect(validateExchange(gateway(ok), { injected: true })).toEqual([]);
    expect(validateExchange(gateway({ message: "bad gateway" }), { injected: true })).toEqual([
      expect.objectContaining({ message: expect.stringContaining("required property 'error'") }),
      expect.objectContaining({
        message: expect.stringContaining("required property 'errorCode'"),
      }),
    ]);
  });
});

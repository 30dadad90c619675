/**
 * Every operation of the slice, driven over real HTTP against the emulator, success and main
 * error answers. useEmulator validates each exchange against the slice after every test; these
 * tests also assert the statuses, so a contract pass cannot come from the wrong branch.
 */
import { sliceOperations } from "../support/contract";
import { useEmulator } from "../support/emulator";
import { V2023, V2025 } from "./lib/examples";
import { bearerToken, caller } from "./lib/http";
import type { Call } from "./lib/http";

const seen = new Set<string>();
const emu = useEmulator({ onExchange: (ex) => ex.operationId && seen.add(ex.operationId) });
const UNKNOWN_ID = "0123456789abcdef01234567";

let call: Call;
beforeEach(async () => {
  const { baseUrl, credentials } = emu();
  call = caller(
    baseUrl,
    await bearerToken(baseUrl, credentials.clientId, credentials.clientSecret),
  );
});

const invites = (): string => `/api/atlas/v2/orgs/${emu().orgId}/invites`;
const users = (): string => `/api/atlas/v2/orgs/${emu().orgId}/users`;

async function invite(username: string): Promise<string> {
  const body = { username, roles: ["ORG_MEMBER"], teamIds: [emu().teamIds[0]] };
  const res = await call("POST", invites(), { accept: V2023, body });
  expect(res.status).toBe(200);
  return (res.body as { id: string }).id;
}

function idOf(body: unknown): string {
  return (body as { id: string }).id;
}

describe("invitation operations (2023-01-01)", () => {
  it("create, list, get, update by id, update by username and delete stay within the contract", async () => {
    const id = await invite("ada@example.com");
    expect((await call("GET", invites(), { accept: V2023 })).status).toBe(200);
    const filtered = await call("GET", invites(), {
      accept: V2023,
      query: { username: "ada@example.com" },
    });
    expect(filtered.body).toEqual([expect.objectContaining({ id })]);
    expect((await call("GET", `${invites()}/${id}`, { accept: V2023 })).status).toBe(200);
    const byId = await call("PATCH", `${invites()}/${id}`, {
      accept: V2023,
      body: { roles: ["ORG_READ_ONLY"], groupRoleAssignments: [] },
    });
    expect(byId.status).toBe(200);
    const byName = await call("PATCH", invites(), {
      accept: V2023,
      body: { username: "ada@example.com", roles: ["ORG_MEMBER"], teamIds: [] },
    });
    expect(byName.status).toBe(200);
    const deleted = await call("DELETE", `${invites()}/${id}`, { accept: V2023 });
    expect([deleted.status, deleted.body]).toEqual([204, undefined]);
    expect(emu().violations()).toEqual([]);
  });

  it("answers missing invitations, duplicates and unknown orgs with ApiError bodies", async () => {
    // missingInvitationAnswer: 400 INVALID_INVITATION_ID by default, 404 RESOURCE_NOT_FOUND by knob.
    expect((await call("GET", `${invites()}/${UNKNOWN_ID}`, { accept: V2023 })).status).toBe(400);
    expect((await call("DELETE", `${invites()}/${UNKNOWN_ID}`, { accept: V2023 })).status).toBe(
      400,
    );
    emu().control.setMissingInvitationAnswer("404");
    expect((await call("GET", `${invites()}/${UNKNOWN_ID}`, { accept: V2023 })).status).toBe(404);
    expect((await call("DELETE", `${invites()}/${UNKNOWN_ID}`, { accept: V2023 })).status).toBe(
      404,
    );
    const update = { username: "nobody@example.com", roles: ["ORG_MEMBER"] };
    expect((await call("PATCH", invites(), { accept: V2023, body: update })).status).toBe(404);
    await invite("ada@example.com");
    emu().control.setDuplicateInvitePolicy("reject");
    const again = { username: "ada@example.com", roles: ["ORG_MEMBER"] };
    expect((await call("POST", invites(), { accept: V2023, body: again })).status).toBe(409);
    const otherOrg = `/api/atlas/v2/orgs/${UNKNOWN_ID}/invites`;
    expect((await call("GET", otherOrg, { accept: V2023 })).status).toBe(404);
  });

  it.each(["INVITATIONS_RATE_LIMITED_IP", "RATE_LIMITED_IP"] as const)(
    "answers the invitation rate limit with 400 %s when that is the knob's code",
    async (code) => {
      emu().control.setKnobs({ invitationLimitCode: code });
      emu().control.setInvitationLimit({ count: 1, windowMs: 60_000 });
      await invite("ada@example.com");
      const body = { username: "bob@example.com", roles: ["ORG_MEMBER"] };
      const limited = await call("POST", invites(), { accept: V2023, body });
      expect([limited.status, (limited.body as { errorCode: string }).errorCode]).toEqual([
        400,
        code,
      ]);
    },
  );
});

describe("org user operations", () => {
  it("create, list (2025-02-19), get, update and remove a pending user within the contract", async () => {
    const body = { username: "ada@example.com", roles: { orgRoles: ["ORG_MEMBER"] } };
    const created = await call("POST", users(), { accept: V2025, body });
    expect(created.status).toBe(201);
    const id = idOf(created.body);
    const list = await call("GET", users(), {
      accept: V2025,
      query: { username: "ada@example.com", itemsPerPage: "10", includeCount: "true" },
    });
    expect(list.body).toEqual(
      expect.objectContaining({
        results: [expect.objectContaining({ id, orgMembershipStatus: "PENDING" })],
      }),
    );
    expect((await call("GET", `${users()}/${id}`, { accept: V2025 })).status).toBe(200);
    const patch = { roles: { orgRoles: ["ORG_READ_ONLY"] }, teamIds: [emu().teamIds[0]] };
    expect((await call("PATCH", `${users()}/${id}`, { accept: V2025, body: patch })).status).toBe(
      200,
    );
    expect((await call("DELETE", `${users()}/${id}`, { accept: V2025 })).status).toBe(204);
    expect((await call("GET", `${users()}/${id}`, { accept: V2025 })).status).toBe(404);
  });

  it("serve active, expired and accepted users through both listOrgUsers versions", async () => {
    const member = emu().control.addMember(emu().orgId, { username: "grace@example.com" });
    await invite("ada@example.com");
    emu().control.acceptInvitation(emu().orgId, "ada@example.com");
    await invite("bob@example.com");
    emu().control.expireInvitation(emu().orgId, "bob@example.com");
    const old = await call("GET", users(), { accept: V2023 });
    expect((old.body as { results: unknown[] }).results.length).toBeGreaterThanOrEqual(2);
    const expired = await call("GET", users(), {
      accept: V2025,
      query: { orgMembershipStatuses: "INVITATION_EXPIRED" },
    });
    expect(expired.body).toEqual(
      expect.objectContaining({
        results: [expect.objectContaining({ username: "bob@example.com" })],
      }),
    );
    const active = await call("GET", `${users()}/${member.id}`, { accept: V2025 });
    expect(active.body).toEqual(expect.objectContaining({ orgMembershipStatus: "ACTIVE" }));
    expect((await call("DELETE", `${users()}/${member.id}`, { accept: V2023 })).status).toBe(204);
  });

  it("answers a duplicate user with 409 and an unknown user with 404", async () => {
    const body = { username: "ada@example.com", roles: { orgRoles: ["ORG_MEMBER"] } };
    expect((await call("POST", users(), { accept: V2025, body })).status).toBe(201);
    expect((await call("POST", users(), { accept: V2025, body })).status).toBe(409);
    const patch = { roles: { orgRoles: ["ORG_MEMBER"] } };
    expect(
      (await call("PATCH", `${users()}/${UNKNOWN_ID}`, { accept: V2025, body: patch })).status,
    ).toBe(404);
    expect((await call("DELETE", `${users()}/${UNKNOWN_ID}`, { accept: V2025 })).status).toBe(404);
  });
});

describe("authentication, limits and injected faults", () => {
  it("answers a request without credentials with Atlas's digest 401, accepted only by its recorded allowance", async () => {
    const res = await call("GET", invites(), { accept: V2023, auth: false });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 401,
      reason: "Unauthorized",
      detail: "You are not authorized for this resource.",
    });
  });

  it("answers the token bucket with 429 and an integer Retry-After", async () => {
    emu().control.setTokenBucket({ capacity: 1, refillPerSecond: 0.01 });
    expect((await call("GET", invites(), { accept: V2023 })).status).toBe(200);
    const limited = await call("GET", invites(), { accept: V2023 });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("keeps injected error statuses within ApiError, including ones the spec does not list", async () => {
    const { control } = emu();
    control.injectFault({ match: { operationId: "listOrgInvites" }, status: 503, retryAfter: "1" });
    control.injectFault({ match: { operationId: "listOrgInvites" }, status: 502 });
    expect((await call("GET", invites(), { accept: V2023 })).status).toBe(503);
    expect((await call("GET", invites(), { accept: V2023 })).status).toBe(502);
  });

  it("skips only the body of an injected malformed answer, and ignores a reset", async () => {
    const { control } = emu();
    control.injectFault({ match: { operationId: "listOrgInvites" }, malformedBody: true });
    const malformed = await call("GET", invites(), { accept: V2023 });
    expect([malformed.status, typeof malformed.body]).toEqual([200, "string"]);
    control.injectFault({ match: { operationId: "listOrgInvites" }, reset: true });
    await expect(call("GET", invites(), { accept: V2023 })).rejects.toThrow();
  });
});

describe("off-contract requests", () => {
  it("are flagged on the request side while the emulator's 406 answer stays within the contract", async () => {
    const res = await call("GET", `${users()}/${UNKNOWN_ID}`, { accept: V2023 });
    expect(res.status).toBe(406);
    expect(emu().takeViolations()).toEqual([
      expect.objectContaining({
        where: "request",
        operationId: "getOrgUser",
        message: expect.stringContaining(`Accept ${V2023} is not served`),
      }),
    ]);
  });

  it("with a malformed orgId are flagged on the request side only", async () => {
    const res = await call("GET", "/api/atlas/v2/orgs/NOT-AN-ORG/invites", { accept: V2023 });
    expect(res.status).toBe(400);
    expect(
      emu()
        .takeViolations()
        .map((v) => v.where),
    ).toEqual(["request"]);
  });
});

describe("after the sunset of the 2023-01-01 media type", () => {
  const past = useEmulator({ sunsetDate: "2026-01-01T00:00:00Z" });

  it("answers 410 VERSION_GONE with Deprecation and Sunset headers, still within the contract", async () => {
    const { baseUrl, credentials, orgId } = past();
    const late = caller(
      baseUrl,
      await bearerToken(baseUrl, credentials.clientId, credentials.clientSecret),
    );
    const gone = await late("GET", `/api/atlas/v2/orgs/${orgId}/invites`, { accept: V2023 });
    expect([gone.status, (gone.body as { errorCode: string }).errorCode]).toEqual([
      410,
      "VERSION_GONE",
    ]);
    expect(gone.headers.get("sunset")).toBe("Thu, 1 Jan 2026 00:00:00 GMT");
    const oldUsers = await late("GET", `/api/atlas/v2/orgs/${orgId}/users`, { accept: V2023 });
    expect(oldUsers.status).toBe(410);
    const users = await late("GET", `/api/atlas/v2/orgs/${orgId}/users`, { accept: V2025 });
    expect(users.status).toBe(200);
    expect(users.headers.get("sunset")).toBeNull();
    expect(past().violations()).toEqual([]);
  });
});

describe("coverage", () => {
  // Runs last in this file (jest keeps declaration order): every operation was driven above.
  it("exercised all 11 operations of the slice", () => {
    expect([...seen].sort()).toEqual(
      sliceOperations()
        .map((o) => o.operationId)
        .sort(),
    );
  });
});

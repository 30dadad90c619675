import { createAtlasClient } from "../../provider/atlas/client";
import { isAtlasApiError, isAtlasDeadlineError, isAtlasTimeoutError } from "../../provider/errors";
import type { AtlasApiError } from "../../provider/errors";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import {
  clientFor,
  fakeClock,
  fastOptions,
  freshSessions,
  rejectionOf,
  settingsFor,
} from "./helpers";

const START = Date.parse("2026-03-01T00:00:00Z");
let serverClock = START;
// Before useEmulator's hooks, so the emulator resets on the restarted clock (a clock that goes
// back in time drains its token bucket).
beforeEach(() => {
  serverClock = START;
});
const emulator = useEmulator({ tokenTtlSeconds: 3600, now: () => serverClock });
freshSessions();

const TOKEN_PATH = "/api/oauth/token";
const tokenRequests = (emu: TestEmulator) => emu.log.entries().filter((e) => e.path === TOKEN_PATH);

describe("service account (OAuth2 client credentials) against the emulator", () => {
  it("fetches one token for ten concurrent calls, with a single token request in flight", async () => {
    const emu = emulator();
    emu.control.injectFault({ match: { path: TOKEN_PATH }, delayMs: 50, commit: true });
    const api = clientFor(emu, "serviceAccount");
    await Promise.all(Array.from({ length: 10 }, () => api.listOrgInvites(emu.orgId)));
    expect(tokenRequests(emu)).toHaveLength(1);
    expect(emu.stats().tokensIssued).toBe(1);
    expect(
      emu.log.entries({ operationId: "listOrgInvites" }).map((e) => `${e.status} ${e.auth}`),
    ).toEqual(Array(10).fill("200 bearer"));
  });

  it("reuses the token across calls and across clients with the same credentials", async () => {
    const emu = emulator();
    const a = clientFor(emu, "serviceAccount");
    const b = clientFor(emu, "serviceAccount");
    for (let i = 0; i < 5; i++) await a.listOrgInvites(emu.orgId);
    await b.listOrgInvites(emu.orgId);
    expect(emu.stats().tokensIssued).toBe(1);
    expect(emu.log.count()).toBe(7);
  });

  it("renews the token shortly before it expires, without a 401", async () => {
    const emu = emulator();
    const clientClock = fakeClock(START);
    const api = clientFor(emu, "serviceAccount", { clock: clientClock });
    await api.listOrgInvites(emu.orgId);
    clientClock.advance((3600 - 61) * 1000);
    await api.listOrgInvites(emu.orgId);
    expect(emu.stats().tokensIssued).toBe(1);
    clientClock.advance(2000); // now inside the 60 s margin
    serverClock += (3600 - 59) * 1000;
    await api.listOrgInvites(emu.orgId);
    expect(emu.stats().tokensIssued).toBe(2);
    expect(emu.log.count({ status: 401 })).toBe(0);
  });

  it("drops a token Atlas refuses (expired on the server's clock), fetches one new token and repeats once", async () => {
    const emu = emulator();
    const api = clientFor(emu, "serviceAccount");
    await api.listOrgInvites(emu.orgId);
    serverClock += 3601 * 1000;
    await api.listOrgInvites(emu.orgId);
    expect(
      emu.log
        .entries()
        .map((e) => `${e.method} ${e.path === TOKEN_PATH ? "token" : "invites"} ${e.status}`),
    ).toEqual([
      "POST token 200",
      "GET invites 200",
      "GET invites 401",
      "POST token 200",
      "GET invites 200",
    ]);
  });

  it("fetches a single new token when ten concurrent calls all get a 401", async () => {
    const emu = emulator();
    const api = clientFor(emu, "serviceAccount");
    await api.listOrgInvites(emu.orgId);
    serverClock += 3601 * 1000;
    await Promise.all(Array.from({ length: 10 }, () => api.listOrgInvites(emu.orgId)));
    expect(emu.stats().tokensIssued).toBe(2);
    expect(emu.log.count({ operationId: "listOrgInvites", status: 200 })).toBe(11);
  });

  it("turns a refused token request into an AtlasApiError for POST /api/oauth/token", async () => {
    const emu = emulator();
    const api = createAtlasClient(settingsFor(emu, "serviceAccount", { clientSecret: "wrong" }));
    const err = (await api.listOrgInvites(emu.orgId).catch((e: unknown) => e)) as AtlasApiError;
    expect(isAtlasApiError(err)).toBe(true);
    expect(err).toMatchObject({
      status: 401,
      method: "POST",
      path: TOKEN_PATH,
      errorCode: "invalid_client",
    });
    expect(emu.log.entries({ operationId: "listOrgInvites" })).toHaveLength(0);
  });

  it("retries a call whose token request failed with 503, even a POST, since the call never left", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { path: TOKEN_PATH },
      status: 503,
      errorCode: "SERVICE_UNAVAILABLE",
    });
    const options = fastOptions({ retry: { jitter: "none", baseDelayMs: 10 } });
    const api = clientFor(emu, "serviceAccount", options);
    await api.createOrgInvite(emu.orgId, { username: "t@example.com", roles: ["ORG_MEMBER"] });
    expect(tokenRequests(emu).map((e) => e.status)).toEqual([503, 200]);
    expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
    expect(emu.log.count({ operationId: "createOrgInvite" })).toBe(1);
    expect(options.waits).toEqual([10]);
  });

  it("ends a call whose token request is never answered within the operation's budget, with AtlasDeadlineError", async () => {
    const emu = emulator();
    emu.control.injectFault({ match: { path: TOKEN_PATH }, delayMs: 20_000, times: Infinity });
    // The attempt timeout (30 s by default) is far longer than the budget: the budget bounds the
    // token request, as it bounds every other request of the operation.
    const api = clientFor(emu, "serviceAccount", { retry: { deadlineMs: 1_000 } });
    const started = performance.now();
    const error = await rejectionOf(api.listOrgInvites(emu.orgId));
    const ms = performance.now() - started;
    expect(isAtlasDeadlineError(error)).toBe(true);
    expect(error).toMatchObject({ deadlineMs: 1_000 });
    const cause = (error as Error).cause;
    expect(isAtlasTimeoutError(cause)).toBe(true);
    expect(cause).toMatchObject({ method: "POST", path: TOKEN_PATH });
    // Slack for a loaded machine on top of the promised bound.
    expect(ms).toBeLessThanOrEqual(1_000 + 400);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(emu.stats().tokensIssued).toBe(0);
    expect(emu.log.entries({ operationId: "listOrgInvites" })).toHaveLength(0);
  });
});

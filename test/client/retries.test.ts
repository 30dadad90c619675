import {
  isAtlasApiError,
  isAtlasNetworkError,
  isAtlasProtocolError,
  isAtlasTimeoutError,
} from "../../provider/errors";
import { useEmulator } from "../support/emulator";
import { KINDS, clientFor, fastOptions, freshSessions, rejectionOf as fail } from "./helpers";

const emulator = useEmulator();
freshSessions();

describe.each(KINDS)("retries and error mapping with %s credentials", (kind) => {
  it("waits what Retry-After says on 503 and 429, then succeeds", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      status: 503,
      errorCode: "SERVICE_UNAVAILABLE",
      retryAfter: "2",
    });
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      status: 429,
      errorCode: "RATE_LIMITED",
      retryAfter: "6",
    });
    const options = fastOptions();
    const api = clientFor(emu, kind, options);
    await expect(api.listOrgInvites(emu.orgId)).resolves.toEqual([]);
    expect(
      emu.log
        .entries({ operationId: "listOrgInvites" })
        .filter((e) => e.status !== 401)
        .map((e) => e.status),
    ).toEqual([503, 429, 200]);
    // The loop waits out the 503's Retry-After; the rate-limit view holds the attempt after the
    // 429 until its Retry-After has passed.
    expect(options.waits).toEqual([2000, 6000]);
    const path = `/api/atlas/v2/orgs/${emu.orgId}/invites`;
    expect(options.logs).toEqual([
      `Atlas answered 503 SERVICE_UNAVAILABLE on GET ${path}; waiting 2 s, then attempt 2 of 6`,
      `rate limited by Atlas on GET ${path}; attempt 3 of 6`,
      `waiting 6 s before GET ${path}: Atlas's rate limit asked to wait (Retry-After)`,
    ]);
  });

  it("gives up after the retry limit with the last Atlas error", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "getOrgUser" },
      status: 500,
      errorCode: "UNEXPECTED_ERROR",
      times: Infinity,
    });
    const options = fastOptions({ retry: { limit: 2 } });
    const err = await fail(
      clientFor(emu, kind, options).getOrgUser(emu.orgId, "0123456789abcdef01234567"),
    );
    expect(isAtlasApiError(err) && err.errorCode).toBe("UNEXPECTED_ERROR");
    expect(emu.log.count({ operationId: "getOrgUser", status: 500 })).toBe(3);
    // Equal jitter with random() = 0.5: three quarters of caps of 500 and 1000 ms.
    expect(options.waits).toEqual([375, 750]);
  });

  it("never repeats a POST answered 503 when the caller gives no landed look-up", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 503,
      errorCode: "SERVICE_UNAVAILABLE",
      retryAfter: "1",
      times: Infinity,
    });
    const options = fastOptions();
    const err = await fail(
      clientFor(emu, kind, options).createOrgInvite(emu.orgId, {
        username: "x@example.com",
        roles: ["ORG_MEMBER"],
      }),
    );
    expect(isAtlasApiError(err) && err.status).toBe(503);
    expect(emu.log.count({ operationId: "createOrgInvite", status: 503 })).toBe(1);
    expect(options.waits).toEqual([]);
  });

  it("reports a connection reset after the create was committed as a network error, without a retry", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      reset: true,
      commit: true,
    });
    const err = await fail(
      clientFor(emu, kind, fastOptions()).createOrgInvite(emu.orgId, {
        username: "y@example.com",
        roles: ["ORG_MEMBER"],
      }),
    );
    expect(isAtlasNetworkError(err) && err.method).toBe("POST");
    expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
    expect(emu.log.count({ operationId: "createOrgInvite", status: 0 })).toBe(1);
  });

  it("retries a GET after a connection reset", async () => {
    const emu = emulator();
    emu.control.injectFault({ match: { operationId: "listOrgInvites" }, reset: true });
    await expect(clientFor(emu, kind, fastOptions()).listOrgInvites(emu.orgId)).resolves.toEqual(
      [],
    );
    expect(
      emu.log
        .entries({ operationId: "listOrgInvites" })
        .filter((e) => e.status !== 401)
        .map((e) => e.status),
    ).toEqual([0, 200]);
  });

  it("times out a slow attempt and retries it", async () => {
    const emu = emulator();
    emu.control.injectFault({ match: { operationId: "listOrgInvites" }, delayMs: 300, times: 1 });
    const options = fastOptions({ retry: { attemptTimeoutMs: 100 } });
    await expect(clientFor(emu, kind, options).listOrgInvites(emu.orgId)).resolves.toEqual([]);
    expect(options.logs).toEqual([
      expect.stringMatching(
        /^no answer within 100 ms on GET \S+; waiting 375 ms, then attempt 2 of 6$/,
      ),
    ]);
    expect(options.waits).toEqual([375]);
  });

  it("gives up with an AtlasTimeoutError when every attempt is too slow", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "deleteOrgInvite" },
      delayMs: 300,
      times: Infinity,
    });
    const options = fastOptions({ retry: { attemptTimeoutMs: 50, limit: 1 } });
    const api = clientFor(emu, kind, options);
    const err = await fail(api.deleteOrgInvite(emu.orgId, "0123456789abcdef01234567"));
    expect(isAtlasTimeoutError(err) && err.timeoutMs).toBe(50);
    expect(options.waits).toHaveLength(1);
  });

  it("turns a malformed 200 body into an AtlasProtocolError without retrying", async () => {
    const emu = emulator();
    emu.control.injectFault({ match: { operationId: "listOrgInvites" }, malformedBody: true });
    const err = await fail(clientFor(emu, kind, fastOptions()).listOrgInvites(emu.orgId));
    expect(isAtlasProtocolError(err) && err.message).toBe(
      `Atlas answered 200 for GET /api/atlas/v2/orgs/${emu.orgId}/invites with malformed JSON`,
    );
    expect(emu.log.count({ operationId: "listOrgInvites", status: 200 })).toBe(1);
    emu.takeViolations(); // the malformed body is off-contract on purpose
  });

  it("carries status, errorCode, detail, method and path from an Atlas error body", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "updateOrgInviteById" },
      status: 409,
      errorCode: "SOMETHING_CONFLICTED",
      detail: "Another change is in progress.",
    });
    const id = "0123456789abcdef01234567";
    const err = await fail(
      clientFor(emu, kind).updateOrgInviteById(emu.orgId, id, { roles: ["ORG_MEMBER"] }),
    );
    const path = `/api/atlas/v2/orgs/${emu.orgId}/invites/${id}`;
    expect(err).toMatchObject({
      status: 409,
      errorCode: "SOMETHING_CONFLICTED",
      detail: "Another change is in progress.",
      method: "PATCH",
      path,
    });
    expect((err as Error).message).toBe(
      `Atlas answered 409 SOMETHING_CONFLICTED for PATCH ${path}: Another change is in progress.`,
    );
  });
});

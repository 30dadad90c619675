/**
 * The one request loop (provider/atlas/request-loop.ts) through createTransport, against the
 * emulator, on a fake clock shared by the client and the emulator: `sleep` moves `now` forward,
 * so backoffs, Retry-After, the invitation window and the operation budget are all measured in
 * fake time, and nothing really waits.
 */
import { Budget } from "../../provider/atlas/budget";
import { createTransport } from "../../provider/atlas/http";
import type { Transport, TransportOptions } from "../../provider/atlas/http";
import { invitationViewOf } from "../../provider/atlas/pacing";
import type { OrgInvitation } from "../../provider/atlas/types";
import { API_VERSIONS } from "../../provider/atlas/types";
import {
  isAtlasApiError,
  isAtlasDeadlineError,
  isInvitationLimitRefusal,
} from "../../provider/errors";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { fakeClock, freshSessions, rejectionOf, settingsFor } from "./helpers";
import type { FakeClock } from "./helpers";

let clock: FakeClock = fakeClock();
// Registered before useEmulator's own hooks, so the emulator resets on the new clock: a clock that
// went back in time would drain the emulator's token bucket.
beforeEach(() => {
  clock = fakeClock();
});
const emulator = useEmulator({ now: () => clock.now() });
freshSessions();

function transportFor(
  emu: TestEmulator,
  options: TransportOptions = {},
): { http: Transport; logs: string[] } {
  const logs: string[] = [];
  const http = createTransport(settingsFor(emu, "digest"), {
    clock,
    logger: { info: (m) => void logs.push(m) },
    ...options,
  });
  return { http, logs };
}

const invitesPath = (emu: TestEmulator) => `/api/atlas/v2/orgs/${emu.orgId}/invites`;

function listInvites(http: Transport, emu: TestEmulator, budget?: Budget) {
  return http.request<OrgInvitation[]>({
    method: "GET",
    path: invitesPath(emu),
    version: API_VERSIONS.invitations,
    scope: { organization: emu.orgId },
    budget,
  });
}

/** A createOrgInvite whose `landed` look-up lists the pending invitations and is recorded. */
function createInvite(
  http: Transport,
  emu: TestEmulator,
  username: string,
  lookups: Budget[] = [],
  budget?: Budget,
) {
  return http.request<OrgInvitation>({
    method: "POST",
    path: invitesPath(emu),
    body: { username, roles: ["ORG_MEMBER"] },
    version: API_VERSIONS.invitations,
    scope: { organization: emu.orgId },
    sendsInvitation: true,
    budget,
    landed: async (probe) => {
      lookups.push(probe);
      const pending = await listInvites(http, emu, probe);
      return pending.find((i) => i.username === username);
    },
  });
}

/** Statuses the emulator answered for one operation, digest challenges left out. */
const statuses = (emu: TestEmulator, operationId: string) =>
  emu.log
    .entries({ operationId })
    .filter((e) => !(e.status === 401 && e.auth === "none"))
    .map((e) => e.status);

describe("runRequest through createTransport, on a fake clock", () => {
  it("retries a transient 503 on GET after exponential backoff with equal jitter", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      status: 503,
      errorCode: "SERVICE_UNAVAILABLE",
      times: 2,
    });
    const { http, logs } = transportFor(emu);
    await expect(listInvites(http, emu)).resolves.toEqual([]);
    expect(statuses(emu, "listOrgInvites")).toEqual([503, 503, 200]);
    // Caps of 500 and 1000 ms; random() = 0.5 takes three quarters of each.
    expect(clock.waits).toEqual([375, 750]);
    expect(logs).toHaveLength(2);
    expect(logs[1]).toMatch(/waiting 750 ms, then attempt 3 of 6$/);
  });

  it("looks an ambiguous POST up before anything else, and returns what landed without a second POST", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 503,
      errorCode: "SERVICE_UNAVAILABLE",
      commit: true,
    });
    const { http } = transportFor(emu);
    const lookups: Budget[] = [];
    const budget = http.budget();
    const created = await createInvite(http, emu, "landed@example.com", lookups, budget);
    const [stored] = emu.control.invitations(emu.orgId);
    expect(created).toMatchObject({ id: stored?.id, username: "landed@example.com" });
    expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
    expect(statuses(emu, "createOrgInvite")).toEqual([503]);
    expect(statuses(emu, "listOrgInvites")).toEqual([200]);
    expect(lookups).toEqual([budget]); // the operation's own budget, which had time left
    expect(clock.waits).toEqual([]);
  });

  it("sends an ambiguous POST again, after a backoff, only once the look-up proved it did not land", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 503,
      errorCode: "SERVICE_UNAVAILABLE",
    });
    const { http } = transportFor(emu);
    const lookups: Budget[] = [];
    const created = await createInvite(http, emu, "again@example.com", lookups);
    expect(created.username).toBe("again@example.com");
    expect(statuses(emu, "createOrgInvite")).toEqual([503, 200]);
    expect(statuses(emu, "listOrgInvites")).toEqual([200]);
    expect(lookups).toHaveLength(1);
    expect(clock.waits).toEqual([375]);
    expect(clock.waits.every((ms) => ms > 0)).toBe(true);
    expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
  });

  it("sends a POST refused with 429 again after Retry-After, without a look-up", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 429,
      errorCode: "RATE_LIMITED",
      retryAfter: "3",
    });
    const { http } = transportFor(emu);
    const lookups: Budget[] = [];
    await createInvite(http, emu, "busy@example.com", lookups);
    expect(statuses(emu, "createOrgInvite")).toEqual([429, 200]);
    expect(lookups).toEqual([]);
    expect(clock.waits).toEqual([3000]);
    expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
  });

  it("holds an invitation refused for the invitation limit until the window passes, then sends it again", async () => {
    const emu = emulator();
    emu.control.setKnobs({ invitationLimit: { count: 1, windowMs: 60_000 } });
    const { http, logs } = transportFor(emu);
    const lookups: Budget[] = [];
    await createInvite(http, emu, "first@example.com", lookups);
    clock.advance(1000);
    const second = await createInvite(http, emu, "second@example.com", lookups);
    expect(second.username).toBe("second@example.com");
    expect(statuses(emu, "createOrgInvite")).toEqual([200, 400, 200]);
    expect(lookups).toEqual([]);
    // The window runs from the first invitation's answer, 1 s before the refusal.
    expect(clock.waits).toEqual([59_000]);
    expect(invitationViewOf(new URL(emu.baseUrl).origin)?.learned).toEqual({
      count: 1,
      windowMs: 60_000,
    });
    expect(logs).toEqual([
      `Atlas's invitation limit refused it on POST ${invitesPath(emu)}; attempt 2 of 6`,
      `waiting 59 s before POST ${invitesPath(emu)}: Atlas's invitation limit (1 per 1 min)`,
    ]);
    expect(
      emu.control
        .invitations(emu.orgId)
        .map((i) => i.username)
        .sort(),
    ).toEqual(["first@example.com", "second@example.com"]);
  });

  it("paces the next invitation by the limit it learnt, without another refusal", async () => {
    const emu = emulator();
    emu.control.setKnobs({ invitationLimit: { count: 1, windowMs: 60_000 } });
    const { http } = transportFor(emu);
    await createInvite(http, emu, "a@example.com");
    await createInvite(http, emu, "b@example.com"); // refused once: the limit is learnt here
    await createInvite(http, emu, "c@example.com");
    expect(statuses(emu, "createOrgInvite")).toEqual([200, 400, 200, 200]);
    expect(clock.waits).toEqual([60_000, 60_000]);
  });

  it("ends a permanent 503 with AtlasDeadlineError naming the deadlineMs setting, within the budget", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      status: 503,
      errorCode: "SERVICE_UNAVAILABLE",
      times: Infinity,
    });
    const { http } = transportFor(emu);
    const err = await rejectionOf(listInvites(http, emu, new Budget(1000, clock)));
    expect(isAtlasDeadlineError(err)).toBe(true);
    expect(err).toMatchObject({
      name: "AtlasDeadlineError",
      kind: "deadline",
      deadlineMs: 1000,
      settings: ["deadlineMs"],
      method: "GET",
      path: invitesPath(emu),
    });
    const message = (err as Error).message;
    expect(message).toContain("(deadlineMs)");
    expect(message).toContain("1 s");
    // The client names no Pulumi key or variable: the caller's edge words that (settings-advice.ts).
    expect(message).not.toMatch(/atlasInvitations:|pulumi config|ATLAS_INVITATIONS_/);
    const cause = (err as Error).cause;
    expect(isAtlasApiError(cause) && cause.status).toBe(503);
    expect(clock.elapsed()).toBeLessThanOrEqual(1000 + http.policy.attemptTimeoutMs);
    // 375 ms, then a 625 ms wait would use up what is left: two attempts.
    expect(statuses(emu, "listOrgInvites")).toEqual([503, 503]);
    expect(clock.waits).toEqual([375]);
  });

  it("gives a call without a budget one of its own, of the policy's deadlineMs", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      status: 503,
      errorCode: "SERVICE_UNAVAILABLE",
      times: Infinity,
    });
    const { http } = transportFor(emu, { retry: { deadlineMs: 1000 } });
    const err = await rejectionOf(listInvites(http, emu));
    expect(err).toMatchObject({ kind: "deadline", deadlineMs: 1000 });
    expect(clock.elapsed()).toBeLessThanOrEqual(1000 + http.policy.attemptTimeoutMs);
    expect(statuses(emu, "listOrgInvites")).toEqual([503, 503]);
  });

  it("refuses a Retry-After longer than what the budget has left, without waiting for it", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      status: 429,
      errorCode: "RATE_LIMITED",
      retryAfter: "30",
    });
    const { http } = transportFor(emu);
    const err = await rejectionOf(listInvites(http, emu, new Budget(10_000, clock)));
    expect(err).toMatchObject({ kind: "deadline", settings: ["deadlineMs"] });
    expect((err as Error).message).toMatch(/Retry-After/);
    expect(clock.waits).toEqual([]);
    expect(statuses(emu, "listOrgInvites")).toEqual([429]);
  });

  it("still looks an ambiguous POST up when its answer came after the budget ran out", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 503,
      errorCode: "SERVICE_UNAVAILABLE",
      commit: true,
    });
    // The POST's answer takes 2 s of fake time: the 1 s budget is spent when it arrives.
    const { http } = transportFor(emu, {
      onAnswer: ({ method }) => void (method === "POST" && clock.advance(2000)),
    });
    const lookups: Budget[] = [];
    const budget = new Budget(1000, clock);
    const created = await createInvite(http, emu, "late@example.com", lookups, budget);
    expect(created.username).toBe("late@example.com");
    expect(budget.expired()).toBe(true);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).not.toBe(budget);
    expect(lookups[0]?.remainingMs()).toBe(http.policy.attemptTimeoutMs);
    expect(statuses(emu, "createOrgInvite")).toEqual([503]);
    expect(statuses(emu, "listOrgInvites")).toEqual([200]);
  });

  it("ends with AtlasDeadlineError, without a second POST, when the late look-up finds nothing", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 503,
      errorCode: "SERVICE_UNAVAILABLE",
    });
    const { http } = transportFor(emu, {
      onAnswer: ({ method }) => void (method === "POST" && clock.advance(2000)),
    });
    const lookups: Budget[] = [];
    const err = await rejectionOf(
      createInvite(http, emu, "never@example.com", lookups, new Budget(1000, clock)),
    );
    expect(err).toMatchObject({ kind: "deadline", method: "POST", deadlineMs: 1000 });
    expect(lookups).toHaveLength(1);
    expect(statuses(emu, "createOrgInvite")).toEqual([503]);
    expect(emu.control.invitations(emu.orgId)).toEqual([]);
  });

  it.each(["INVITATIONS_RATE_LIMITED_IP", "RATE_LIMITED_IP"] as const)(
    "recognises the invitation-limit answer with code %s as a refusal, and fails it once retries are spent",
    async (code) => {
      const emu = emulator();
      emu.control.setKnobs({
        invitationLimit: { count: 1, windowMs: 60_000 },
        invitationLimitCode: code,
      });
      const { http } = transportFor(emu, { retry: { limit: 0 } });
      const lookups: Budget[] = [];
      await createInvite(http, emu, "one@example.com", lookups);
      const err = await rejectionOf(createInvite(http, emu, "two@example.com", lookups));
      expect(err).toMatchObject({ status: 400, errorCode: code });
      expect(isInvitationLimitRefusal(err)).toBe(true);
      expect(lookups).toEqual([]);
      expect(statuses(emu, "createOrgInvite")).toEqual([200, 400]);
    },
  );
});

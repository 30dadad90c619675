/**
 * Life after the sunset of the invites API: `atlasInvitations:api` "auto" moves the whole process
 * to the org users API on the first 410, state written on the invites API keeps working there
 * (found by email address, `userId` recorded, the resource id unchanged), the `Sunset` header
 * yields one warning, and the org users API's guarded DELETE is one round trip from its status
 * read. No test here ever sees an ACTIVE member removed.
 */
import { resetProcessState } from "../../provider/process-state";
import { noticeSunset, parseSunset } from "../../provider/backends/sunset";
import {
  isAtlasApiError,
  isAtlasConfigurationError,
  isInvitationAcceptedError,
} from "../../provider/errors";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { ALICE, asProps, calls, expectCalls, freshProcessState, makeProvider } from "./helpers";

const emulator = useEmulator();
freshProcessState();
afterEach(() => expect(emulator().stats().activeUserRemovals).toBe(0));

const BOB = "bob@example.com";
const CAROL = "carol@example.com";

/** Invitations made on the invites API, as the released package stored them. */
async function onInvites(emu: TestEmulator, people: string[], onAccepted = "fail") {
  const { provider } = await makeProvider(emu, { api: "invites" });
  const made: Record<string, { id: string; outs: OrgInvitationOutputs }> = {};
  for (const username of people) {
    const r = await provider.create({
      orgId: emu.orgId,
      username,
      roles: ["ORG_MEMBER"],
      onAccepted,
    });
    made[username] = { id: r.id, outs: r.outs as OrgInvitationOutputs };
  }
  emu.log.clear();
  // What follows plays a later deployment: a new host process, which has announced nothing yet.
  resetProcessState();
  return made;
}

describe("parseSunset", () => {
  it.each([
    ["Thu, 1 Jul 2027 00:00:00 GMT", "2027-07-01T00:00:00.000Z"],
    ["Fri, 31 Jul 2026 00:00:00 GMT", "2026-07-31T00:00:00.000Z"],
    ["Tue, 15 Sep 2026 00:00:00 GMT", "2026-09-15T00:00:00.000Z"],
    ["Wed, 01 Jul 2027 12:30:00 GMT", "2027-07-01T12:30:00.000Z"],
  ])("reads %j leniently, one-digit day included", (header, iso) => {
    expect(parseSunset(header)?.toISOString()).toBe(iso);
  });

  it.each([undefined, "", "tomorrow", "Thu, 31 Feb 2027 00:00:00 GMT"])("rejects %j", (header) => {
    expect(parseSunset(header)).toBeUndefined();
  });
});

describe("noticeSunset", () => {
  const headers = { sunset: "Thu, 1 Jul 2027 00:00:00 GMT" };
  const warned = (status: number, now: string): string[] => {
    resetProcessState();
    const warn: string[] = [];
    noticeSunset(
      { status, headers },
      "auto",
      { warn: (m) => warn.push(m) },
      { now: () => Date.parse(now) },
    );
    return warn;
  };

  it("announces a date still to come as a retirement to come", () => {
    expect(warned(200, "2026-11-30T00:00:00Z")).toEqual([
      expect.stringMatching(/^Atlas will retire the invitations API on 2027-07-01/),
    ]);
  });

  it("words a date already past, on an API Atlas still serves, as an announcement that did not happen", () => {
    expect(warned(200, "2027-08-01T00:00:00Z")).toEqual([
      expect.stringMatching(
        /announced the retirement of the invitations API for 2027-07-01, and still serves it/,
      ),
    ]);
  });

  it("says nothing on a 410: the API is gone, and the move to the org users API has its own warning", () => {
    expect(warned(410, "2027-08-01T00:00:00Z")).toEqual([]);
  });
});

describe('atlasInvitations:api "auto"', () => {
  it("warns once per process about the invites API's Sunset header, naming the date and the setting", async () => {
    const emu = emulator();
    const { provider, log } = await makeProvider(emu, { api: "auto" });
    for (const username of [ALICE, BOB]) {
      await provider.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] });
    }
    const warnings = log.warn.filter((w) => w.includes("Sunset"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/retire the invitations API on 2027-07-01/);
    expect(warnings[0]).toMatch(/atlasInvitations:api/);
  });

  it("moves to the org users API on the first 410, with one warning, and carries the step out there", async () => {
    const emu = emulator();
    const made = await onInvites(emu, [ALICE, BOB]);
    emu.control.sunsetNow();
    const { provider, log } = await makeProvider(emu, { api: "auto" });
    const alice = made[ALICE] as { id: string; outs: OrgInvitationOutputs };
    const read = await provider.read(alice.id, alice.outs);
    expect(read.id).toBe(alice.id);
    const userId = (read.props as OrgInvitationOutputs).userId;
    expect(userId).toMatch(/^[0-9a-f]{24}$/);
    expect(userId).not.toBe(alice.id);
    expect(emu.control.users(emu.orgId).find((u) => u.username === ALICE)?.id).toBe(userId);
    expectCalls(emu, ["getOrgInvite:410", "listOrgUsers"]);
    // The rest of the process stays on the org users API: no invites call any more.
    emu.log.clear();
    const bob = made[BOB] as { id: string; outs: OrgInvitationOutputs };
    await provider.read(bob.id, bob.outs);
    expect(calls(emu).some((c) => c.includes("Invite"))).toBe(false);
    expect(log.warn.filter((w) => /410 Gone/.test(w))).toHaveLength(1);
    // The 410 answers still carry the Sunset header; announcing a retirement to come is wrong then.
    expect(log.warn.filter((w) => w.includes("Sunset"))).toEqual([]);
  });
});

describe('atlasInvitations:api "invites" after the sunset', () => {
  it("fails with a configuration error naming the setting and its fix, Atlas's 410 as its cause", async () => {
    const emu = emulator();
    const made = await onInvites(emu, [ALICE]);
    emu.control.sunsetNow();
    const { provider } = await makeProvider(emu, { api: "invites" });
    const alice = made[ALICE] as { id: string; outs: OrgInvitationOutputs };
    const error = await provider.read(alice.id, alice.outs).catch((e: unknown) => e);
    expect(isAtlasConfigurationError(error)).toBe(true);
    expect(error).toMatchObject({ keys: ["atlasInvitations:api"] });
    expect((error as Error).message).toMatch(
      /410 Gone .* atlasInvitations:api is "invites"\. Run `pulumi config set atlasInvitations:api auto`/,
    );
    expect(isAtlasApiError((error as Error).cause)).toBe(true);
    // No move to the org users API behind the user's back.
    expectCalls(emu, ["getOrgInvite:410"]);
  });
});

describe("state written on the invites API, on the org users API after the sunset", () => {
  it("refreshes, updates and destroys a pending invitation with no replacement and no second invitation", async () => {
    const emu = emulator();
    const { [ALICE]: alice } = await onInvites(emu, [ALICE]);
    if (!alice) throw new Error("no invitation");
    emu.control.sunsetNow();
    const { provider } = await makeProvider(emu, { api: "auto" });
    const refreshed = (await provider.read(alice.id, alice.outs)).props as OrgInvitationOutputs;
    expect(refreshed).toMatchObject({ invitationId: alice.id, status: "PENDING" });
    const updated = await provider.update(alice.id, refreshed, {
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_READ_ONLY"],
      onAccepted: "fail",
    });
    expect(updated.outs).toMatchObject({
      roles: ["ORG_READ_ONLY"],
      invitationId: alice.id,
      userId: refreshed.userId,
    });
    expect(emu.control.users(emu.orgId)).toMatchObject([
      { username: ALICE, roles: ["ORG_READ_ONLY"] },
    ]);
    await provider.delete(alice.id, asProps(updated.outs as OrgInvitationOutputs));
    expect(emu.control.users(emu.orgId)).toEqual([]);
    expect(emu.control.invitations(emu.orgId)).toEqual([]);
    expect(calls(emu).filter((c) => c.startsWith("createOrg"))).toEqual([]);
    expect(emu.stats().pendingUserRemovals).toBe(1);
  });

  it("destroys with no userId in state: the pending user is found by email address", async () => {
    const emu = emulator();
    const { [BOB]: bob } = await onInvites(emu, [BOB]);
    if (!bob) throw new Error("no invitation");
    emu.control.sunsetNow();
    const { provider } = await makeProvider(emu, { api: "auto" });
    await provider.delete(bob.id, asProps(bob.outs));
    expect(emu.control.users(emu.orgId)).toEqual([]);
    expectCalls(emu, ["deleteOrgInvite:410", "listOrgUsers", "getOrgUser", "removeOrgUser"]);
  });

  it.each(["fail", "retain"] as const)(
    "never removes a member who accepted before the move, under onAccepted %s",
    async (onAccepted) => {
      const emu = emulator();
      const { [CAROL]: carol } = await onInvites(emu, [CAROL], onAccepted);
      if (!carol) throw new Error("no invitation");
      emu.control.acceptInvitation(emu.orgId, CAROL);
      emu.control.sunsetNow();
      const { provider, log } = await makeProvider(emu, { api: "auto" });
      const refreshed = await provider.read(carol.id, carol.outs);
      expect(refreshed.props).toMatchObject({ status: "ACCEPTED" });
      const outcome = await provider
        .delete(carol.id, asProps(refreshed.props as OrgInvitationOutputs))
        .then(
          () => "deleted",
          (e: unknown) => e,
        );
      if (onAccepted === "fail") expect(isInvitationAcceptedError(outcome)).toBe(true);
      else {
        expect(outcome).toBe("deleted");
        expect(log.warn.join("\n")).toMatch(/member was left in place/);
      }
      expect(emu.control.users(emu.orgId)).toMatchObject([
        { username: CAROL, orgMembershipStatus: "ACTIVE" },
      ]);
      expect(emu.log.entries({ operationId: "removeOrgUser" })).toEqual([]);
    },
  );

  it("reports an invitation that expired before the move as gone", async () => {
    const emu = emulator();
    const { [ALICE]: alice } = await onInvites(emu, [ALICE]);
    if (!alice) throw new Error("no invitation");
    emu.control.expireInvitation(emu.orgId, ALICE);
    emu.control.sunsetNow();
    const { provider } = await makeProvider(emu, { api: "auto" });
    expect(await provider.read(alice.id, alice.outs)).toEqual({});
    await provider.delete(alice.id, asProps(alice.outs));
    expect(emu.log.entries({ operationId: "removeOrgUser" })).toEqual([]);
  });
});

describe("the org users API's guarded DELETE", () => {
  it("reads the person's status one round trip before each DELETE: the gap is measured in milliseconds", async () => {
    const emu = emulator();
    const { provider } = await makeProvider(emu, { api: "users" });
    const gaps: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await provider.create({
        orgId: emu.orgId,
        username: `gap${i}@example.com`,
        roles: ["ORG_MEMBER"],
      });
      emu.log.clear();
      await provider.delete(r.id, asProps(r.outs as OrgInvitationOutputs));
      const [read, remove] = emu.log.entries();
      expect([read?.operationId, remove?.operationId]).toEqual(["getOrgUser", "removeOrgUser"]);
      gaps.push((remove?.receivedAt ?? 0) - (read?.answeredAt ?? 0));
    }
    const sorted = [...gaps].sort((a, b) => a - b);
    const median = sorted[10] ?? Infinity;
    console.log(
      `gap from the status read's answer to the DELETE's arrival, ms: median ${median.toFixed(2)}, max ${(sorted.at(-1) ?? 0).toFixed(2)}`,
    );
    expect(median).toBeLessThan(20);
  });

  it("sends no DELETE when the person accepted between the provider's refresh and the destroy", async () => {
    const emu = emulator();
    const { provider } = await makeProvider(emu, { api: "users" });
    const r = await provider.create({
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER"],
      onAccepted: "retain",
    });
    emu.control.setKnobs({ acceptedUserId: "same" });
    emu.control.acceptInvitation(emu.orgId, ALICE);
    emu.log.clear();
    await provider.delete(r.id, asProps(r.outs as OrgInvitationOutputs));
    expect(calls(emu)).toEqual(["getOrgUser"]);
    expect(emu.control.users(emu.orgId)).toMatchObject([
      { username: ALICE, orgMembershipStatus: "ACTIVE" },
    ]);
  });
});

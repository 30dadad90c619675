/**
 * The migration a user of the released package lives through, under the real Pulumi engine (the
 * `pulumi` CLI, one process per command, a file backend): state written by 0.1.0 (the released
 * tarball, test/fixtures/released) on the invites API; people accept and an invitation expires;
 * the project switches to the current package, as `npm install` of a new version does (the
 * project's node_modules now holds the current package; the folder, its stack config and the
 * backend stay, as in upgrade.test.ts); Atlas retires the invites API (the emulator's sunset);
 * and, with `atlasInvitations:api` left unset (so "auto"), refresh, up and destroy carry on
 * through the org users API.
 *
 * What must hold: no replacement and no new invitation, resource ids that never change, the
 * pending one's org user id recorded as `userId` and written with a PATCH of that user, the
 * accepted ones never cancelled nor removed (refused under "fail", dropped with a warning under
 * "retain"), the expired one gone, the pending one removed from Atlas on destroy, and one warning
 * about the move per CLI command (each runs a provider process of its own).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LogEntry } from "../../emulator";
import { PACKAGE_NAME, prepareConsumer } from "../../host-harness";
import type { Consumer } from "../../host-harness";
import type { CliStack } from "../../host-harness/cli-stack";
import type { CommandResult, StackResource } from "../../host-harness/cli-stack";
import {
  PREPARE_TIMEOUT_MS,
  calls,
  expectCalls,
  expectConcurrentCalls,
  requiredModules,
  takeLog,
} from "../host/helpers";
import {
  MOVE_WARNING,
  RELEASED_TARBALL,
  count,
  diagnostics,
  expectReleasedProject,
  switchInstall,
} from "./released";
import {
  expectExit,
  invitationOf,
  newStack,
  opsOf,
  useCli,
  useConsumer,
  useHostEmulator,
} from "./helpers";

const STACK = "migration";
/** The Sunset notice in the future tense, which must not follow a 410. */
const FUTURE_SUNSET = /will retire the invitations API/;
/** The four people of the stack, by resource name; each resource invites `<name>@example.com`. */
const NAMES = ["pending", "accepted-fail", "accepted-retain", "expiring"] as const;
type Name = (typeof NAMES)[number];
const username = (name: Name): string => `${name}@example.com`;

/** Reads are the provider's business; among writes, creating anything is what must never happen. */
const creates = (entries: readonly LogEntry[]): string[] =>
  entries
    .filter((e) => e.operationId === "createOrgInvite" || e.operationId === "createOrgUser")
    .map((e) => `${e.method} ${e.path} ${e.status}`);

describe("state written by the released 0.1.0 on the invites API, carried by the current package through the sunset to the org users API under the real pulumi CLI", () => {
  const current = useConsumer();
  const cli = useCli();
  const t = useHostEmulator({ prefix: "engine-migration-" });
  let released: Consumer;
  let stack: CliStack;
  /** Every Atlas request since the upgrade. */
  const sinceUpgrade: LogEntry[] = [];
  /** Each CLI command's result after the sunset. */
  const afterSunset: CommandResult[] = [];
  /** The resource ids the released package wrote. */
  const ids: Partial<Record<Name, string>> = {};

  const program = (pendingRoles: string[]): StackResource[] => [
    invitationOf("pending", t.emulator.orgId, { roles: pendingRoles }),
    invitationOf("accepted-fail", t.emulator.orgId),
    invitationOf("accepted-retain", t.emulator.orgId, { onAccepted: "retain" }),
  ];
  const idsInState = async (): Promise<Record<string, string | undefined>> =>
    Object.fromEntries([...(await stack.invitationsInState())].map(([n, r]) => [n, r.id]));
  const outputsOf = async (name: Name): Promise<Record<string, unknown>> =>
    (await stack.invitationsInState()).get(name)?.outputs ?? {};
  const member = (name: Name) =>
    t.emulator.control.users(t.emulator.orgId).find((u) => u.username === username(name));
  /** The command's Atlas calls, kept for the whole-migration assertions. */
  const commandLog = (): LogEntry[] => {
    const entries = takeLog(t.emulator);
    sinceUpgrade.push(...entries);
    return entries;
  };

  beforeAll(async () => {
    released = await prepareConsumer({ tarball: RELEASED_TARBALL });
    stack = await newStack({
      consumer: released,
      cli: cli(),
      emulator: t.emulator,
      dir: t.dir,
      name: STACK,
    });
    takeLog(t.emulator);
  }, PREPARE_TIMEOUT_MS);

  it("runs the project on the released 0.1.0, byte for byte the pinned tarball, which has no org users backend, with atlasInvitations:api unset", async () => {
    await expectReleasedProject(released, stack);
    const config = await stack.cli(["config", "--json"]);
    expect(config.exitCode).toBe(0);
    const keys = Object.keys(JSON.parse(config.stdout) as Record<string, unknown>);
    expect(keys).toContain("mongodbatlas:baseUrl");
    expect(keys.filter((k) => k.startsWith("atlasInvitations:"))).toEqual([]);
  }, 60_000);

  it("creates four pending invitations on the invites API with the released package, storing a provider that requires the package's runtime subpath", async () => {
    const up = await stack.up([
      ...program(["ORG_MEMBER"]),
      invitationOf("expiring", t.emulator.orgId),
    ]);
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(NAMES.map((name) => `${name}: create`).sort());
    expect(calls(t.emulator).filter((c) => !/^(get|list)/.test(c))).toEqual(
      NAMES.map(() => "createOrgInvite"),
    );
    takeLog(t.emulator);
    const state = await stack.invitationsInState();
    expect([...state.keys()].sort()).toEqual([...NAMES].sort());
    const invitations = t.emulator.control.invitations(t.emulator.orgId);
    for (const name of NAMES) {
      const resource = state.get(name);
      // The __provider 0.1.0 stored requires its stable runtime subpath, which the upgrade will
      // serve from the new code.
      expect(requiredModules(resource?.inputs?.["__provider"] as string)).toContain(
        `${PACKAGE_NAME}/runtime`,
      );
      const stored = invitations.find((i) => i.username === username(name));
      expect(stored).toBeDefined();
      expect(resource?.id).toBe(stored?.id);
      expect(resource?.outputs).toMatchObject({ invitationId: stored?.id, status: "PENDING" });
      expect(resource?.outputs?.["userId"]).toBeUndefined();
      if (resource?.id !== undefined) ids[name] = resource.id;
    }
  }, 180_000);

  it("in Atlas, two people accept and one invitation expires", () => {
    t.emulator.control.acceptInvitation(t.emulator.orgId, username("accepted-fail"));
    t.emulator.control.acceptInvitation(t.emulator.orgId, username("accepted-retain"));
    t.emulator.control.expireInvitation(t.emulator.orgId, username("expiring"));
    expect(t.emulator.control.invitations(t.emulator.orgId).map((i) => i.id)).toEqual([
      ids.pending,
    ]);
    expect(member("accepted-fail")?.orgMembershipStatus).toBe("ACTIVE");
    expect(member("accepted-retain")?.orgMembershipStatus).toBe("ACTIVE");
  });

  it("switches the project folder to the current package, leaving the state untouched, and Atlas retires the invites API", async () => {
    const before = await stack.exportState();
    // What `npm install` of the new version does to the project: node_modules now holds the
    // current package. The project folder, its stack config and the backend stay.
    stack = await switchInstall(stack, current(), cli());
    // The same version number as the release: the code tells them apart.
    const runtime = (dir: string) => readFile(join(dir, "dist", "provider.js"), "utf8");
    expect(await runtime(join(stack.workDir, "node_modules", PACKAGE_NAME))).toBe(
      await runtime(current().packageDir),
    );
    expect(
      existsSync(
        join(stack.workDir, "node_modules", PACKAGE_NAME, "dist", "backends", "select.js"),
      ),
    ).toBe(true);
    expect(await stack.exportState()).toEqual(before);
    expect(takeLog(t.emulator)).toEqual([]);
    t.emulator.control.sunsetNow();
  }, 120_000);

  it("refreshes after the sunset through the org users API with one move warning: records the pending one's userId, keeps the accepted ones as ACCEPTED and drops the expired one, ids unchanged", async () => {
    const refresh = await stack.refresh();
    expectExit(refresh, 0);
    afterSunset.push(refresh);
    // Under the real engine every step of a refresh starts as `refresh`; the one it drops from the
    // state ends as a `delete` (the CLI prints "deleted", counts it as deleted).
    expect(opsOf(refresh)).toEqual(NAMES.map((name) => `${name}: refresh`).sort());
    expect(refresh.steps.filter((s) => s.op === "delete").map((s) => s.name)).toEqual(["expiring"]);
    expect(refresh.summary?.["delete"]).toBe(1);
    const log = commandLog();
    // Reads only: every invites call answered 410, and the rest went to the org users API.
    expect(log.filter((e) => e.method !== "GET")).toEqual([]);
    const invitesCalls = log.filter((e) => /Invite/.test(e.operationId ?? "") && !e.challenged);
    expect(invitesCalls.length).toBeGreaterThanOrEqual(1);
    expect(invitesCalls.filter((e) => e.status !== 410)).toEqual([]);
    expect(count(diagnostics(refresh), MOVE_WARNING)).toBe(1);

    expect(await idsInState()).toEqual({
      pending: ids.pending,
      "accepted-fail": ids["accepted-fail"],
      "accepted-retain": ids["accepted-retain"],
    });
    const pending = await outputsOf("pending");
    const pendingUser = member("pending");
    expect(pendingUser?.orgMembershipStatus).toBe("PENDING");
    expect(pending).toMatchObject({
      invitationId: ids.pending,
      userId: pendingUser?.id,
      status: "PENDING",
    });
    expect(pending["userId"]).not.toBe(ids.pending);
    expect((await outputsOf("accepted-fail"))["status"]).toBe("ACCEPTED");
    expect((await outputsOf("accepted-retain"))["status"]).toBe("ACCEPTED");
  }, 180_000);

  it("updates a changed role for the pending one with a PATCH of its org user in place: no replacement, no new invitation, the ids unchanged", async () => {
    const before = await stack.invitationsInState();
    const userId = before.get("pending")?.outputs?.["userId"];
    expect(typeof userId).toBe("string");
    const up = await stack.up(program(["ORG_READ_ONLY"]));
    expectExit(up, 0);
    afterSunset.push(up);
    // The expired invitation is no longer declared, nor in the state: nothing is to be created.
    expect(opsOf(up)).toEqual(["accepted-fail: same", "accepted-retain: same", "pending: update"]);
    // A fresh provider process tries the invites API first, moves on its 410, and PATCHes the user.
    expectCalls(t.emulator, ["updateOrgInviteById:410", "getOrgUser", "updateOrgUser"]);
    const log = commandLog();
    expect(log.find((e) => e.method === "PATCH" && e.status === 200)?.path).toBe(
      `/api/atlas/v2/orgs/${t.emulator.orgId}/users/${String(userId)}`,
    );
    expect(count(diagnostics(up), MOVE_WARNING)).toBe(1);
    expect(await idsInState()).toEqual(Object.fromEntries([...before].map(([n, r]) => [n, r.id])));
    expect(await outputsOf("pending")).toMatchObject({
      roles: ["ORG_READ_ONLY"],
      invitationId: ids.pending,
      userId,
      status: "PENDING",
    });
    expect(member("pending")).toMatchObject({
      orgMembershipStatus: "PENDING",
      roles: ["ORG_READ_ONLY"],
    });
  }, 180_000);

  it("destroys the pending one's org user, drops the accepted-retain one with a warning, and refuses the accepted-fail one naming ATLAS_INVITATIONS_ON_ACCEPTED=retain", async () => {
    const pendingUserId = (await outputsOf("pending"))["userId"];
    const destroy = await stack.destroy();
    expect(destroy.exitCode).toBe(1);
    afterSunset.push(destroy);
    expect(opsOf(destroy)).toEqual([
      "accepted-fail: delete failed",
      "accepted-retain: delete",
      "pending: delete",
    ]);
    const refusal = destroy.steps.find((s) => s.name === "accepted-fail");
    expect(refusal).toMatchObject({ planned: "delete", failed: true });
    const error = refusal?.errors.join("\n") ?? "";
    expect(error).toContain(username("accepted-fail"));
    expect(error).toMatch(/onAccepted: "retain"/);
    expect(error).toMatch(/ATLAS_INVITATIONS_ON_ACCEPTED=retain/);
    // The engine deletes in parallel: the accepted ones cost a membership look-up each (which may
    // share one org-wide list); the pending one's cancel meets the 410, moves, and removes the
    // PENDING user after reading its status.
    expectConcurrentCalls(t.emulator, [
      ["listOrgUsers"],
      ["listOrgUsers"],
      ["deleteOrgInvite:410", "getOrgUser", "removeOrgUser"],
    ]);
    const log = commandLog();
    expect(log.filter((e) => e.operationId === "removeOrgUser").map((e) => e.path)).toEqual([
      `/api/atlas/v2/orgs/${t.emulator.orgId}/users/${String(pendingUserId)}`,
    ]);
    expect(count(diagnostics(destroy), MOVE_WARNING)).toBe(1);
    // The provider's stderr warning for the retained member is one diagnostic (the engine files it
    // under the stack, not the resource) and is in the CLI's own Diagnostics output.
    const retained =
      /warning: accepted-retain@example\.com accepted the invitation[^\n]*member was left in place/;
    expect(count(diagnostics(destroy), retained)).toBe(1);
    expect(destroy.stdout).toMatch(retained);
    expect(await idsInState()).toEqual({ "accepted-fail": ids["accepted-fail"] });
    expect(t.emulator.stats()).toMatchObject({ pendingUserRemovals: 1, activeUserRemovals: 0 });
    expect(member("pending")).toBeUndefined();
    expect(member("accepted-fail")?.orgMembershipStatus).toBe("ACTIVE");
    expect(member("accepted-retain")?.orgMembershipStatus).toBe("ACTIVE");
    expect(t.emulator.control.invitations(t.emulator.orgId)).toEqual([]);
  }, 180_000);

  it("never created anything after the upgrade, on either API", () => {
    expect(sinceUpgrade.length).toBeGreaterThan(0);
    expect(creates(sinceUpgrade)).toEqual([]);
  });

  it("gives one move warning per CLI command after the sunset and never announces that Atlas will retire the invites API, which already answered 410", () => {
    // The Sunset header still rides on the 410 answers; a warning in the future tense, "moves ...
    // when that happens", contradicts the move warning printed right after it.
    expect(afterSunset.map((r) => r.command)).toEqual(["refresh", "up", "destroy"]);
    for (const result of afterSunset) {
      expect(count(diagnostics(result), MOVE_WARNING)).toBe(1);
      expect(diagnostics(result).filter((m) => FUTURE_SUNSET.test(m))).toEqual([]);
      expect(result.stdout).toMatch(MOVE_WARNING);
      expect(result.stdout).not.toMatch(FUTURE_SUNSET);
      expect(result.stderr).not.toMatch(FUTURE_SUNSET);
    }
  });
});

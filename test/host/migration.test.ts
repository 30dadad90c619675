/**
 * The migration a user of the released package lives through: state written by 0.1.0 (the
 * released tarball, test/fixtures/released) on the invites API; people accept and an invitation
 * expires; the user installs the current package with `npm install`, as for any new version;
 * Atlas retires the invites API (the emulator's sunset); and, with `atlasInvitations:api` left at
 * its default ("auto"), refresh, up and destroy carry on through the org users API. Every command
 * runs in a host process of its own from the state file, as the CLI does.
 *
 * What must hold: no replacement and no new invitation, resource ids that never change, the
 * pending one's org user id recorded as `userId` and written with a PATCH of that user, the
 * accepted ones never cancelled nor removed (refused under "fail", dropped with a warning under
 * "retain"), the expired one gone, the pending one removed from Atlas on destroy, and one warning
 * about the move per host process.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LogEntry } from "../../emulator";
import {
  Engine,
  PACKAGE_NAME,
  REPO_ROOT,
  prepareConsumer,
  serializeDeclarations,
  startConfiguredHost,
} from "../../host-harness";
import type { Consumer, Declaration, Registration, StackState } from "../../host-harness";
import { copyConsumer, installTarball } from "../../host-harness/upgrade";
import {
  PREPARE_TIMEOUT_MS,
  authConfig,
  calls,
  expectCalls,
  invitation,
  requiredModules,
  takeLog,
  useConsumer,
  useHostEmulator,
} from "./helpers";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "released");
const RELEASED_TARBALL = join(FIXTURES, `${PACKAGE_NAME}-0.1.0.tgz`);
/** The provider's warning when the first 410 moves a host process to the org users API. */
const MOVE_WARNING = /Atlas answered 410 Gone for the invitations API/g;
/** The four people of the stack, by resource name; each resource invites `<name>@example.com`. */
const NAMES = ["pending", "accepted-fail", "accepted-retain", "expiring"] as const;
type Name = (typeof NAMES)[number];
const username = (name: Name): string => `${name}@example.com`;

/** Reads are the provider's business; among writes, creating anything is what must never happen. */
const creates = (entries: readonly LogEntry[]): string[] =>
  entries
    .filter((e) => e.operationId === "createOrgInvite" || e.operationId === "createOrgUser")
    .map((e) => `${e.method} ${e.path} ${e.status}`);

describe("state written by the released 0.1.0 on the invites API, carried by the current package through the sunset to the org users API", () => {
  const current = useConsumer();
  const t = useHostEmulator({ prefix: "host-migration-" });
  let project: Consumer;
  /** Every Atlas request since the upgrade. */
  const sinceUpgrade: LogEntry[] = [];
  /** What each host process wrote to stderr after the sunset, one entry per CLI command. */
  const afterSunset: string[] = [];
  /** The resource ids the released package wrote. */
  let ids: Partial<Record<Name, string>> = {};

  const statePath = (): string => join(t.dir, "state.json");
  const stateFile = async (): Promise<StackState> =>
    JSON.parse(await readFile(statePath(), "utf8")) as StackState;
  /** Each CLI command starts from the state file with a host of its own; `atlasInvitations:api` unset. */
  const engineFromStateFile = async (): Promise<Engine> => {
    const { config, secretKeys } = authConfig(t.emulator, "digest");
    expect(Object.keys(config).filter((k) => k.startsWith("atlasInvitations:"))).toEqual([]);
    return new Engine({
      startHost: () => startConfiguredHost(project, { config, secretKeys }),
      statePath: statePath(),
      project: "invitations",
      stack: "prod",
      state: await stateFile().catch(() => ({ resources: {}, pendingDeletes: [] })),
    });
  };
  const idsIn = (state: StackState): Record<string, string> =>
    Object.fromEntries(Object.entries(state.resources).map(([name, r]) => [name, r.id]));
  const declarations = (pendingRoles: string[]): Declaration[] => [
    invitation("pending", t.emulator.orgId, { roles: pendingRoles }),
    invitation("accepted-fail", t.emulator.orgId),
    invitation("accepted-retain", t.emulator.orgId, { onAccepted: "retain" }),
  ];
  const member = (name: Name) =>
    t.emulator.control.users(t.emulator.orgId).find((u) => u.username === username(name));
  /** The step's Atlas calls, kept for the whole-migration assertions. */
  const stepLog = (): LogEntry[] => {
    const entries = takeLog(t.emulator);
    sinceUpgrade.push(...entries);
    return entries;
  };

  beforeAll(async () => {
    const released = await prepareConsumer({ tarball: RELEASED_TARBALL });
    project = await copyConsumer(released, join(t.dir, "project"));
  }, PREPARE_TIMEOUT_MS);

  it("the project runs the released 0.1.0, byte for byte the pinned tarball, which has no org users backend", async () => {
    const [pinned] = (await readFile(join(FIXTURES, "SHA256SUMS"), "utf8")).split(/\s+/);
    const actual = createHash("sha256")
      .update(await readFile(RELEASED_TARBALL))
      .digest("hex");
    expect(actual).toBe(pinned);
    expect(project.tarballSha256).toBe(pinned);
    const manifest = JSON.parse(
      await readFile(join(project.packageDir, "package.json"), "utf8"),
    ) as { version: string };
    expect(manifest.version).toBe("0.1.0");
    expect(existsSync(join(project.packageDir, "dist", "backends"))).toBe(false);
  });

  it("up with the released package creates four pending invitations on the invites API", async () => {
    const registrations: Registration[] = await serializeDeclarations(project, [
      ...declarations(["ORG_MEMBER"]),
      invitation("expiring", t.emulator.orgId),
    ]);
    // The __provider the released package stores requires its stable runtime subpath, which the
    // upgrade will serve from the new code.
    for (const r of registrations)
      expect(requiredModules(r.inputs["__provider"] as string)).toContain(
        `${PACKAGE_NAME}/runtime`,
      );
    const engine = await engineFromStateFile();
    expect(await engine.up(registrations)).toEqual(NAMES.map((name) => ({ name, op: "create" })));
    expect(calls(t.emulator).filter((c) => !/^(get|list)/.test(c))).toEqual(
      NAMES.map(() => "createOrgInvite"),
    );
    takeLog(t.emulator);
    const state = await stateFile();
    ids = idsIn(state);
    const invitations = t.emulator.control.invitations(t.emulator.orgId);
    for (const name of NAMES) {
      const stored = invitations.find((i) => i.username === username(name));
      expect(ids[name]).toBe(stored?.id);
      expect(state.resources[name]?.outputs).toMatchObject({
        invitationId: ids[name],
        status: "PENDING",
      });
      expect(state.resources[name]?.outputs["userId"]).toBeUndefined();
    }
  });

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

  it("npm install of the current package replaces the released one in node_modules and leaves the state file alone", async () => {
    const before = await stateFile();
    await installTarball(project, current().tarball);
    // The same version number as the release: the code tells them apart.
    const runtime = (dir: string) => readFile(join(dir, "dist", "provider.js"), "utf8");
    expect(await runtime(project.packageDir)).toBe(await runtime(current().packageDir));
    expect(existsSync(join(project.packageDir, "dist", "backends", "select.js"))).toBe(true);
    expect(await stateFile()).toEqual(before);
    t.emulator.control.sunsetNow();
    takeLog(t.emulator);
  });

  it("refresh after the sunset moves to the org users API with one warning, records the pending one's userId, keeps the accepted ones as ACCEPTED and drops the expired one", async () => {
    const engine = await engineFromStateFile();
    const reports = await engine.refresh();
    expect([...reports].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "accepted-fail", op: "refresh" },
      { name: "accepted-retain", op: "refresh" },
      { name: "expiring", op: "drop" },
      { name: "pending", op: "refresh" },
    ]);
    const log = stepLog();
    // Reads only: every invites call answered 410, and the rest went to the org users API.
    expect(log.filter((e) => e.method !== "GET")).toEqual([]);
    const invitesCalls = log.filter((e) => /Invite/.test(e.operationId ?? "") && !e.challenged);
    expect(invitesCalls.length).toBeGreaterThanOrEqual(1);
    expect(invitesCalls.filter((e) => e.status !== 410)).toEqual([]);
    afterSunset.push(engine.hostOutput().stderr);
    expect(engine.hostOutput().stderr.match(MOVE_WARNING)).toHaveLength(1);

    const state = await stateFile();
    expect(idsIn(state)).toEqual({
      pending: ids.pending,
      "accepted-fail": ids["accepted-fail"],
      "accepted-retain": ids["accepted-retain"],
    });
    const pending = state.resources["pending"]?.outputs ?? {};
    const pendingUser = t.emulator.control
      .users(t.emulator.orgId)
      .find((u) => u.username === username("pending"));
    expect(pendingUser?.orgMembershipStatus).toBe("PENDING");
    expect(pending).toMatchObject({
      invitationId: ids.pending,
      userId: pendingUser?.id,
      status: "PENDING",
    });
    expect(pending["userId"]).not.toBe(ids.pending);
    expect(state.resources["accepted-fail"]?.outputs["status"]).toBe("ACCEPTED");
    expect(state.resources["accepted-retain"]?.outputs["status"]).toBe("ACCEPTED");
  });

  it("up with a changed role for the pending one PATCHes its org user in place: no replacement, no new invitation, the id unchanged", async () => {
    const before = await stateFile();
    const program = await serializeDeclarations(project, declarations(["ORG_READ_ONLY"]));
    const engine = await engineFromStateFile();
    // The expired invitation is no longer declared: nothing is to be created.
    expect(await engine.up(program)).toEqual([
      { name: "pending", op: "update" },
      { name: "accepted-fail", op: "same" },
      { name: "accepted-retain", op: "same" },
    ]);
    // A fresh process tries the invites API first, moves on its 410, and PATCHes the user.
    expectCalls(t.emulator, ["updateOrgInviteById:410", "getOrgUser", "updateOrgUser"]);
    const log = stepLog();
    expect(log.find((e) => e.method === "PATCH" && e.status === 200)?.path).toBe(
      `/api/atlas/v2/orgs/${t.emulator.orgId}/users/${before.resources["pending"]?.outputs["userId"]}`,
    );
    afterSunset.push(engine.hostOutput().stderr);
    expect(engine.hostOutput().stderr.match(MOVE_WARNING)).toHaveLength(1);
    const state = await stateFile();
    expect(idsIn(state)).toEqual(idsIn(before));
    expect(state.resources["pending"]?.outputs).toMatchObject({
      roles: ["ORG_READ_ONLY"],
      invitationId: ids.pending,
      userId: before.resources["pending"]?.outputs["userId"],
      status: "PENDING",
    });
    expect(member("pending")).toMatchObject({
      orgMembershipStatus: "PENDING",
      roles: ["ORG_READ_ONLY"],
    });
  });

  it("destroy drops the accepted-retain one with a warning, refuses the accepted-fail one, and removes the pending one's org user", async () => {
    const pendingUserId = (await stateFile()).resources["pending"]?.outputs["userId"];
    const engine = await engineFromStateFile();
    const reports = await engine.destroy();
    expect(reports.map((r) => [r.name, r.op])).toEqual([
      ["accepted-retain", "delete"],
      ["accepted-fail", "failed"],
      ["pending", "delete"],
    ]);
    const refusal = reports.find((r) => r.name === "accepted-fail");
    expect(refusal).toMatchObject({ attempted: "delete" });
    expect(refusal?.error).toContain(username("accepted-fail"));
    expect(refusal?.error).toMatch(/onAccepted: "retain"/);
    expect(refusal?.error).toMatch(/ATLAS_INVITATIONS_ON_ACCEPTED=retain/);
    // Newest first, one at a time: the accepted ones cost a membership look-up each; the pending
    // one's cancel meets the 410, moves, and removes the PENDING user after reading its status.
    expectCalls(t.emulator, [
      "listOrgUsers",
      "listOrgUsers",
      "deleteOrgInvite:410",
      "getOrgUser",
      "removeOrgUser",
    ]);
    const log = stepLog();
    expect(log.find((e) => e.operationId === "removeOrgUser")?.path).toBe(
      `/api/atlas/v2/orgs/${t.emulator.orgId}/users/${pendingUserId}`,
    );
    const stderr = engine.hostOutput().stderr;
    afterSunset.push(stderr);
    expect(stderr.match(MOVE_WARNING)).toHaveLength(1);
    expect(stderr).toContain(username("accepted-retain"));
    expect(stderr).toMatch(/member was left in place/);
    expect(Object.keys((await stateFile()).resources)).toEqual(["accepted-fail"]);
    expect(t.emulator.stats()).toMatchObject({ pendingUserRemovals: 1, activeUserRemovals: 0 });
    expect(member("pending")).toBeUndefined();
    expect(member("accepted-fail")?.orgMembershipStatus).toBe("ACTIVE");
    expect(member("accepted-retain")?.orgMembershipStatus).toBe("ACTIVE");
    expect(t.emulator.control.invitations(t.emulator.orgId)).toEqual([]);
  });

  it("after the upgrade nothing was ever created, on either API", () => {
    expect(sinceUpgrade.length).toBeGreaterThan(0);
    expect(creates(sinceUpgrade)).toEqual([]);
  });

  it("after the sunset no host process announces that Atlas will retire the invites API: it already answered 410", () => {
    // The Sunset header still rides on the 410 answers; a warning in the future tense, "moves ...
    // when that happens", contradicts the move warning printed right after it.
    expect(afterSunset).toHaveLength(3);
    for (const stderr of afterSunset) {
      expect(stderr.match(MOVE_WARNING)).toHaveLength(1);
      expect(stderr).not.toMatch(/will retire the invitations API/);
    }
  });
});

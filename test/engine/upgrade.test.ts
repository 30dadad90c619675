/**
 * An upgrade under the real Pulumi engine: a stack made by the RELEASED 0.1.0 (the pinned tarball,
 * test/fixtures/released) with the `pulumi` CLI, then the same project folder switched to the
 * current package, as `npm install` of a new version does. The state keeps the `__provider` text
 * 0.1.0 serialized, which only requires `pulumi-atlas-org-invitations/runtime`; the engine runs that
 * stored text for refresh and destroy (pulumi/pulumi#16826), so they must load the code installed
 * now.
 *
 * Both packages say 0.1.0 (package.json was not bumped), so the User-Agent they send is the same
 * string and cannot tell them apart. Behaviour does: only the current package reads Atlas's
 * `Sunset` header (it warns, once per provider process, that the invites API will be retired), and
 * only it has the org users backend, so only it can cancel an invitation after the invites API is
 * gone (a 410, then `removeOrgUser` of the pending org user). 0.1.0 has neither the warning's text
 * nor a `removeOrgUser` call anywhere in its code.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_NAME, prepareConsumer } from "../../host-harness";
import type { Consumer } from "../../host-harness";
import type { CliStack } from "../../host-harness/cli-stack";
import type { Deployment } from "../../host-harness/cli-stack";
import {
  PREPARE_TIMEOUT_MS,
  calls,
  expectConcurrentCalls,
  requiredModules,
  stepsOn,
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

const STACK = "upgrade";
const ALICE = "alice@example.com";
const BOB = "bob@example.com";
/** The current package's Sunset notice (provider/backends/select.ts); 0.1.0 has no such text. */
const SUNSET_NOTICE = /Atlas will retire the invitations API on 2027-07-01/;

/** The calls that changed something in Atlas, as `operationId` or `operationId:status`. */
const writesIn = (list: readonly string[]): string[] =>
  list.filter((c) => !/^(get|list)/.test(c)).sort();

describe("a stack made by the released 0.1.0 under the real pulumi CLI, carried on by the current package installed in its place", () => {
  const current = useConsumer();
  const cli = useCli();
  const t = useHostEmulator({ prefix: "engine-upgrade-" });
  let released: Consumer;
  let stack: CliStack;
  /** The `__provider` text 0.1.0 stored, per resource. */
  const storedProviders: Record<string, unknown> = {};
  const program = (
    aliceArgs: Record<string, unknown> = {},
    bobArgs: Record<string, unknown> = {},
  ) => [
    invitationOf("alice", t.emulator.orgId, aliceArgs),
    invitationOf("bob", t.emulator.orgId, bobArgs),
  ];
  const resourcesOf = (deployment: Deployment) =>
    (deployment.resources ?? []).filter((r) => r.type.includes("OrgInvitation"));

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

  it("runs the project on the released 0.1.0, byte for byte the pinned tarball, which has no org users backend", async () => {
    await expectReleasedProject(released, stack);
  });

  it("creates two invitations with 0.1.0, one POST each, and stores a provider that only requires the package's runtime subpath", async () => {
    const up = await stack.up(program());
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["alice: create", "bob: create"]);
    expect(writesIn(calls(t.emulator))).toEqual(["createOrgInvite", "createOrgInvite"]);
    // 0.1.0 does not read the Sunset header: no notice.
    expect(count(diagnostics(up), SUNSET_NOTICE)).toBe(0);
    takeLog(t.emulator);
    const state = await stack.invitationsInState();
    expect([...state.keys()].sort()).toEqual(["alice", "bob"]);
    for (const [name, r] of state) {
      const text = r.inputs?.["__provider"];
      expect(typeof text).toBe("string");
      expect(requiredModules(text as string)).toEqual([`${PACKAGE_NAME}/runtime`]);
      expect(r.outputs?.["__provider"]).toBe(text);
      expect(r.outputs?.["status"]).toBe("PENDING");
      storedProviders[name] = text;
    }
    const pending = t.emulator.control.invitations(t.emulator.orgId).map((i) => i.username);
    expect(pending.sort()).toEqual([ALICE, BOB]);
  }, 180_000);

  it("switches the project folder to the current package and leaves the state untouched", async () => {
    const before = await stack.exportState();
    // What `npm install` of the new version does to the project: node_modules now holds the
    // current package. The project folder, its stack config and the backend stay.
    stack = await switchInstall(stack, current(), cli());
    expect(existsSync(join(stack.workDir, "node_modules", PACKAGE_NAME, "dist", "backends"))).toBe(
      true,
    );
    const after = await stack.exportState();
    expect(resourcesOf(after)).toEqual(resourcesOf(before));
    expect(takeLog(t.emulator)).toEqual([]);
  }, 120_000);

  it("refreshes with the provider 0.1.0 stored, running the current package: it sees alice's acceptance, writes nothing, and gives the Sunset notice only the current package has", async () => {
    t.emulator.control.acceptInvitation(t.emulator.orgId, ALICE);
    takeLog(t.emulator);
    const refresh = await stack.refresh();
    expectExit(refresh, 0);
    expect(opsOf(refresh)).toEqual(["alice: refresh", "bob: refresh"]);
    expect(writesIn(calls(t.emulator))).toEqual([]);
    takeLog(t.emulator);
    expect(count(diagnostics(refresh), SUNSET_NOTICE)).toBe(1);
    const state = await stack.invitationsInState();
    expect(state.get("alice")?.outputs?.["status"]).toBe("ACCEPTED");
    expect(state.get("bob")?.outputs?.["status"]).toBe("PENDING");
    // The refresh ran the stored text: it is still what 0.1.0 wrote.
    expect(Object.fromEntries([...state].map(([n, r]) => [n, r.inputs?.["__provider"]]))).toEqual(
      storedProviders,
    );
  }, 180_000);

  it("updates in place with the current package: bob's new role is one PATCH, alice's switch to retain changes only the state", async () => {
    const up = await stack.up(program({ onAccepted: "retain" }, { roles: ["ORG_READ_ONLY"] }));
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["alice: update", "bob: update"]);
    expectConcurrentCalls(t.emulator, [stepsOn("invites").updatePending]);
    takeLog(t.emulator);
    const bob = t.emulator.control.invitations(t.emulator.orgId).find((i) => i.username === BOB);
    expect(bob?.roles).toEqual(["ORG_READ_ONLY"]);
    // The current package serializes the same text: the provider in state is unchanged.
    const state = await stack.invitationsInState();
    expect(Object.fromEntries([...state].map(([n, r]) => [n, r.inputs?.["__provider"]]))).toEqual(
      storedProviders,
    );
  }, 180_000);

  it("destroys with the stored provider running the current package: after the invites API's sunset it cancels bob's invitation through the org users API, which 0.1.0 cannot, and leaves alice a member", async () => {
    t.emulator.control.sunsetNow();
    takeLog(t.emulator);
    const bobUser = t.emulator.control
      .users(t.emulator.orgId)
      .find((u) => u.username === BOB && u.orgMembershipStatus === "PENDING");
    expect(bobUser).toBeDefined();
    const destroy = await stack.destroy();
    expectExit(destroy, 0);
    expect(opsOf(destroy)).toEqual(["alice: delete", "bob: delete"]);
    const log = takeLog(t.emulator);
    // Bob: the cancel meets the 410, the provider moves, and removes the PENDING org user.
    const writes = log
      .filter((e) => e.method !== "GET" && !e.challenged && e.operationId !== undefined)
      .map((e) => `${e.operationId}:${e.status}`)
      .sort();
    expect(writes).toEqual(["deleteOrgInvite:410", "removeOrgUser:204"]);
    expect(log.find((e) => e.operationId === "removeOrgUser")?.path).toBe(
      `/api/atlas/v2/orgs/${t.emulator.orgId}/users/${bobUser?.id}`,
    );
    expect(count(diagnostics(destroy), MOVE_WARNING)).toBe(1);
    expect(t.emulator.stats()).toMatchObject({ pendingUserRemovals: 1, activeUserRemovals: 0 });
    expect(t.emulator.control.invitations(t.emulator.orgId)).toEqual([]);
    const users = t.emulator.control.users(t.emulator.orgId);
    expect(users.map((u) => [u.username, u.orgMembershipStatus])).toEqual([[ALICE, "ACTIVE"]]);
    expect([...(await stack.invitationsInState()).keys()]).toEqual([]);
  }, 180_000);
});

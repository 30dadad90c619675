/**
 * Each ResourceProvider call through the SDK's own dynamic-provider host, with the provider
 * installed from its tarball and serialized by a real program, against the emulator; for both
 * auth strategies. The Atlas calls each operation makes are asserted from the emulator's log.
 */
import { serializeDeclarations, startHost, HostError, UNKNOWN } from "../../host-harness";
import type { HostClient, Props, Registration } from "../../host-harness";
import { startTestEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import {
  STRATEGIES,
  apiCalls,
  authConfig,
  expectRequestsOnContract,
  invitation,
  takeLog,
  useConsumer,
} from "./helpers";

describe.each(STRATEGIES)("the packed provider in the SDK's host, %s auth", (strategy) => {
  const consumer = useConsumer();
  let emulator: TestEmulator;
  let host: HostClient;
  let template: Registration;
  let acceptSecrets: boolean;
  let callsDuringConfigure: number;
  let seq = 0;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    [template] = (await serializeDeclarations(consumer(), [
      invitation("template", emulator.orgId),
    ])) as [Registration];
    host = await startHost(consumer());
    const { config, secretKeys } = authConfig(emulator, strategy);
    ({ acceptSecrets } = await host.configure(config, secretKeys));
    callsDuringConfigure = emulator.log.count();
  }, 60_000);

  beforeEach(() => {
    emulator.log.clear();
    emulator.clearViolations();
  });
  afterEach(() => expectRequestsOnContract(emulator));

  afterAll(async () => {
    const byMethod = new Map<string, number[]>();
    for (const { method, ms } of host?.timings ?? [])
      byMethod.set(method, [...(byMethod.get(method) ?? []), ms]);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    console.log(
      `host-level time per operation (${strategy}, median ms): ` +
        [...byMethod].map(([m, xs]) => `${m} ${median(xs).toFixed(1)} (n=${xs.length})`).join(", "),
    );
    await host?.close();
    await emulator?.close();
  });

  /** Inputs as the program produced them, for a fresh user per test. */
  function declared(args: Props = {}): { urn: string; inputs: Props } {
    const name = `${strategy.toLowerCase()}-${++seq}`;
    return {
      urn: `urn:pulumi:dev::host-harness::${template.type}::${name}`,
      inputs: { ...template.inputs, username: `${name}@example.com`, ...args },
    };
  }

  async function created(
    args: Props = {},
  ): Promise<{ urn: string; id: string; inputs: Props; outputs: Props }> {
    const { urn, inputs } = declared(args);
    const checked = await host.check(urn, {}, inputs);
    const { id, properties } = await host.create(urn, checked.inputs);
    takeLog(emulator);
    return { urn, id, inputs: checked.inputs, outputs: properties };
  }

  function expectAuthenticatedWithStrategy(): void {
    const schemes = new Set(
      emulator.log
        .entries()
        .filter((e) => e.operationId && !e.challenged)
        .map((e) => e.auth),
    );
    expect([...schemes]).toEqual([strategy === "digest" ? "digest" : "bearer"]);
  }

  it("Configure takes the secret-marked mongodbatlas config, answers acceptSecrets false and calls no API", () => {
    expect(acceptSecrets).toBe(false);
    expect(callsDuringConfigure).toBe(0);
  });

  it("Check accepts valid inputs, makes the default onAccepted explicit, keeps __provider and calls no API", async () => {
    const { urn, inputs } = declared({ teamIds: [emulator.teamIds[0]] });
    const result = await host.check(urn, {}, inputs);
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({ ...inputs, onAccepted: "fail" });
    expect(emulator.log.count()).toBe(0);
  });

  it("Check lists one failure per invalid input, each saying how to fix it, and calls no API", async () => {
    const { urn, inputs } = declared({
      orgId: "ABC",
      username: "not an email",
      roles: ["GROUP_READ_ONLY"],
      onAcepted: "retain",
    });
    const { failures } = await host.check(urn, {}, inputs);
    expect(failures.map((f) => f.property).sort()).toEqual([
      "onAcepted",
      "orgId",
      "roles",
      "username",
    ]);
    expect(failures.find((f) => f.property === "roles")?.reason).toMatch(/groupRoleAssignments/);
    expect(failures.find((f) => f.property === "onAcepted")?.reason).toMatch(
      /did you mean onAccepted/,
    );
    expect(emulator.log.count()).toBe(0);
  });

  it("Check passes preview unknowns through without failures", async () => {
    const { urn, inputs } = declared({ orgId: UNKNOWN, roles: [UNKNOWN] });
    const { failures, inputs: checked } = await host.check(urn, {}, inputs);
    expect(failures).toEqual([]);
    expect(checked["orgId"]).toBe(UNKNOWN);
  });

  it("Create looks for a pending invitation, POSTs one, and returns plain-JSON outputs with __provider", async () => {
    const { urn, inputs } = declared({ teamIds: [emulator.teamIds[0]] });
    const checked = await host.check(urn, {}, inputs);
    const { id, properties } = await host.create(urn, checked.inputs);
    expect(apiCalls(emulator.log.entries())).toEqual([
      "GET listOrgInvites",
      "POST createOrgInvite",
    ]);
    expectAuthenticatedWithStrategy();
    const stored = emulator.control.invitations(emulator.orgId).find((i) => i.id === id);
    expect(stored).toMatchObject({
      username: inputs["username"],
      roles: ["ORG_MEMBER"],
      teamIds: [emulator.teamIds[0]],
    });
    expect(properties).toMatchObject({
      invitationId: id,
      status: "PENDING",
      onAccepted: "fail",
      username: inputs["username"],
    });
    expect(properties["__provider"]).toBe(template.inputs["__provider"]);
  });

  it("Diff calls roles an update, username a replacement, a new __provider nothing, and calls no API", async () => {
    const { urn, id, inputs, outputs } = await created();
    expect(await host.diff(urn, id, outputs, inputs)).toEqual({
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(
      await host.diff(urn, id, outputs, { ...inputs, __provider: `${inputs["__provider"]}\n` }),
    ).toMatchObject({ changes: "none" });
    expect(await host.diff(urn, id, outputs, { ...inputs, roles: ["ORG_READ_ONLY"] })).toEqual({
      changes: "some",
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(
      await host.diff(urn, id, outputs, { ...inputs, username: "someone-else@example.com" }),
    ).toMatchObject({
      changes: "some",
      replaces: ["username"],
    });
    expect(await host.diff(urn, id, outputs, { ...inputs, roles: [UNKNOWN] })).toMatchObject({
      changes: "some",
      replaces: [],
    });
    expect(emulator.log.count()).toBe(0);
  });

  it("Read returns Atlas's view of a pending invitation, so drift shows", async () => {
    const { urn, id, inputs, outputs } = await created();
    emulator.control.setInvitation(emulator.orgId, id, { roles: ["ORG_READ_ONLY"] });
    const read = await host.read(urn, id, outputs, inputs);
    expect(read.id).toBe(id);
    expect(read.properties).toMatchObject({ roles: ["ORG_READ_ONLY"], status: "PENDING" });
    expect(apiCalls(emulator.log.entries())).toEqual(["GET getOrgInvite"]);
  });

  it("Read keeps an accepted invitation, with status ACCEPTED", async () => {
    const { urn, id, inputs, outputs } = await created();
    emulator.control.acceptInvitation(emulator.orgId, id);
    const read = await host.read(urn, id, outputs, inputs);
    expect(read).toMatchObject({ id, properties: { status: "ACCEPTED", invitationId: id } });
    expect(apiCalls(emulator.log.entries())).toEqual(["GET getOrgInvite", "GET listOrgUsers"]);
  });

  it("Read reports an expired invitation gone with an empty id, so refresh drops it", async () => {
    const { urn, id, inputs, outputs } = await created();
    emulator.control.expireInvitation(emulator.orgId, id);
    const read = await host.read(urn, id, outputs, inputs);
    expect(read.id).toBe("");
    expect(apiCalls(emulator.log.entries())).toEqual(["GET getOrgInvite", "GET listOrgUsers"]);
  });

  it("Update PATCHes the invitation by id and returns the new roles", async () => {
    const { urn, id, inputs, outputs } = await created();
    const news = { ...inputs, roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"] };
    const { properties } = await host.update(urn, id, outputs, news, inputs);
    expect(properties).toMatchObject({ invitationId: id, roles: news.roles, status: "PENDING" });
    expect(apiCalls(emulator.log.entries())).toEqual(["PATCH updateOrgInviteById"]);
    expect(
      emulator.control
        .invitations(emulator.orgId)
        .find((i) => i.id === id)
        ?.roles.sort(),
    ).toEqual([...news.roles].sort());
  });

  it("Update of onAccepted alone changes state without calling Atlas", async () => {
    const { urn, id, inputs, outputs } = await created();
    const { properties } = await host.update(
      urn,
      id,
      outputs,
      { ...inputs, onAccepted: "retain" },
      inputs,
    );
    expect(properties).toMatchObject({ onAccepted: "retain", invitationId: id });
    expect(emulator.log.count()).toBe(0);
  });

  it("Delete cancels a pending invitation with one DELETE", async () => {
    const { urn, id, inputs, outputs } = await created();
    await host.delete(urn, id, outputs, inputs);
    expect(apiCalls(emulator.log.entries())).toEqual(["DELETE deleteOrgInvite"]);
    expect(emulator.log.entries({ method: "DELETE", status: 204 }).map((e) => e.path)).toEqual([
      `/api/atlas/v2/orgs/${emulator.orgId}/invites/${id}`,
    ]);
    expect(emulator.control.invitations(emulator.orgId).some((i) => i.id === id)).toBe(false);
  });

  it("Delete refuses an accepted invitation under onAccepted fail, naming the user and the ways forward", async () => {
    const { urn, id, inputs, outputs } = await created();
    const username = inputs["username"] as string;
    emulator.control.acceptInvitation(emulator.orgId, id);
    const refreshed = await host.read(urn, id, outputs, inputs);
    takeLog(emulator);
    const error = await host.delete(urn, id, refreshed.properties, inputs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toContain(username);
    expect((error as HostError).message).toMatch(/onAccepted: "retain"/);
    expect((error as HostError).message).toMatch(/pulumi state delete/);
    expect(apiCalls(emulator.log.entries())).toEqual(["GET listOrgUsers"]);
    expect(
      emulator.control.users(emulator.orgId).find((u) => u.username === username)
        ?.orgMembershipStatus,
    ).toBe("ACTIVE");
  });

  it("Create for a user who is already a member fails with a message naming the user, creating nothing", async () => {
    const { urn, inputs } = declared();
    const username = inputs["username"] as string;
    emulator.control.addMember(emulator.orgId, { username, roles: ["ORG_MEMBER"] });
    const checked = await host.check(urn, {}, inputs);
    const error = await host.create(urn, checked.inputs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toContain(username);
    expect((error as HostError).initFailed).toBeUndefined();
    expect(emulator.control.invitations(emulator.orgId).some((i) => i.username === username)).toBe(
      false,
    );
  });

  if (strategy === "serviceAccount") {
    it("one access token serves every call the host makes", async () => {
      await created();
      expect(emulator.stats().tokensIssued).toBe(1);
    });
  }
});

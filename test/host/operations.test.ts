/**
 * Each ResourceProvider call through the SDK's own dynamic-provider host, with the provider
 * installed from its tarball and serialized by a real program, against the emulator; on both
 * backends (`atlasInvitations:api` invites and users) with both auth strategies. The Atlas calls
 * each operation makes are asserted from the emulator's log, against the one table of calls per
 * step and backend (`plan`, test/provider/helpers.ts).
 */
import { serializeDeclarations, startHost, HostError, UNKNOWN } from "../../host-harness";
import type { HostClient, Props, Registration } from "../../host-harness";
import { BACKENDS } from "../support/variants";
import type { Backend } from "../support/variants";
import {
  STRATEGIES,
  apiConfig,
  authConfig,
  calls,
  expectCalls,
  invitation,
  invitationIdOf,
  stderrDuring,
  stepsOn,
  takeLog,
  useConsumer,
  useHostEmulator,
} from "./helpers";
import type { Strategy } from "./helpers";

const COMBINATIONS: [Backend, Strategy][] = BACKENDS.flatMap((b) =>
  STRATEGIES.map((s): [Backend, Strategy] => [b, s]),
);

describe.each(COMBINATIONS)(
  "the packed provider in the SDK's host, on the %s API with %s auth",
  (backend, strategy) => {
    const consumer = useConsumer();
    const steps = stepsOn(backend);
    /** The id output that carries the resource id on this backend. */
    const idOutput = backend === "invites" ? "invitationId" : "userId";
    const t = useHostEmulator();
    let host: HostClient;
    let template: Registration;
    let acceptSecrets: boolean;
    let callsDuringConfigure: number;
    let seq = 0;

    beforeAll(async () => {
      [template] = (await serializeDeclarations(consumer(), [
        invitation("template", t.emulator.orgId),
      ])) as [Registration];
      host = await startHost(consumer());
      const { config, secretKeys } = authConfig(t.emulator, strategy);
      ({ acceptSecrets } = await host.configure({ ...config, ...apiConfig(backend) }, secretKeys));
      callsDuringConfigure = t.emulator.log.count();
    }, 60_000);

    beforeEach(() => t.emulator.log.clear());

    afterAll(async () => {
      const byMethod = new Map<string, number[]>();
      for (const { method, ms } of host?.timings ?? [])
        byMethod.set(method, [...(byMethod.get(method) ?? []), ms]);
      const median = (xs: number[]) =>
        [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
      console.log(
        `host-level time per operation (${backend} API, ${strategy}, median ms): ` +
          [...byMethod]
            .map(([m, xs]) => `${m} ${median(xs).toFixed(1)} (n=${xs.length})`)
            .join(", "),
      );
      await host?.close();
    });

    /** Inputs as the program produced them, for a fresh user per test. */
    function declared(args: Props = {}): { urn: string; inputs: Props } {
      const name = `${backend}-${strategy.toLowerCase()}-${++seq}`;
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
      takeLog(t.emulator);
      return { urn, id, inputs: checked.inputs, outputs: properties };
    }

    function expectAuthenticatedWithStrategy(): void {
      const schemes = new Set(
        t.emulator.log
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
      const { urn, inputs } = declared({ teamIds: [t.emulator.teamIds[0]] });
      const result = await host.check(urn, {}, inputs);
      expect(result.failures).toEqual([]);
      expect(result.inputs).toEqual({ ...inputs, onAccepted: "fail" });
      expect(t.emulator.log.count()).toBe(0);
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
      expect(t.emulator.log.count()).toBe(0);
    });

    it("Check passes preview unknowns through without failures", async () => {
      const { urn, inputs } = declared({ orgId: UNKNOWN, roles: [UNKNOWN] });
      const { failures, inputs: checked } = await host.check(urn, {}, inputs);
      expect(failures).toEqual([]);
      expect(checked["orgId"]).toBe(UNKNOWN);
    });

    it("Create looks the person up (pending invitations and membership), POSTs one invitation, and returns plain-JSON outputs with __provider", async () => {
      const { urn, inputs } = declared({ teamIds: [t.emulator.teamIds[0]] });
      const username = inputs["username"] as string;
      const checked = await host.check(urn, {}, inputs);
      const { id, properties } = await host.create(urn, checked.inputs);
      expectCalls(t.emulator, steps.createNew);
      expectAuthenticatedWithStrategy();
      const stored = t.emulator.control
        .invitations(t.emulator.orgId)
        .filter((i) => i.username === username);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ roles: ["ORG_MEMBER"], teamIds: [t.emulator.teamIds[0]] });
      const { credentials } = t.emulator;
      expect(properties).toMatchObject({
        [idOutput]: id,
        orgId: t.emulator.orgId,
        username,
        roles: ["ORG_MEMBER"],
        teamIds: [t.emulator.teamIds[0]],
        status: "PENDING",
        onAccepted: "fail",
        inviterUsername: strategy === "digest" ? credentials.publicKey : credentials.clientId,
      });
      expect(typeof properties["createdAt"]).toBe("string");
      expect(typeof properties["expiresAt"]).toBe("string");
      if (backend === "invites") {
        expect(id).toBe(stored[0]?.id);
        expect(properties["orgName"]).toBe("Emulated Org");
      } else {
        // On the org users API the resource id is the PENDING org user's, never the invitation's.
        const user = t.emulator.control
          .users(t.emulator.orgId)
          .find((u) => u.username === username);
        expect(user).toMatchObject({ id, orgMembershipStatus: "PENDING" });
        expect(id).not.toBe(stored[0]?.id);
      }
      expect(JSON.parse(JSON.stringify(properties))).toEqual(properties);
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
      expect(t.emulator.log.count()).toBe(0);
    });

    it("Read returns Atlas's view of a pending invitation, so drift shows", async () => {
      const { urn, id, inputs, outputs } = await created();
      const invitationId = invitationIdOf(t.emulator, inputs["username"] as string);
      t.emulator.control.setInvitation(t.emulator.orgId, invitationId, {
        roles: ["ORG_READ_ONLY"],
      });
      const read = await host.read(urn, id, outputs, inputs);
      expect(read.id).toBe(id);
      expect(read.properties).toMatchObject({
        [idOutput]: id,
        roles: ["ORG_READ_ONLY"],
        status: "PENDING",
      });
      expectCalls(t.emulator, steps.readPending);
    });

    it("Read keeps an accepted invitation, with status ACCEPTED", async () => {
      const { urn, id, inputs, outputs } = await created();
      t.emulator.control.acceptInvitation(t.emulator.orgId, inputs["username"] as string);
      const read = await host.read(urn, id, outputs, inputs);
      expect(read).toMatchObject({ id, properties: { status: "ACCEPTED", [idOutput]: id } });
      // The member has a new user id (the emulator's default), so the pending id finds nobody.
      expectCalls(t.emulator, steps.readNotPending(false));
    });

    it("Read reports an expired invitation gone with an empty id, so refresh drops it", async () => {
      const { urn, id, inputs, outputs } = await created();
      t.emulator.control.expireInvitation(t.emulator.orgId, inputs["username"] as string);
      const read = await host.read(urn, id, outputs, inputs);
      expect(read.id).toBe("");
      expectCalls(t.emulator, steps.readNotPending(false));
    });

    it("Update PATCHes the pending invitation by its id and returns the new roles", async () => {
      const { urn, id, inputs, outputs } = await created();
      const news = { ...inputs, roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"] };
      const { properties } = await host.update(urn, id, outputs, news, inputs);
      expect(properties).toMatchObject({ [idOutput]: id, roles: news.roles, status: "PENDING" });
      expectCalls(t.emulator, steps.updatePending);
      const patched = t.emulator.log.entries({ method: "PATCH" }).map((e) => e.path);
      expect(patched).toEqual([
        `/api/atlas/v2/orgs/${t.emulator.orgId}/${backend === "invites" ? "invites" : "users"}/${id}`,
      ]);
      const username = inputs["username"] as string;
      expect(
        t.emulator.control
          .invitations(t.emulator.orgId)
          .find((i) => i.username === username)
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
      expect(properties).toEqual({ ...outputs, onAccepted: "retain" });
      expect(properties[idOutput]).toBe(id);
      expect(t.emulator.log.count()).toBe(0);
    });

    it("Update of an invitation accepted since the last refresh records the declaration in state only, with a warning, and writes nothing", async () => {
      const { urn, id, inputs, outputs } = await created();
      const username = inputs["username"] as string;
      t.emulator.control.acceptInvitation(t.emulator.orgId, username);
      const news = { ...inputs, roles: ["ORG_OWNER"] };
      const { result, stderr } = await stderrDuring(host.output, () =>
        host.update(urn, id, outputs, news, inputs),
      );
      expect(result.properties).toMatchObject({
        [idOutput]: id,
        roles: ["ORG_OWNER"],
        status: "ACCEPTED",
      });
      expectCalls(t.emulator, steps.updateNotPending(false));
      expect(stderr).toContain(username);
      expect(stderr).toMatch(/recorded in state only/);
      expect(
        t.emulator.control.users(t.emulator.orgId).find((u) => u.username === username),
      ).toMatchObject({ orgMembershipStatus: "ACTIVE", roles: ["ORG_MEMBER"] });
    });

    it("Delete cancels a pending invitation by its id", async () => {
      const { urn, id, inputs, outputs } = await created();
      const username = inputs["username"] as string;
      const removalsBefore = t.emulator.stats().pendingUserRemovals;
      await host.delete(urn, id, outputs, inputs);
      expectCalls(t.emulator, steps.deletePending);
      expect(t.emulator.log.entries({ method: "DELETE", status: 204 }).map((e) => e.path)).toEqual([
        `/api/atlas/v2/orgs/${t.emulator.orgId}/${backend === "invites" ? "invites" : "users"}/${id}`,
      ]);
      expect(
        t.emulator.control.invitations(t.emulator.orgId).some((i) => i.username === username),
      ).toBe(false);
      expect(t.emulator.control.users(t.emulator.orgId).some((u) => u.username === username)).toBe(
        false,
      );
      // Only the org users API removes a user to cancel; the invites API's DELETE cancels by itself.
      expect(t.emulator.stats().pendingUserRemovals - removalsBefore).toBe(
        backend === "users" ? 1 : 0,
      );
    });

    it("Delete refuses an accepted invitation under onAccepted fail, naming the user and the ways forward", async () => {
      const { urn, id, inputs, outputs } = await created();
      const username = inputs["username"] as string;
      t.emulator.control.acceptInvitation(t.emulator.orgId, username);
      const refreshed = await host.read(urn, id, outputs, inputs);
      expect(refreshed.properties["status"]).toBe("ACCEPTED");
      takeLog(t.emulator);
      const error = await host.delete(urn, id, refreshed.properties, inputs).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HostError);
      expect((error as HostError).message).toContain(username);
      expect((error as HostError).message).toMatch(/onAccepted: "retain"/);
      expect((error as HostError).message).toMatch(/ATLAS_INVITATIONS_ON_ACCEPTED=retain/);
      // State says ACCEPTED: nothing to cancel, membership alone decides.
      expectCalls(t.emulator, ["listOrgUsers"]);
      expect(
        t.emulator.control.users(t.emulator.orgId).find((u) => u.username === username)
          ?.orgMembershipStatus,
      ).toBe("ACTIVE");
    });

    it("Create for a user who is already a member fails after the look-ups with a message naming the user, sending nothing", async () => {
      const { urn, inputs } = declared();
      const username = inputs["username"] as string;
      t.emulator.control.addMember(t.emulator.orgId, { username, roles: ["ORG_MEMBER"] });
      takeLog(t.emulator);
      const checked = await host.check(urn, {}, inputs);
      const error = await host.create(urn, checked.inputs).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HostError);
      expect((error as HostError).message).toContain(username);
      expect((error as HostError).message).toMatch(/already an active member/);
      expect((error as HostError).initFailed).toBeUndefined();
      expectCalls(t.emulator, steps.createMember);
      expect(
        t.emulator.control.invitations(t.emulator.orgId).some((i) => i.username === username),
      ).toBe(false);
    });

    it("Create of a person this host already created, in another letter case, fails before any API call, naming both spellings", async () => {
      const { urn, inputs } = await created();
      const username = inputs["username"] as string;
      const shouted = username.toUpperCase();
      const checked = await host.check(`${urn}-again`, {}, { ...inputs, username: shouted });
      expect(checked.failures).toEqual([]);
      const error = await host.create(`${urn}-again`, checked.inputs).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HostError);
      const message = (error as HostError).message;
      expect(message).toMatch(/declared by two OrgInvitation resources/);
      expect(message).toContain(shouted);
      expect(message).toContain(username);
      expect((error as HostError).initFailed).toBeUndefined();
      expect(calls(t.emulator)).toEqual([]);
      expect(
        t.emulator.control
          .invitations(t.emulator.orgId)
          .filter((i) => i.username.toLowerCase() === username),
      ).toHaveLength(1);
    });

    if (strategy === "serviceAccount") {
      it("one access token serves every call the host makes", async () => {
        await created();
        expect(t.emulator.stats().tokensIssued).toBe(1);
      });
    }
  },
);

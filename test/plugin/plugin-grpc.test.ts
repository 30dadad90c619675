/**
 * The resource provider plugin over real gRPC, started as the engine starts it (the `plugin/`
 * wrapper, the engine address its argument, the port read from stdout), against the emulator:
 * schema and version, configuration from `PULUMI_CONFIG` and from Configure's arguments (numbers
 * as numbers or strings, secrets wrapped), the lifecycle the dynamic provider runs, the refusal
 * to cancel an accepted invitation, and `pulumi import` by id on both Atlas APIs. A sentinel
 * private key must never show in any answer, log line or output of the plugin.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../host-harness/consumer";
import { HostError } from "../../host-harness/rpc";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import {
  checkConfig,
  configure,
  getPluginVersion,
  getSchema,
  secret,
  startPlugin,
  urnOf,
  usePluginSession,
} from "./helpers";
import type { RunningPlugin } from "./helpers";

jest.setTimeout(60_000);

const SENTINEL = `sentinel-private-key-${process.pid}-b7e1c2`;
const emulator = useEmulator({ privateKey: SENTINEL });
const ALICE = "alice@example.com";

const session = usePluginSession(SENTINEL);

afterEach(() => {
  expect(emulator().stats().activeUserRemovals).toBe(0);
});

/** The plugin's stack config, as the engine puts it in PULUMI_CONFIG (keys without namespace). */
function stackConfig(emu: TestEmulator, extra: Record<string, string> = {}): string {
  return JSON.stringify({
    baseUrl: emu.baseUrl,
    publicKey: emu.credentials.publicKey,
    privateKey: SENTINEL,
    maxRetries: "0",
    ...extra,
  });
}

async function plugin(env: Record<string, string> = {}): Promise<RunningPlugin> {
  const p = await startPlugin(session.engine, env);
  session.running.push(p);
  return p;
}

/** Records an answer for the sentinel check and hands it back. */
function seen<T>(answer: T): T {
  session.answers.push(JSON.stringify(answer));
  return answer;
}

/** The message of a call that must fail: the provider's own, as the engine would show it. */
async function failure(promise: Promise<unknown>): Promise<{ message: string }> {
  try {
    await promise;
  } catch (error) {
    // HostError carries the provider's message; Configure's is a plain gRPC ServiceError.
    const message =
      error instanceof HostError
        ? error.message
        : ((error as { details?: string }).details ?? String(error));
    session.answers.push(message);
    return { message };
  }
  throw new Error("expected the call to fail");
}

const declared = (emu: TestEmulator, extra: Record<string, unknown> = {}) => ({
  orgId: emu.orgId,
  username: ALICE,
  roles: ["ORG_MEMBER"],
  ...extra,
});

describe("the plugin process", () => {
  it("prints only its port on stdout and answers GetSchema with schema/schema.json and GetPluginInfo with the package version", async () => {
    const p = await plugin();
    const schema = await getSchema(p);
    expect(schema).toBe(readFileSync(join(REPO_ROOT, "schema", "schema.json"), "utf8"));
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    expect(await getPluginVersion(p)).toBe(version);
    expect(p.stdout()).toMatch(/^\d+\n$/);
  });
});

describe("configuration", () => {
  it("reads the stack config the engine passes in PULUMI_CONFIG when no Configure came", async () => {
    const emu = emulator();
    const p = await plugin({ PULUMI_CONFIG: stackConfig(emu) });
    const created = seen(await p.rpc.create(urnOf("a"), declared(emu)));
    expect(created.properties["status"]).toBe("PENDING");
    expect(emu.control.invitations(emu.orgId).map((i) => i.id)).toEqual([created.id]);
  });

  it("uses an explicit provider's Configure arguments, numbers as numbers and a wrapped secret, and answers that it takes no secrets", async () => {
    const emu = emulator();
    // The stack config holds a wrong key: Configure's arguments replace it whole.
    const p = await plugin({ PULUMI_CONFIG: JSON.stringify({ privateKey: "wrong" }) });
    const answer = await configure(p, {
      baseUrl: emu.baseUrl,
      publicKey: emu.credentials.publicKey,
      privateKey: secret(SENTINEL),
      maxRetries: 0,
      deadlineMs: 20000,
      requestTimeoutMs: "10000",
      version: "0.1.0",
      somethingNewer: "ignored",
    });
    expect(answer.getAcceptsecrets()).toBe(false);
    expect(answer.getSupportspreview()).toBe(false);
    const created = seen(await p.rpc.create(urnOf("a"), declared(emu)));
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);
    // Signed with the sentinel from Configure (the emulator knows no other private key).
    expect(emu.log.entries({ method: "POST" }).map((e) => `${e.operationId} ${e.status}`)).toEqual([
      "createOrgInvite 200",
    ]);
  });

  it.each([
    [0, 1],
    ["0", 1],
    [1, 2],
    ["1", 2],
  ])(
    "reads maxRetries %j from Configure: a 503 is tried %i time(s)",
    async (maxRetries, attempts) => {
      const emu = emulator();
      const p = await plugin();
      await configure(p, {
        baseUrl: emu.baseUrl,
        publicKey: emu.credentials.publicKey,
        privateKey: secret(SENTINEL),
        maxRetries,
      });
      // Digest challenges (401) aside, each attempt is one GET: the fault answers the first.
      emu.control.injectFault({
        match: { operationId: "getOrgInvite" },
        status: 503,
        retryAfter: "0",
      });
      await failure(p.rpc.read(urnOf("b"), `${emu.orgId}/${"a".repeat(24)}`, {}));
      const signed = emu.log
        .entries({ operationId: "getOrgInvite" })
        .filter((e) => e.status !== 401);
      expect(signed).toHaveLength(attempts);
    },
  );

  it("refuses a tuning value that is not a whole number at Configure, naming the plugin's key and its command", async () => {
    const emu = emulator();
    const p = await plugin();
    const error = await failure(
      configure(p, {
        baseUrl: emu.baseUrl,
        publicKey: emu.credentials.publicKey,
        privateKey: secret(SENTINEL),
        deadlineMs: 1.5,
      }),
    );
    expect(error.message).toContain("config `atlasorginvitations:deadlineMs` (deadlineMs)");
    expect(error.message).toContain(
      "`pulumi config set atlasorginvitations:deadlineMs <milliseconds>`",
    );
    expect(error.message).not.toContain("atlasInvitations:");
    expect(emu.log.count()).toBe(0);
  });

  it("does not combine an explicit provider's arguments with the stack config: without credentials of its own it names the plugin's keys", async () => {
    const emu = emulator();
    const p = await plugin({ PULUMI_CONFIG: stackConfig(emu) });
    await configure(p, { baseUrl: emu.baseUrl, deadlineMs: "20000" });
    const error = await failure(p.rpc.create(urnOf("a"), declared(emu)));
    expect(error.message).toContain("No Atlas credentials found");
    expect(error.message).toContain(
      "config `atlasorginvitations:publicKey` or env MONGODB_ATLAS_PUBLIC_KEY",
    );
    expect(emu.log.count()).toBe(0);
  });

  it("falls back to MONGODB_ATLAS_* in the environment for what config leaves unset", async () => {
    const emu = emulator();
    const p = await plugin({
      MONGODB_ATLAS_BASE_URL: emu.baseUrl,
      MONGODB_ATLAS_PUBLIC_KEY: emu.credentials.publicKey,
      MONGODB_ATLAS_PRIVATE_KEY: SENTINEL,
    });
    await configure(p, { maxRetries: 0 });
    const created = seen(await p.rpc.create(urnOf("a"), declared(emu)));
    expect(created.properties["username"]).toBe(ALICE);
  });
});

describe("CheckConfig", () => {
  /** The engine's unknown sentinel, as a preview sends a value computed from another resource. */
  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

  it("wraps privateKey and clientSecret as secrets and passes every other input unchanged, numbers as numbers or strings, with no HTTP call", async () => {
    const emu = emulator();
    const p = await plugin();
    const news = {
      baseUrl: emu.baseUrl,
      publicKey: emu.credentials.publicKey,
      privateKey: SENTINEL,
      clientId: "mdb_sa_id_0123",
      clientSecret: `${SENTINEL}-client`,
      maxRetries: 0,
      requestTimeoutMs: "10000",
      deadlineMs: 20000,
      api: "users",
      version: "0.1.0",
    };
    const answer = await checkConfig(p, news);
    expect(answer.failures).toEqual([]);
    expect(answer.inputs).toEqual({
      ...news,
      privateKey: secret(SENTINEL),
      clientSecret: secret(`${SENTINEL}-client`),
    });
    // A value the program already marked secret stays as it is, not wrapped twice.
    const again = await checkConfig(p, { ...news, privateKey: secret(SENTINEL) });
    expect(again.inputs["privateKey"]).toEqual(secret(SENTINEL));
    expect(emu.log.count()).toBe(0);
  });

  it("refuses an out-of-range or fractional deadlineMs, as a number or a string, naming deadlineMs in the plugin's words, and accepts whole numbers in range either way", async () => {
    const p = await plugin();
    for (const deadlineMs of [0, "0", 86_400_001, "86400001", 1.5, "soon"]) {
      const answer = seen(await checkConfig(p, { deadlineMs }));
      expect(answer.failures).toHaveLength(1);
      expect(answer.failures[0]?.property).toBe("deadlineMs");
      expect(answer.failures[0]?.reason).toContain(
        "config `atlasorginvitations:deadlineMs` (deadlineMs) must be a whole number from 1 to 86400000",
      );
      expect(answer.failures[0]?.reason).toContain(
        "`pulumi config set atlasorginvitations:deadlineMs <milliseconds>`",
      );
      // The inputs still come back: the engine shows the failures and keeps nothing.
      expect(answer.inputs).toEqual({ deadlineMs });
    }
    for (const deadlineMs of [1, "1", 86_400_000, "180000"]) {
      expect(seen(await checkConfig(p, { deadlineMs })).failures).toEqual([]);
    }
  });

  it("returns one failure per bad setting: the api choice and a half-set API key, the missing private key named without printing any value", async () => {
    const p = await plugin();
    const answer = seen(
      await checkConfig(p, { api: "invitations", maxRetries: 101, publicKey: "pub" }),
    );
    expect(answer.failures.map((f) => f.property)).toEqual(["maxRetries", "api", ""]);
    expect(answer.failures[0]?.reason).toContain(
      "(maxRetries) must be a whole number from 0 to 100",
    );
    expect(answer.failures[1]?.reason).toContain(
      'config `atlasorginvitations:api` (api) must be one of "auto", "invites", "users"',
    );
    expect(answer.failures[2]?.reason).toContain(
      "Atlas API key credentials are half set in Pulumi config: set config `atlasorginvitations:privateKey` as well",
    );
  });

  it("does not fail on values a preview does not know yet: an unknown deadline is not checked and an unknown private key completes its pair", async () => {
    const emu = emulator();
    const p = await plugin();
    const answer = await checkConfig(p, {
      baseUrl: emu.baseUrl,
      publicKey: emu.credentials.publicKey,
      privateKey: UNKNOWN,
      deadlineMs: UNKNOWN,
      api: UNKNOWN,
    });
    expect(answer.failures).toEqual([]);
    expect(answer.inputs).toEqual({
      baseUrl: emu.baseUrl,
      publicKey: emu.credentials.publicKey,
      privateKey: secret(UNKNOWN),
      deadlineMs: UNKNOWN,
      api: UNKNOWN,
    });
  });
});

describe("the lifecycle, as the dynamic provider runs it", () => {
  it("check names a bad property and makes no HTTP call", async () => {
    const emu = emulator();
    const p = await plugin({ PULUMI_CONFIG: stackConfig(emu) });
    const result = seen(await p.rpc.check(urnOf("a"), {}, declared(emu, { roles: ["ORG_MEMBR"] })));
    expect(result.failures.map((f) => f.property)).toEqual(["roles"]);
    expect(result.failures[0]?.reason).toContain("ORG_MEMBER");
    expect(emu.log.count()).toBe(0);
  });

  it("creates, refreshes, updates and cancels an invitation, then refreshes it as gone; state never holds __provider or a credential", async () => {
    const emu = emulator();
    const p = await plugin({ PULUMI_CONFIG: stackConfig(emu) });
    const urn = urnOf("alice");
    const checked = seen(await p.rpc.check(urn, {}, declared(emu)));
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toEqual({ ...declared(emu), onAccepted: "fail" });

    const created = seen(await p.rpc.create(urn, checked.inputs));
    expect(Object.keys(created.properties)).not.toContain("__provider");
    expect(created.properties).toMatchObject({ invitationId: created.id, status: "PENDING" });

    const read = seen(await p.rpc.read(urn, created.id, created.properties, checked.inputs));
    expect(read.id).toBe(created.id);
    expect(read.inputs).toEqual({ ...checked.inputs, teamIds: [], groupRoleAssignments: [] });

    const news = { ...checked.inputs, roles: ["ORG_MEMBER", "ORG_BILLING_ADMIN"] };
    const diff = seen(await p.rpc.diff(urn, created.id, created.properties, news, checked.inputs));
    expect(diff).toEqual({ changes: "some", replaces: [], deleteBeforeReplace: false });
    emu.log.clear();
    const updated = seen(await p.rpc.update(urn, created.id, created.properties, news));
    expect(updated.properties["roles"]).toEqual(["ORG_MEMBER", "ORG_BILLING_ADMIN"]);
    expect(emu.control.invitations(emu.orgId)[0]?.roles.sort()).toEqual(
      ["ORG_BILLING_ADMIN", "ORG_MEMBER"].sort(),
    );
    expect(emu.log.count({ method: "PATCH" })).toBe(1);

    emu.log.clear();
    await p.rpc.delete(urn, created.id, updated.properties);
    expect(emu.control.invitations(emu.orgId)).toEqual([]);
    expect(emu.log.count({ method: "DELETE" })).toBe(1);

    // A refresh now finds it gone: an empty id, which the engine reads as "delete from the stack".
    const gone = seen(await p.rpc.read(urn, created.id, updated.properties, checked.inputs));
    expect(gone.id).toBe("");
  });

  it("refuses to delete an accepted invitation; its one DELETE on the invites API, which cannot remove a member, finds nothing to cancel", async () => {
    const emu = emulator();
    const p = await plugin({ PULUMI_CONFIG: stackConfig(emu) });
    const created = seen(await p.rpc.create(urnOf("a"), declared(emu, { onAccepted: "fail" })));
    emu.control.acceptInvitation(emu.orgId, created.id);
    emu.log.clear();
    const error = await failure(p.rpc.delete(urnOf("a"), created.id, created.properties));
    expect(error.message).toContain(`${ALICE} accepted`);
    // Atlas refuses it (400 INVALID_INVITATION_ID): that DELETE can only cancel a pending invitation.
    expect(emu.log.entries({ method: "DELETE" }).map((e) => e.status)).toEqual([400]);
    expect(
      emu.control.users(emu.orgId).find((u) => u.username === ALICE)?.orgMembershipStatus,
    ).toBe("ACTIVE");
  });

  it("under ATLAS_INVITATIONS_ON_ACCEPTED=retain leaves the member, and warns through the engine on the resource", async () => {
    const emu = emulator();
    const p = await plugin({
      PULUMI_CONFIG: stackConfig(emu),
      ATLAS_INVITATIONS_ON_ACCEPTED: "retain",
    });
    const urn = urnOf("alice");
    const created = seen(await p.rpc.create(urn, declared(emu)));
    emu.control.acceptInvitation(emu.orgId, created.id);
    emu.log.clear();
    await p.rpc.delete(urn, created.id, created.properties);
    // Atlas refuses it (400 INVALID_INVITATION_ID): that DELETE can only cancel a pending invitation.
    expect(emu.log.entries({ method: "DELETE" }).map((e) => e.status)).toEqual([400]);
    const warnings = session.engine.logs.filter((l) => l.severity === "warning");
    const retained = warnings.find((l) => l.message.includes("left in place"));
    expect(retained?.message).toContain('ATLAS_INVITATIONS_ON_ACCEPTED is "retain"');
    expect(retained?.urn).toBe(urn);
    // The invites API's Sunset header is announced once, in the plugin's own config keys.
    const sunset = warnings.filter((l) => l.message.includes("Sunset header"));
    expect(sunset).toHaveLength(1);
    expect(sunset[0]?.message).toContain("`pulumi config set atlasorginvitations:api users`");
    // Through the session.engine, not on the plugin's own output.
    expect(p.stdout()).toMatch(/^\d+\n$/);
    expect(p.stderr()).not.toContain("retain");
  });
});

describe("pulumi import", () => {
  it("reads <orgId>/<invitationId> on the invites API with one GET by id: the id a create makes, and inputs a next up finds unchanged", async () => {
    const emu = emulator();
    const maker = await plugin({ PULUMI_CONFIG: stackConfig(emu, { api: "invites" }) });
    const program = declared(emu, { teamIds: [emu.teamIds[0]], onAccepted: "fail" });
    const created = seen(await maker.rpc.create(urnOf("a"), program));
    // A later `pulumi import`: a new process, an id and no state.
    const p = await plugin({ PULUMI_CONFIG: stackConfig(emu, { api: "invites" }) });
    emu.log.clear();
    const read = seen(await p.rpc.read(urnOf("b"), `${emu.orgId}/${created.id}`, {}));
    expect(read.id).toBe(created.id);
    expect(read.inputs).toEqual({ ...program, groupRoleAssignments: [] });
    expect(read.properties).toMatchObject({ invitationId: created.id, status: "PENDING" });
    // The first request of a process meets the Digest challenge (401), then is answered.
    expect(emu.log.entries().map((e) => `${e.method} ${e.operationId} ${e.status}`)).toEqual([
      "GET getOrgInvite 401",
      "GET getOrgInvite 200",
    ]);
    // The engine's import check: the program's declaration against what the read returned.
    const diff = await p.rpc.diff(urnOf("b"), read.id, read.properties, program, read.inputs ?? {});
    expect(diff.changes).toBe("none");
  });

  it("reads <orgId>/<userId> on the org users API: the id is the org user id, as a create there makes", async () => {
    const emu = emulator();
    const users = stackConfig(emu, { api: "users" });
    const maker = await plugin({ PULUMI_CONFIG: users });
    const created = seen(await maker.rpc.create(urnOf("a"), declared(emu)));
    const p = await plugin({ PULUMI_CONFIG: users });
    emu.log.clear();
    const read = seen(await p.rpc.read(urnOf("b"), `${emu.orgId}/${created.id}`, {}));
    expect(read.id).toBe(created.id);
    expect(read.properties["userId"]).toBe(created.id);
    expect(read.inputs).toEqual({
      ...declared(emu),
      teamIds: [],
      groupRoleAssignments: [],
      onAccepted: "fail",
    });
    expect(emu.log.entries().every((e) => e.method === "GET")).toBe(true);
  });

  it("refuses an accepted invitation on the org users API when Atlas keeps the user id, naming the person, and writes nothing", async () => {
    const emu = emulator();
    emu.control.setKnobs({ acceptedUserId: "same" });
    const users = stackConfig(emu, { api: "users" });
    const maker = await plugin({ PULUMI_CONFIG: users });
    const created = seen(await maker.rpc.create(urnOf("a"), declared(emu)));
    emu.control.acceptInvitation(emu.orgId, ALICE);
    const p = await plugin({ PULUMI_CONFIG: users });
    emu.log.clear();
    const error = await failure(p.rpc.read(urnOf("b"), `${emu.orgId}/${created.id}`, {}));
    expect(error.message).toContain(`${ALICE} accepted the invitation`);
    expect(emu.log.entries().every((e) => e.method === "GET")).toBe(true);
  });

  it("refuses an accepted invitation on the org users API when the member has a new id, saying it may be accepted", async () => {
    const emu = emulator();
    const users = stackConfig(emu, { api: "users" });
    const maker = await plugin({ PULUMI_CONFIG: users });
    const created = seen(await maker.rpc.create(urnOf("a"), declared(emu)));
    emu.control.acceptInvitation(emu.orgId, ALICE);
    const p = await plugin({ PULUMI_CONFIG: users });
    emu.log.clear();
    const error = await failure(p.rpc.read(urnOf("b"), `${emu.orgId}/${created.id}`, {}));
    expect(error.message).toContain(`no pending invitation with org user id ${created.id}`);
    expect(error.message).toContain("accepted, cancelled or expired");
    expect(emu.log.entries().every((e) => e.method === "GET")).toBe(true);
  });

  it("refuses an invitation the invites API does not have, saying it may be accepted, cancelled or expired", async () => {
    const emu = emulator();
    const p = await plugin({ PULUMI_CONFIG: stackConfig(emu) });
    const error = await failure(p.rpc.read(urnOf("b"), `${emu.orgId}/${"a".repeat(24)}`, {}));
    expect(error.message).toContain(`no pending invitation with invitation id ${"a".repeat(24)}`);
    expect(error.message).toContain("accepted, cancelled or expired");
    expect(emu.log.entries().every((e) => e.method === "GET")).toBe(true);
  });

  it.each(["just-an-id", `${"a".repeat(24)}`, `${"a".repeat(24)}/${"b".repeat(23)}`, "x/y/z"])(
    "refuses the import id %j before any HTTP call, naming both forms",
    async (id) => {
      const emu = emulator();
      const p = await plugin({ PULUMI_CONFIG: stackConfig(emu) });
      const error = await failure(p.rpc.read(urnOf("b"), id, {}));
      expect(error.message).toContain("`<orgId>/<invitationId>` on the invites API");
      expect(error.message).toContain("`<orgId>/<userId>` on the org users API");
      expect(emu.log.count()).toBe(0);
    },
  );
});

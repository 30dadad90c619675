/**
 * `pulumi import` refusals of the resource provider plugin over real gRPC, against the emulator:
 * an id whose organization or invitation Atlas does not have (the two parts swapped, Atlas's 404s
 * and 400s for an id it cannot read) is refused with the import's own wording, its `errorCode` in
 * the message, the id form of the API in force and a hint about the other API's ids; errors that
 * are not about a missing id (410, 5xx) are left as they were. Nothing is ever written to Atlas,
 * and a sentinel private key never shows.
 */
import { HostError } from "../../host-harness/rpc";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { startPlugin, urnOf, usePluginSession } from "./helpers";
import type { RunningPlugin } from "./helpers";

jest.setTimeout(60_000);

const SENTINEL = `sentinel-private-key-${process.pid}-4e0c9a`;
const emulator = useEmulator({ privateKey: SENTINEL });
const ALICE = "alice@example.com";
const UNKNOWN = "a".repeat(24);

const session = usePluginSession(SENTINEL);

function stackConfig(emu: TestEmulator, api: "auto" | "invites" | "users" = "auto"): string {
  return JSON.stringify({
    baseUrl: emu.baseUrl,
    publicKey: emu.credentials.publicKey,
    privateKey: SENTINEL,
    maxRetries: "0",
    api,
  });
}

async function plugin(emu: TestEmulator, api?: "auto" | "invites" | "users") {
  const p = await startPlugin(session.engine, { PULUMI_CONFIG: stackConfig(emu, api) });
  session.running.push(p);
  return p;
}

/** The message of an import that must fail, as the engine would show it. */
async function importFailure(p: RunningPlugin, id: string): Promise<string> {
  try {
    const read = await p.rpc.read(urnOf("imported"), id, {});
    session.answers.push(JSON.stringify(read));
  } catch (error) {
    const message = error instanceof HostError ? error.message : String(error);
    session.answers.push(message);
    return message;
  }
  throw new Error(`expected the import of ${id} to fail`);
}

/** Alice's pending invitation, sent by the plugin on `api`: its resource id. */
async function invite(emu: TestEmulator, api: "invites" | "users"): Promise<string> {
  const maker = await plugin(emu, api);
  const created = await maker.rpc.create(urnOf("a"), {
    orgId: emu.orgId,
    username: ALICE,
    roles: ["ORG_MEMBER"],
  });
  session.answers.push(JSON.stringify(created));
  return created.id;
}

const onlyReads = (emu: TestEmulator): string[] =>
  emu.log.entries().flatMap((e) => (e.method === "GET" ? [] : [`${e.method} ${e.path}`]));

describe("pulumi import of an id whose organization Atlas does not have", () => {
  it.each([
    ["invites", "`<orgId>/<invitationId>`", "getOrgInvite"],
    ["users", "`<orgId>/<userId>`", "getOrgUser"],
  ] as const)(
    "api %s: the two parts swapped is refused as IMPORT_NOT_FOUND naming the organization and the form %s, with no raw Atlas request line",
    async (api, form, operationId) => {
      const emu = emulator();
      const id = await invite(emu, api);
      const p = await plugin(emu, api);
      emu.log.clear();
      const message = await importFailure(p, `${id}/${emu.orgId}`);

      expect(message).toContain(
        `IMPORT_NOT_FOUND: The organization ${id} was not found (Atlas answered 404 ORG_NOT_FOUND): ` +
          `the import id "${id}/${emu.orgId}" names no organization Atlas has.`,
      );
      expect(message).toContain(
        `an OrgInvitation is imported by ${form}, the organization id first`,
      );
      expect(message).toContain("check that the two parts are not swapped");
      expect(message).not.toMatch(/for GET \/api\/atlas/);
      // One read by id (after the Digest challenge), nothing written.
      expect(emu.log.count({ operationId, status: 404 })).toBe(1);
      expect(onlyReads(emu)).toEqual([]);
    },
  );

  it("a 400 INVALID_ORG_ID for the read is the same refusal, decided on status and errorCode", async () => {
    const emu = emulator();
    const p = await plugin(emu, "invites");
    emu.control.injectFault({
      match: { operationId: "getOrgInvite" },
      status: 400,
      errorCode: "INVALID_ORG_ID",
      detail: "free text the provider must not read",
      times: Infinity,
    });
    const message = await importFailure(p, `${emu.orgId}/${UNKNOWN}`);
    expect(message).toMatch(
      new RegExp(
        `^IMPORT_NOT_FOUND: The organization ${emu.orgId} was not found \\(Atlas answered 400 INVALID_ORG_ID\\)`,
      ),
    );
    expect(message).not.toContain("free text");
  });
});

describe("pulumi import of an invitation Atlas does not have", () => {
  it.each([
    [404, "RESOURCE_NOT_FOUND"],
    [404, "INVITATION_NOT_FOUND"],
    [400, "INVALID_INVITATION_ID"],
  ])(
    "api invites: a %i %s is IMPORT_NOT_FOUND with the form and the hint about org user ids",
    async (status, errorCode) => {
      const emu = emulator();
      const p = await plugin(emu, "invites");
      emu.control.injectFault({
        match: { operationId: "getOrgInvite" },
        status,
        errorCode,
        times: Infinity,
      });
      const message = await importFailure(p, `${emu.orgId}/${UNKNOWN}`);
      expect(message).toMatch(
        new RegExp(
          `^IMPORT_NOT_FOUND: Atlas has no pending invitation with invitation id ${UNKNOWN} in organization ${emu.orgId} on the invites API`,
        ),
      );
      expect(message).toContain("the invitation was not found");
      expect(message).toContain("on the invites API the import id is `<orgId>/<invitationId>`");
      expect(message).toContain(
        "An id from the org users API (`<orgId>/<userId>`) is read only when the `api` setting " +
          '(`atlasorginvitations:api` or ATLAS_INVITATIONS_API) is "users"',
      );
    },
  );

  it.each([
    [404, "RESOURCE_NOT_FOUND"],
    [400, "INVALID_USER_ID"],
  ])(
    "api users: a %i %s is IMPORT_NOT_FOUND with the same hint, about invitation ids",
    async (status, errorCode) => {
      const emu = emulator();
      const p = await plugin(emu, "users");
      emu.control.injectFault({
        match: { operationId: "getOrgUser" },
        status,
        errorCode,
        times: Infinity,
      });
      const message = await importFailure(p, `${emu.orgId}/${UNKNOWN}`);
      expect(message).toMatch(
        new RegExp(
          `^IMPORT_NOT_FOUND: Atlas has no pending invitation with org user id ${UNKNOWN} in organization ${emu.orgId} on the org users API`,
        ),
      );
      expect(message).toContain("on the org users API the import id is `<orgId>/<userId>`");
      expect(message).toContain(
        "An id from the invites API (`<orgId>/<invitationId>`) is read only when the `api` setting " +
          '(`atlasorginvitations:api` or ATLAS_INVITATIONS_API) is "invites"',
      );
    },
  );

  it("api users: an invitation id (from the invites API) is refused with the hint about the invites API", async () => {
    const emu = emulator();
    const invitationId = await invite(emu, "invites");
    const p = await plugin(emu, "users");
    emu.log.clear();
    const message = await importFailure(p, `${emu.orgId}/${invitationId}`);
    expect(message).toMatch(/^IMPORT_NOT_FOUND: /);
    expect(message).toContain(`no pending invitation with org user id ${invitationId}`);
    expect(message).toContain("An id from the invites API (`<orgId>/<invitationId>`)");
    expect(onlyReads(emu)).toEqual([]);
  });
});

describe("other refusals and errors", () => {
  it("a malformed id carries IMPORT_ID_MALFORMED in its message, before any request", async () => {
    const emu = emulator();
    const p = await plugin(emu);
    emu.log.clear();
    const message = await importFailure(p, "just-an-id");
    expect(message).toMatch(/^IMPORT_ID_MALFORMED: The import id "just-an-id" cannot be read/);
    expect(emu.log.count()).toBe(0);
  });

  it("an accepted invitation carries IMPORT_ACCEPTED in its message", async () => {
    const emu = emulator();
    emu.control.setKnobs({ acceptedUserId: "same" });
    const id = await invite(emu, "users");
    emu.control.acceptInvitation(emu.orgId, ALICE);
    const p = await plugin(emu, "users");
    const message = await importFailure(p, `${emu.orgId}/${id}`);
    expect(message).toMatch(new RegExp(`^IMPORT_ACCEPTED: ${ALICE} accepted the invitation`));
  });

  it("a 503 is not a missing id: Atlas's own error comes through", async () => {
    const emu = emulator();
    const p = await plugin(emu, "invites");
    emu.control.injectFault({
      match: { operationId: "getOrgInvite" },
      status: 503,
      times: Infinity,
    });
    const message = await importFailure(p, `${emu.orgId}/${UNKNOWN}`);
    expect(message).toContain("Atlas answered 503");
    expect(message).not.toContain("IMPORT_");
  });

  it("api auto after the sunset: the 410 is not a missing id; the org user id is read on the org users API", async () => {
    const emu = emulator();
    const userId = await invite(emu, "users");
    emu.control.sunsetNow();
    const p = await plugin(emu, "auto");
    emu.log.clear();
    const read = await p.rpc.read(urnOf("imported"), `${emu.orgId}/${userId}`, {});
    session.answers.push(JSON.stringify(read));
    expect(read.id).toBe(userId);
    expect(emu.log.count({ operationId: "getOrgInvite", status: 410 })).toBe(1);
    expect(onlyReads(emu)).toEqual([]);
  });
});

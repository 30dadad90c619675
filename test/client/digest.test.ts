import { createAtlasClient } from "../../provider/atlas/client";
import { isAtlasApiError } from "../../provider/atlas/errors";
import { useEmulator } from "../support/emulator";
import { clientFor, freshAuthSessions, settingsFor } from "./helpers";

let clock = Date.parse("2026-03-01T00:00:00Z");
const emulator = useEmulator({
  digestAlgorithms: ["SHA-256", "MD5"],
  nonceTtlMs: 60_000,
  now: () => clock,
});
freshAuthSessions();

describe("digest authentication against the emulator", () => {
  it("costs one round trip per call in the steady state: 20 calls, 21 requests, 1 challenge", async () => {
    const emu = emulator();
    const api = clientFor(emu, "digest");
    for (let i = 0; i < 20; i++)
      await api.listOrgInvites(emu.orgId, { username: `u${i}@example.com` });
    expect(emu.log.count()).toBe(21);
    expect(emu.stats().digestChallenges).toBe(1);
    expect(emu.log.entries().filter((e) => e.auth === "none")).toHaveLength(1);
    expect(
      emu.log
        .entries()
        .slice(1)
        .every((e) => e.auth === "digest" && e.status === 200),
    ).toBe(true);
  });

  it("signs the query string: a filtered list and a paged users query both verify", async () => {
    const emu = emulator();
    const api = clientFor(emu, "digest");
    await api.createOrgInvite(emu.orgId, { username: "q+1@example.com", roles: ["ORG_MEMBER"] });
    expect(await api.listOrgInvites(emu.orgId, { username: "q+1@example.com" })).toHaveLength(1);
    expect(await api.findOrgUserByUsername(emu.orgId, "q+1@example.com")).toBeDefined();
    expect(emu.log.entries({ status: 401 })).toHaveLength(1);
  });

  it("shares one challenge between clients of the same key pair in the process", async () => {
    const emu = emulator();
    const a = clientFor(emu, "digest");
    const b = clientFor(emu, "digest");
    await a.listOrgInvites(emu.orgId);
    await b.listOrgInvites(emu.orgId);
    await a.listOrgInvites(emu.orgId);
    expect(emu.stats().digestChallenges).toBe(1);
    expect(emu.log.count()).toBe(4);
  });

  it("lets concurrent first calls wait for one challenge and gives each a distinct nonce count", async () => {
    const emu = emulator();
    const api = clientFor(emu, "digest");
    await Promise.all(Array.from({ length: 10 }, () => api.listOrgInvites(emu.orgId)));
    expect(emu.stats().digestChallenges).toBe(1);
    expect(emu.log.count()).toBe(11);
    // The emulator refuses a repeated nonce count as a replay, so 10 successes mean 10 distinct counts.
    expect(emu.log.count({ status: 200 })).toBe(10);
  });

  it("re-challenges once when the nonce goes stale, then carries on with the new one", async () => {
    const emu = emulator();
    const api = clientFor(emu, "digest");
    await api.listOrgInvites(emu.orgId);
    clock += 61_000;
    await api.listOrgInvites(emu.orgId);
    await api.listOrgInvites(emu.orgId);
    expect(
      emu.log.entries().map((e) => `${e.status} ${e.challenged ? "challenged" : e.auth}`),
    ).toEqual([
      "401 challenged",
      "200 digest",
      "401 challenged", // signed with the expired nonce: stale=true
      "200 digest",
      "200 digest",
    ]);
    expect(emu.stats().digestChallenges).toBe(2);
  });

  it("answers a wrong private key with the 401 as an AtlasApiError after one re-challenge", async () => {
    const emu = emulator();
    const api = createAtlasClient(settingsFor(emu, "digest", { privateKey: "not-the-key" }));
    const err: unknown = await api.listOrgInvites(emu.orgId).catch((e: unknown) => e);
    expect(isAtlasApiError(err) && err.status).toBe(401);
    expect(emu.log.count()).toBe(2);
  });

  it("sends an unsigned POST only once: the 401 is not an invitation, the signed repeat is", async () => {
    const emu = emulator();
    const api = clientFor(emu, "digest");
    await api.createOrgInvite(emu.orgId, { username: "p@example.com", roles: ["ORG_MEMBER"] });
    expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
    expect(emu.log.entries().map((e) => `${e.status} ${e.auth}`)).toEqual([
      "401 none",
      "200 digest",
    ]);
  });
});

describe("digest with MD5 only (what Atlas offers)", () => {
  const md5 = useEmulator({ digestAlgorithms: ["MD5"] });

  it("signs with MD5", async () => {
    const emu = md5();
    await clientFor(emu, "digest").listOrgInvites(emu.orgId);
    expect(emu.log.entries().map((e) => e.status)).toEqual([401, 200]);
  });
});

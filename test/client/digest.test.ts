import { createHash } from "node:crypto";
import { createAtlasClient } from "../../provider/atlas/client";
import { Secret } from "../../provider/atlas/secret";
import type { AtlasSettings } from "../../provider/atlas/settings";
import { isAtlasApiError, isAtlasAuthenticationError } from "../../provider/errors";
import { useEmulator } from "../support/emulator";
import {
  clientFor,
  fastOptions,
  freshSessions,
  json,
  rejectionOf,
  settingsFor,
  useLocalServers,
} from "./helpers";

let clock = Date.parse("2026-03-01T00:00:00Z");
const emulator = useEmulator({
  digestAlgorithms: ["SHA-256", "MD5"],
  nonceTtlMs: 60_000,
  now: () => clock,
});
freshSessions();

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
    const page = await api.listOrgUsers(emu.orgId, { username: "q+1@example.com" });
    expect(page.results.map((u) => u.username)).toEqual(["q+1@example.com"]);
    expect(emu.log.entries({ operationId: "listOrgUsers" }).map((e) => e.query)).toEqual([
      { username: "q+1@example.com", itemsPerPage: "500", pageNum: "1" },
    ]);
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

  it("answers a wrong private key with the 401 as an AtlasApiError after one re-challenge, with a hint", async () => {
    const emu = emulator();
    const api = createAtlasClient(settingsFor(emu, "digest", { privateKey: "not-the-key" }));
    const err: unknown = await api.listOrgInvites(emu.orgId).catch((e: unknown) => e);
    expect(isAtlasApiError(err) && err.status).toBe(401);
    // Atlas's digest 401 carries no errorCode.
    expect(isAtlasApiError(err) && err.errorCode).toBe("UNKNOWN");
    // The status alone, and a hint naming only the keys of the credentials that were used.
    expect((err as Error).message).toMatch(/^Atlas answered 401 for GET /);
    expect((err as Error).message).toContain(
      "Atlas refused the API key: check its public and private key",
    );
    expect((err as Error).message).not.toContain("clientId");
    expect((err as Error).message).not.toContain("not-the-key");
    expect(emu.log.entries().map((e) => `${e.status} ${e.auth}`)).toEqual([
      "401 none",
      "401 invalid",
    ]);
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

describe("digest challenges other servers send (a local server)", () => {
  const serve = useLocalServers();
  const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
  const PATH = `/api/atlas/v2/orgs/${ORG}/invites`;
  const PRIVATE_KEY = "SENTINEL-DIGEST-KEY-3e8b";
  const settings = (baseUrl: string): AtlasSettings => ({
    baseUrl,
    credentials: { kind: "digest", publicKey: "pub", privateKey: new Secret(PRIVATE_KEY) },
  });
  const md5 = (text: string) => createHash("md5").update(text).digest("hex");
  const param = (header: string, name: string) =>
    new RegExp(`${name}="?([^",]*)"?`).exec(header)?.[1];

  it('answers an empty qop="" like an RFC 2069 challenge: no nc, no cnonce, the response Atlas expects', async () => {
    const challenge =
      'Digest realm="MMS Public API", domain="", nonce="n-2069", algorithm=MD5, qop=""';
    const { baseUrl, seen } = await serve((req, res) => {
      const auth = req.headers.authorization;
      if (!auth) return json(res, 401, { error: 401 }, { "WWW-Authenticate": challenge });
      const ha1 = md5(`pub:MMS Public API:${PRIVATE_KEY}`);
      const expected = md5(`${ha1}:n-2069:${md5(`${req.method}:${req.url}`)}`);
      return param(auth, "response") === expected
        ? json(res, 200, [])
        : json(res, 401, { error: 401 }, { "WWW-Authenticate": challenge });
    });
    await expect(createAtlasClient(settings(baseUrl)).listOrgInvites(ORG)).resolves.toEqual([]);
    expect(seen).toHaveLength(2);
    const signed = seen[1]?.headers.authorization ?? "";
    expect(signed).toMatch(/^Digest /);
    expect(signed).not.toMatch(/\b(nc|cnonce|qop)=/);
    expect(signed).toContain(`uri="${PATH}"`);
    expect(signed).not.toContain(PRIVATE_KEY);
  });

  it.each([
    [
      "only an algorithm it does not offer",
      'Digest realm="r", nonce="n", algorithm=SHA-512-256, qop="auth"',
      "Digest algorithm=SHA-512-256 qop=auth",
    ],
    [
      'only qop="auth-int"',
      'Digest realm="r", nonce="n", algorithm=MD5, qop="auth-int"',
      "Digest algorithm=MD5 qop=auth-int",
    ],
    ["only another scheme", 'Basic realm="r"', "Basic"],
    ["no WWW-Authenticate at all", undefined, ""],
  ])(
    "throws AtlasAuthenticationError, without a retry, for a 401 offering %s",
    async (_name, header, offered) => {
      const { baseUrl, seen } = await serve((_req, res) =>
        json(res, 401, { error: 401 }, header ? { "WWW-Authenticate": header } : {}),
      );
      const options = fastOptions();
      const err = await rejectionOf(
        createAtlasClient(settings(baseUrl), options).listOrgInvites(ORG),
      );
      expect(isAtlasAuthenticationError(err)).toBe(true);
      expect(err).toMatchObject({
        name: "AtlasAuthenticationError",
        kind: "authentication",
        status: 401,
        errorCode: "NO_USABLE_DIGEST_CHALLENGE",
        offered,
        method: "GET",
        path: PATH,
      });
      const message = (err as Error).message;
      expect(message).toContain(
        `Atlas answered 401 for GET ${PATH} without a usable HTTP Digest challenge`,
      );
      expect(message).toContain(`(offered: ${offered || "none"})`);
      expect(message).toContain("Check that the base URL points at the Atlas Admin API");
      expect(message).not.toContain(PRIVATE_KEY);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.headers.authorization).toBeUndefined();
      expect(options.waits).toEqual([]);
    },
  );

  it("sends a POST only once when the challenge is unusable", async () => {
    const { baseUrl, seen } = await serve((_req, res) =>
      json(res, 401, {}, { "WWW-Authenticate": 'Digest realm="r", nonce="n", algorithm=SHA-512' }),
    );
    const err = await rejectionOf(
      createAtlasClient(settings(baseUrl), fastOptions()).createOrgInvite(ORG, {
        username: "a@example.com",
        roles: ["ORG_MEMBER"],
      }),
    );
    expect(isAtlasAuthenticationError(err)).toBe(true);
    expect(seen.map((s) => s.method)).toEqual(["POST"]);
  });

  it("lets calls waiting for the first challenge go on, unsigned, when none came", async () => {
    const { baseUrl, seen } = await serve((_req, res) => json(res, 401, {}));
    const api = createAtlasClient(settings(baseUrl), fastOptions());
    const errors = await Promise.all([
      rejectionOf(api.listOrgInvites(ORG)),
      rejectionOf(api.listOrgInvites(ORG)),
      rejectionOf(api.listOrgInvites(ORG)),
    ]);
    expect(errors.map(isAtlasAuthenticationError)).toEqual([true, true, true]);
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.headers.authorization === undefined)).toBe(true);
  });

  it("treats a 401 to a signed request as Atlas's refusal of the key (AtlasApiError 401)", async () => {
    const challenge = 'Digest realm="r", nonce="n", algorithm=MD5, qop="auth"';
    const { baseUrl, seen } = await serve((req, res) =>
      req.headers.authorization
        ? json(res, 401, { error: 401, detail: "You are not authorized for this resource." })
        : json(res, 401, { error: 401 }, { "WWW-Authenticate": challenge }),
    );
    const err = await rejectionOf(
      createAtlasClient(settings(baseUrl), fastOptions()).listOrgInvites(ORG),
    );
    expect(isAtlasApiError(err)).toBe(true);
    expect(err).toMatchObject({ status: 401, errorCode: "UNKNOWN" });
    expect(isAtlasAuthenticationError(err)).toBe(false);
    expect(seen.map((s) => (s.headers.authorization ? "signed" : "unsigned"))).toEqual([
      "unsigned",
      "signed",
    ]);
  });
});

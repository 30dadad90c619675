import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import {
  BearerClient,
  DigestClient,
  INVITES,
  USERS,
  V2023,
  V2025,
  basic,
  fetchToken,
  invite,
  obj,
  parseChallenges,
  raw,
  signDigest,
} from "./support";

let now = 1_750_000_000_000;
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({
    now: () => now,
    digestAlgorithms: ["MD5", "SHA-256"],
    nonceTtlMs: 60_000,
    tokenTtlSeconds: 600,
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

async function challenge(path = INVITES): Promise<ReturnType<typeof parseChallenges>> {
  const res = await raw(emu.baseUrl, "GET", path, { Accept: V2023 });
  expect(res.status).toBe(401);
  return parseChallenges(res.headers.get("www-authenticate"));
}

function signed(
  path: string,
  nc: number,
  c: ReturnType<typeof parseChallenges>[number],
  password = emu.credentials.privateKey,
): ReturnType<typeof raw> {
  const authorization = signDigest({
    challenge: c,
    method: "GET",
    uri: path,
    username: emu.credentials.publicKey,
    password,
    nc,
  });
  return raw(emu.baseUrl, "GET", path, { Accept: V2023, Authorization: authorization });
}

describe("HTTP Digest", () => {
  test("an unauthenticated request gets Atlas's recorded 401: SHA-256 and MD5 challenges, SHA-256 first, no opaque", async () => {
    const res = await raw(emu.baseUrl, "GET", INVITES, { Accept: V2023 });
    expect(res.status).toBe(401);
    expect(res.text).toBe(
      '{\n  "error" : 401,\n  "reason" : "Unauthorized",\n  "detail" : "You are not authorized for this resource."\n}',
    );
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("content-length")).toBe("106");
    const header = res.headers.get("www-authenticate") ?? "";
    expect(header).toMatch(
      /^Digest realm="MMS Public API", domain="", nonce="[^"]+", algorithm=SHA-256, qop="auth", stale=false, Digest realm="MMS Public API", domain="", nonce="[^"]+", algorithm=MD5, qop="auth", stale=false$/,
    );
    const offered = parseChallenges(header);
    expect(offered.map((c) => c.algorithm)).toEqual(["SHA-256", "MD5"]);
    expect(offered[0]).toMatchObject({ realm: "MMS Public API", qop: "auth", stale: false });
    expect(offered[0]?.opaque).toBeUndefined();
    expect(res.headers.get("x-error-code")).toBeNull();
    expect(res.headers.get("ratelimit-limit")).toBeNull();
    expect(emu.stats().digestChallenges).toBe(1);
  });

  test("an MD5-only emulator sends exactly the recorded challenge form (X1)", async () => {
    const md5 = await startEmulator();
    try {
      const res = await raw(md5.baseUrl, "GET", INVITES, { Accept: V2023 });
      expect(res.headers.get("www-authenticate")).toMatch(
        /^Digest realm="MMS Public API", domain="", nonce="[A-Za-z0-9_-]+", algorithm=MD5, qop="auth", stale=false$/,
      );
    } finally {
      await md5.close();
    }
  });

  test.each(["MD5", "SHA-256"])(
    "a request signed with %s is accepted, then reused with the next nonce count",
    async (algorithm) => {
      const api = new DigestClient(
        emu.baseUrl,
        emu.credentials.publicKey,
        emu.credentials.privateKey,
        algorithm,
      );
      expect((await api.call("GET", INVITES)).status).toBe(200);
      expect((await api.call("GET", INVITES)).status).toBe(200);
      expect(emu.stats().digestChallenges).toBe(1);
      expect(emu.log.entries().map((e) => [e.status, e.auth, e.challenged])).toEqual([
        [401, "none", true],
        [200, "digest", false],
        [200, "digest", false],
      ]);
    },
  );

  test("the signed uri must include the query string", async () => {
    const [c] = await challenge();
    if (!c) throw new Error("no challenge");
    const path = `${INVITES}?username=a%40example.com`;
    const withoutQuery = signDigest({
      challenge: c,
      method: "GET",
      uri: INVITES,
      username: emu.credentials.publicKey,
      password: emu.credentials.privateKey,
      nc: 1,
    });
    expect(
      (await raw(emu.baseUrl, "GET", path, { Accept: V2023, Authorization: withoutQuery })).status,
    ).toBe(401);
    expect((await signed(path, 2, c)).status).toBe(200);
  });

  test("a repeated nonce count is refused, while counts arriving out of order are accepted", async () => {
    const [c] = await challenge();
    if (!c) throw new Error("no challenge");
    expect((await signed(INVITES, 2, c)).status).toBe(200);
    expect((await signed(INVITES, 1, c)).status).toBe(200);
    const replay = await signed(INVITES, 2, c);
    expect(replay.status).toBe(401);
    expect(parseChallenges(replay.headers.get("www-authenticate"))[0]?.stale).toBe(false);
  });

  test("a nonce older than nonceTtlMs answers 401 with stale=true", async () => {
    const [c] = await challenge();
    if (!c) throw new Error("no challenge");
    now += 60_001;
    const res = await signed(INVITES, 1, c);
    expect(res.status).toBe(401);
    expect(parseChallenges(res.headers.get("www-authenticate")).every((x) => x.stale)).toBe(true);
  });

  test("a wrong password or an unknown nonce answers 401 with a fresh challenge", async () => {
    const [c] = await challenge();
    if (!c) throw new Error("no challenge");
    const wrong = await signed(INVITES, 1, c, "not-the-key");
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      error: 401,
      reason: "Unauthorized",
      detail: "You are not authorized for this resource.",
    });
    expect(JSON.stringify(wrong.body)).not.toContain(emu.credentials.privateKey);
    const unknown = await signed(INVITES, 1, { ...c, nonce: "made-up" });
    expect(unknown.status).toBe(401);
    expect(parseChallenges(unknown.headers.get("www-authenticate"))[0]?.nonce).not.toBe(c.nonce);
    expect(
      emu.log
        .entries()
        .slice(-2)
        .map((e) => e.auth),
    ).toEqual(["invalid", "invalid"]);
  });
});

describe("OAuth service accounts", () => {
  test("the token endpoint issues a Bearer token that authenticates API calls", async () => {
    const res = await fetchToken(
      emu.baseUrl,
      emu.credentials.clientId,
      emu.credentials.clientSecret,
    );
    expect(res.status).toBe(200);
    const body = obj(res.body);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 600 });
    const api = new BearerClient(emu.baseUrl, String(body["access_token"]));
    const created = await api.call("POST", INVITES, { body: invite("t@example.com") });
    expect(created.status).toBe(200);
    // The inviter is the calling credential: here the service account's client id.
    expect(obj(created.body)["inviterUsername"]).toBe(emu.credentials.clientId);
    expect((await api.call("GET", USERS, { accept: V2025 })).status).toBe(200);
    expect(emu.stats().tokensIssued).toBe(1);
    expect(emu.log.entries().map((e) => e.auth)).toEqual(["basic", "bearer", "bearer"]);
  });

  test("a wrong client secret answers 401 invalid_client and issues nothing", async () => {
    const res = await fetchToken(emu.baseUrl, emu.credentials.clientId, "wrong");
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: "invalid_client" });
    expect(emu.stats().tokensIssued).toBe(0);
  });

  test("a grant other than client_credentials answers 400 unsupported_grant_type", async () => {
    const res = await raw(
      emu.baseUrl,
      "POST",
      "/api/oauth/token",
      {
        Authorization: basic(emu.credentials.clientId, emu.credentials.clientSecret),
        "Content-Type": "application/x-www-form-urlencoded",
      },
      "grant_type=password",
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "unsupported_grant_type" });
  });

  test("an expired token answers 401 INVALID_BEARER_TOKEN once the clock passes expires_in", async () => {
    const token = String(
      obj(
        (await fetchToken(emu.baseUrl, emu.credentials.clientId, emu.credentials.clientSecret))
          .body,
      )["access_token"],
    );
    const api = new BearerClient(emu.baseUrl, token);
    now += 599_000;
    expect((await api.call("GET", INVITES)).status).toBe(200);
    now += 1_000;
    const res = await api.call("GET", INVITES);
    expect(res.status).toBe(401);
    expect(obj(res.body)["errorCode"]).toBe("INVALID_BEARER_TOKEN");
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("a revoked token no longer authenticates", async () => {
    const token = String(
      obj(
        (await fetchToken(emu.baseUrl, emu.credentials.clientId, emu.credentials.clientSecret))
          .body,
      )["access_token"],
    );
    const revoke = await raw(
      emu.baseUrl,
      "POST",
      "/api/oauth/revoke",
      {
        Authorization: basic(emu.credentials.clientId, emu.credentials.clientSecret),
        "Content-Type": "application/x-www-form-urlencoded",
      },
      `token=${encodeURIComponent(token)}`,
    );
    expect(revoke.status).toBe(200);
    expect((await new BearerClient(emu.baseUrl, token).call("GET", INVITES)).status).toBe(401);
  });
});

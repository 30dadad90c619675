import { resetProcessState } from "../../provider/process-state";
import { inspect } from "node:util";
import { createAuthStrategy, settingsFingerprint } from "../../provider/atlas/auth";
import type { RawRequest, RawResponse } from "../../provider/atlas/auth";
import { refreshMarginMs } from "../../provider/atlas/auth/service-account";
import { isAtlasApiError, isAtlasProtocolError, isAtlasTimeoutError } from "../../provider/errors";
import { Secret } from "../../provider/atlas/secret";
import type { AtlasSettings } from "../../provider/atlas/settings";

afterEach(() => resetProcessState());

const CHALLENGE = 'Digest realm="MMS Public API", nonce="n1", algorithm=MD5, qop="auth"';
const digest = (privateKey = "priv", baseUrl = "http://127.0.0.1:1"): AtlasSettings => ({
  baseUrl,
  credentials: { kind: "digest", publicKey: "pub", privateKey: new Secret(privateKey) },
});
const service = (clientSecret = "SENTINEL-CLIENT-SECRET-9c1e"): AtlasSettings => ({
  baseUrl: "http://127.0.0.1:1",
  credentials: {
    kind: "serviceAccount",
    clientId: "mdb_sa_id_x",
    clientSecret: new Secret(clientSecret),
  },
});
const noSend = async (): Promise<RawResponse> => {
  throw new Error("no HTTP expected");
};
const ncOf = (header: string | undefined) => /nc=([0-9a-f]{8})/.exec(header ?? "")?.[1];

describe("settingsFingerprint", () => {
  it("differs by secret, key id, kind and base URL, and never contains the secret", () => {
    const prints = [
      digest(),
      digest("other"),
      digest("priv", "https://cloud.mongodb.com"),
      service(),
      service("x"),
    ].map(settingsFingerprint);
    expect(new Set(prints).size).toBe(5);
    expect(settingsFingerprint(digest())).toBe(settingsFingerprint(digest()));
    expect(prints.join()).not.toContain("priv");
    expect(prints[0]).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("digest strategy", () => {
  const req = { method: "GET", uri: "/x", timeoutMs: 30_000 };

  it("sends the first request unsigned, then signs every later one with increasing nonce counts", async () => {
    const auth = createAuthStrategy(digest(), { send: noSend, now: Date.now });
    expect(await auth.authorize(req)).toBeUndefined();
    expect(await auth.onUnauthorized({ headers: { "www-authenticate": CHALLENGE } })).toBe("retry");
    const headers = [
      await auth.authorize(req),
      await auth.authorize(req),
      await auth.authorize(req),
    ];
    expect(headers.map(ncOf)).toEqual(["00000001", "00000002", "00000003"]);
  });

  it("shares the challenge between strategies of the same settings, not of other keys", async () => {
    const a = createAuthStrategy(digest(), { send: noSend, now: Date.now });
    await a.authorize(req);
    await a.onUnauthorized({ headers: { "www-authenticate": CHALLENGE } });
    const b = createAuthStrategy(digest(), { send: noSend, now: Date.now });
    expect(ncOf(await b.authorize(req))).toBe("00000001");
    expect(ncOf(await a.authorize(req))).toBe("00000002");
    const other = createAuthStrategy(digest("another-key"), { send: noSend, now: Date.now });
    expect(await other.authorize(req)).toBeUndefined();
  });

  it("makes concurrent first requests wait for the one challenge, then gives each a distinct count", async () => {
    const auth = createAuthStrategy(digest(), { send: noSend, now: Date.now });
    expect(await auth.authorize(req)).toBeUndefined();
    const waiting = Promise.all([auth.authorize(req), auth.authorize(req), auth.authorize(req)]);
    await auth.onUnauthorized({ headers: { "www-authenticate": CHALLENGE } });
    expect((await waiting).map(ncOf).sort()).toEqual(["00000001", "00000002", "00000003"]);
  });

  it("lets the next waiter go unsigned when the first request ended without a challenge", async () => {
    const auth = createAuthStrategy(digest(), { send: noSend, now: Date.now });
    expect(await auth.authorize(req)).toBeUndefined();
    const next = auth.authorize(req);
    auth.onSettled?.(); // e.g. the first request hit a network error
    expect(await next).toBeUndefined();
  });

  it("restarts the nonce count with a new challenge and calls a signed 401 without one a refusal", async () => {
    const auth = createAuthStrategy(digest(), { send: noSend, now: Date.now });
    await auth.authorize(req);
    await auth.onUnauthorized({ headers: { "www-authenticate": CHALLENGE } });
    const signed = await auth.authorize(req);
    expect(
      await auth.onUnauthorized({
        headers: { "www-authenticate": CHALLENGE.replace("n1", "n2") + ", stale=true" },
        sentAuthorization: signed,
      }),
    ).toBe("retry");
    const header = await auth.authorize(req);
    expect(header).toContain('nonce="n2"');
    expect(ncOf(header)).toBe("00000001");
    expect(await auth.onUnauthorized({ headers: {}, sentAuthorization: header })).toBe("refused");
    expect(
      await auth.onUnauthorized({
        headers: { "www-authenticate": 'Digest realm="r", nonce="n", algorithm=SHA-512-256' },
        sentAuthorization: header,
      }),
    ).toBe("refused");
  });

  it("says what an unusable challenge offered when the unsigned first request gets one", async () => {
    const auth = createAuthStrategy(digest(), { send: noSend, now: Date.now });
    expect(await auth.authorize(req)).toBeUndefined();
    expect(
      await auth.onUnauthorized({
        headers: {
          "www-authenticate":
            'Digest realm="r", nonce="secret-nonce", algorithm=SHA-512-256, qop="auth", ' +
            'Digest realm="r", nonce="n2", algorithm=MD5, qop="auth-int"',
        },
      }),
    ).toEqual({
      unusable: "Digest algorithm=SHA-512-256 qop=auth, Digest algorithm=MD5 qop=auth-int",
    });
    expect(await auth.onUnauthorized({ headers: {} })).toEqual({ unusable: "" });
    // Nothing was learnt: the next request still goes out unsigned.
    auth.onSettled?.();
    expect(await auth.authorize(req)).toBeUndefined();
  });

  it('answers an empty qop="" challenge without nc or cnonce', async () => {
    const auth = createAuthStrategy(digest(), { send: noSend, now: Date.now });
    await auth.authorize(req);
    expect(
      await auth.onUnauthorized({
        headers: { "www-authenticate": 'Digest realm="r", nonce="n", algorithm=MD5, qop=""' },
      }),
    ).toBe("retry");
    const header = await auth.authorize(req);
    expect(header).toMatch(
      /^Digest username="pub", realm="r", uri="\/x", algorithm=MD5, nonce="n", response="[0-9a-f]{32}"$/,
    );
  });
});

describe("service account strategy", () => {
  const req = { method: "GET", uri: "/x", timeoutMs: 30_000 };
  function fakeTokenEndpoint(answers: ((n: number) => RawResponse)[] = []) {
    const requests: RawRequest[] = [];
    const timeouts: number[] = [];
    const pending: (() => void)[] = [];
    let hold = false;
    const send = async (r: RawRequest, timeoutMs: number): Promise<RawResponse> => {
      requests.push(r);
      timeouts.push(timeoutMs);
      if (hold) await new Promise<void>((resolve) => pending.push(resolve));
      const n = requests.length;
      const answer = answers[n - 1];
      return answer
        ? answer(n)
        : {
            status: 200,
            headers: {},
            body: JSON.stringify({
              access_token: `tok${n}`,
              token_type: "Bearer",
              expires_in: 3600,
            }),
          };
    };
    return {
      send,
      requests,
      timeouts,
      hold: () => void (hold = true),
      release: () => {
        hold = false;
        pending.splice(0).forEach((r) => r());
      },
    };
  }

  it("posts client credentials with Basic auth and a form body", async () => {
    const ep = fakeTokenEndpoint();
    const auth = createAuthStrategy(service(), { send: ep.send, now: () => 0 });
    expect(await auth.authorize(req)).toBe("Bearer tok1");
    expect(ep.requests[0]).toEqual({
      method: "POST",
      uri: "/api/oauth/token",
      headers: {
        Authorization: `Basic ${Buffer.from("mdb_sa_id_x:SENTINEL-CLIENT-SECRET-9c1e").toString("base64")}`,
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/json",
      },
      body: "grant_type=client_credentials",
    });
  });

  it("gives the token request no longer than the caller's timeout (what is left of its budget)", async () => {
    const ep = fakeTokenEndpoint();
    const auth = createAuthStrategy(service(), { send: ep.send, now: () => 0 });
    await auth.authorize({ ...req, timeoutMs: 1_234 });
    expect(ep.timeouts).toEqual([1_234]);
  });

  it("lets a caller that joins a token request in flight wait no longer than its own timeout", async () => {
    const ep = fakeTokenEndpoint();
    ep.hold();
    const auth = createAuthStrategy(service(), { send: ep.send, now: () => 0 });
    const first = auth.authorize({ ...req, timeoutMs: 30_000 });
    const late = await auth.authorize({ ...req, timeoutMs: 20 }).catch((e: unknown) => e);
    expect(isAtlasTimeoutError(late)).toBe(true);
    expect(late).toMatchObject({ method: "POST", path: "/api/oauth/token", timeoutMs: 20 });
    ep.release();
    // The request in flight goes on for the caller that started it, and for later ones.
    expect(await first).toBe("Bearer tok1");
    expect(await auth.authorize(req)).toBe("Bearer tok1");
    expect(ep.requests).toHaveLength(1);
    expect(ep.timeouts).toEqual([30_000]);
  });

  it("shares one in-flight token request between concurrent callers", async () => {
    const ep = fakeTokenEndpoint();
    ep.hold();
    const auth = createAuthStrategy(service(), { send: ep.send, now: () => 0 });
    const all = Promise.all(Array.from({ length: 10 }, () => auth.authorize(req)));
    await new Promise((r) => setImmediate(r));
    ep.release();
    expect(new Set(await all)).toEqual(new Set(["Bearer tok1"]));
    expect(ep.requests).toHaveLength(1);
  });

  it("renews 60 s before expiry, or at 90% of a short lifetime", async () => {
    expect(refreshMarginMs(3_600_000)).toBe(60_000);
    expect(refreshMarginMs(30_000)).toBe(3000);
    let now = 0;
    const ep = fakeTokenEndpoint();
    const auth = createAuthStrategy(service(), { send: ep.send, now: () => now });
    await auth.authorize(req);
    now = 3_540_000 - 1;
    expect(await auth.authorize(req)).toBe("Bearer tok1");
    now = 3_540_000;
    expect(await auth.authorize(req)).toBe("Bearer tok2");
  });

  it("drops the token on a 401 only when it is the one that was refused", async () => {
    const ep = fakeTokenEndpoint();
    const auth = createAuthStrategy(service(), { send: ep.send, now: () => 0 });
    await auth.authorize(req);
    expect(
      await auth.onUnauthorized({ headers: {}, sentAuthorization: "Bearer stale-token" }),
    ).toBe("retry");
    expect(await auth.authorize(req)).toBe("Bearer tok1");
    expect(await auth.onUnauthorized({ headers: {}, sentAuthorization: "Bearer tok1" })).toBe(
      "retry",
    );
    expect(await auth.authorize(req)).toBe("Bearer tok2");
  });

  it("turns a refused token request into a secret-free AtlasApiError, even when the server echoes the secret", async () => {
    const basic = Buffer.from("mdb_sa_id_x:SENTINEL-CLIENT-SECRET-9c1e").toString("base64");
    const ep = fakeTokenEndpoint([
      () => ({
        status: 401,
        headers: {},
        body: JSON.stringify({
          error: "invalid_client",
          error_description: `bad SENTINEL-CLIENT-SECRET-9c1e / ${basic}`,
        }),
      }),
    ]);
    const auth = createAuthStrategy(service(), { send: ep.send, now: () => 0 });
    const err: unknown = await auth.authorize(req).catch((e: unknown) => e);
    expect(isAtlasApiError(err)).toBe(true);
    expect(err).toMatchObject({
      status: 401,
      errorCode: "invalid_client",
      method: "POST",
      path: "/api/oauth/token",
    });
    for (const text of [
      String(err),
      JSON.stringify(err),
      inspect(err, { showHidden: true, depth: 10 }),
    ]) {
      expect(text).not.toContain("SENTINEL-CLIENT-SECRET-9c1e");
      expect(text).not.toContain(basic);
    }
  });

  it("flags a token response without a usable token as a protocol error, then tries again next time", async () => {
    const ep = fakeTokenEndpoint([
      () => ({ status: 200, headers: {}, body: "{oops" }),
      () => ({ status: 200, headers: {}, body: JSON.stringify({ token_type: "Bearer" }) }),
      () => ({
        status: 200,
        headers: {},
        body: JSON.stringify({ access_token: "t", token_type: "mac" }),
      }),
    ]);
    const auth = createAuthStrategy(service(), { send: ep.send, now: () => 0 });
    const messages: string[] = [];
    for (let i = 0; i < 3; i++) {
      const err: unknown = await auth.authorize(req).catch((e: unknown) => e);
      expect(isAtlasProtocolError(err)).toBe(true);
      messages.push((err as Error).message);
    }
    expect(messages).toEqual([
      "Atlas answered 200 for POST /api/oauth/token with malformed JSON",
      "Atlas answered 200 for POST /api/oauth/token with no access_token",
      'Atlas answered 200 for POST /api/oauth/token with token_type "mac" instead of Bearer',
    ]);
    expect(await auth.authorize(req)).toBe("Bearer tok4");
  });
});

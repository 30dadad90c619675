import { inspect } from "node:util";
import { DEFAULT_RETRY_POLICY } from "../../provider/atlas/retry";
import { isAtlasConfigurationError } from "../../provider/errors";
import type { AtlasConfigurationError } from "../../provider/errors";
import {
  CONFIG_KEYS,
  DEFAULT_BASE_URL,
  SETTINGS,
  normalizeBaseUrl,
  resolveApi,
  resolveAtlasSettings,
  resolveProxy,
  resolveRetryOverrides,
  resolveSettings,
} from "../../provider/settings";
import type { SettingsSources, StringMap } from "../../provider/settings";

function configErrorOf(run: () => unknown): AtlasConfigurationError {
  try {
    run();
  } catch (err) {
    if (isAtlasConfigurationError(err)) return err;
    throw err;
  }
  throw new Error("expected a configuration error");
}

const configError = (sources: SettingsSources) => configErrorOf(() => resolveSettings(sources));

const KEYS = {
  MONGODB_ATLAS_PUBLIC_KEY: "pub",
  MONGODB_ATLAS_PRIVATE_KEY: "SENTINEL-PRIVATE-KEY-7f3a",
};
const SA = {
  MONGODB_ATLAS_CLIENT_ID: "mdb_sa_id_x",
  MONGODB_ATLAS_CLIENT_SECRET: "SENTINEL-CLIENT-SECRET-9c1e",
};

describe("resolveSettings", () => {
  it("reads an API key pair from the environment with the default base URL, retry and API", () => {
    const s = resolveSettings({ env: KEYS });
    expect(s.atlas.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(s.atlas.credentials.kind).toBe("digest");
    expect(s.atlas.credentials.kind === "digest" && s.atlas.credentials.privateKey.reveal()).toBe(
      "SENTINEL-PRIVATE-KEY-7f3a",
    );
    expect(s.atlas.proxy).toBeUndefined();
    expect("proxy" in s.atlas).toBe(false);
    expect(s.retry).toEqual(DEFAULT_RETRY_POLICY);
    expect(s.api).toBe("auto");
  });

  it("accepts Terraform's *_API_KEY aliases", () => {
    const s = resolveSettings({
      env: { MONGODB_ATLAS_PUBLIC_API_KEY: "pub", MONGODB_ATLAS_PRIVATE_API_KEY: "priv" },
    });
    expect(s.atlas.credentials).toMatchObject({ kind: "digest", publicKey: "pub" });
  });

  it("prefers a service account when a source holds both pairs", () => {
    expect(resolveSettings({ env: { ...KEYS, ...SA } }).atlas.credentials.kind).toBe(
      "serviceAccount",
    );
  });

  it("takes credentials whole from Pulumi config before the environment", () => {
    const s = resolveSettings({
      config: { "mongodbatlas:publicKey": "cfg-pub", "mongodbatlas:privateKey": "cfg-priv" },
      env: SA,
    });
    expect(s.atlas.credentials).toMatchObject({ kind: "digest", publicKey: "cfg-pub" });
  });

  it("reads the retry keys and the API from Pulumi config in the same pass", () => {
    const s = resolveSettings({
      env: KEYS,
      config: { "atlasInvitations:maxRetries": "2", "atlasInvitations:api": "users" },
    });
    expect(s.retry).toEqual({ ...DEFAULT_RETRY_POLICY, limit: 2 });
    expect(s.api).toBe("users");
  });

  it("names the missing variable when credentials are half set, never the value that is set", () => {
    const err = configError({
      env: { MONGODB_ATLAS_CLIENT_SECRET: "SENTINEL-CLIENT-SECRET-9c1e" },
    });
    expect(err.message).toMatch(/MONGODB_ATLAS_CLIENT_ID/);
    expect(err.keys).toEqual(["MONGODB_ATLAS_CLIENT_ID"]);
    expect([err.message, JSON.stringify(err), inspect(err)].join()).not.toContain("SENTINEL");
  });

  it("names only the half-set source's keys, and says the two sources never combine", () => {
    const err = configError({
      config: { "mongodbatlas:clientSecret": "SENTINEL-CLIENT-SECRET-9c1e" },
      env: { MONGODB_ATLAS_CLIENT_ID: "id-from-env" },
    });
    expect(err.message).toContain(
      "half set in Pulumi config: set config `mongodbatlas:clientId` as well, or unset config `mongodbatlas:clientSecret`",
    );
    expect(err.message).not.toContain("MONGODB_ATLAS_CLIENT_ID");
    expect(err.message).toMatch(/never combined across the two/);
    expect(err.keys).toEqual(["mongodbatlas:clientId"]);
  });

  it("lists both credential kinds when none is set, treating blank values as unset", () => {
    const err = configError({ env: { MONGODB_ATLAS_PUBLIC_KEY: "  " } });
    expect(err.keys).toEqual(
      expect.arrayContaining(["MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_PRIVATE_KEY"]),
    );
  });

  it("keeps the private key out of JSON and inspect output of the settings", () => {
    const s = resolveSettings({ env: KEYS });
    expect(JSON.stringify(s)).not.toContain("SENTINEL");
    expect(inspect(s, { depth: 10, showHidden: true })).not.toContain("SENTINEL");
  });

  it("lists every config key it reads, each with the namespace of its owner", () => {
    expect(CONFIG_KEYS).toEqual([
      "mongodbatlas:baseUrl",
      "mongodbatlas:publicKey",
      "mongodbatlas:privateKey",
      "mongodbatlas:clientId",
      "mongodbatlas:clientSecret",
      "atlasInvitations:maxRetries",
      "atlasInvitations:requestTimeoutMs",
      "atlasInvitations:deadlineMs",
      "atlasInvitations:api",
    ]);
    expect(CONFIG_KEYS.every((k) => /^(mongodbatlas|atlasInvitations):[a-zA-Z]+$/.test(k))).toBe(
      true,
    );
  });
});

describe("base URL validation", () => {
  it.each([
    ["https://cloud.mongodb.com/", "https://cloud.mongodb.com"],
    ["https://cloud-qa.mongodb.com", "https://cloud-qa.mongodb.com"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["http://localhost:9", "http://localhost:9"],
    ["http://[::1]:9", "http://[::1]:9"],
  ])("accepts %s as %s", (raw, normalized) => {
    expect(normalizeBaseUrl(raw)).toBe(normalized);
  });

  it.each([
    ["http://cloud.mongodb.com", /unencrypted/],
    ["http://10.0.0.1", /unencrypted/],
    ["ftp://cloud.mongodb.com", /must use https/],
    ["not a url", /not a valid URL/],
    ["https://user:pw@cloud.mongodb.com", /must not embed credentials/],
    ["https://cloud.mongodb.com/api/atlas/v2", /without path, query or fragment/],
  ])("refuses %s", (raw, message) => {
    expect(() => normalizeBaseUrl(raw)).toThrow(message);
  });

  it.each([
    ["https://user:SENTINEL-PW@host:99999", "https://[redacted]@host:99999"],
    ["https://cloud.mongodb.com/api?key=SENTINEL-Q", "https://cloud.mongodb.com/api?[redacted]"],
    ["https://cloud.mongodb.com/#SENTINEL-F", "https://cloud.mongodb.com/#[redacted]"],
  ])("never prints credentials or a query from a bad base URL: %s", (raw, printed) => {
    const message = (() => {
      try {
        normalizeBaseUrl(raw);
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    })();
    expect(message).toContain(printed);
    expect(message).not.toContain("SENTINEL");
  });

  it("names the source of a bad base URL", () => {
    const err = configError({ env: { ...KEYS, MONGODB_ATLAS_BASE_URL: "http://example.com" } });
    expect(err.message).toContain("env MONGODB_ATLAS_BASE_URL");
    expect(err.keys).toContain("MONGODB_ATLAS_BASE_URL");
  });
});

describe("resolveProxy", () => {
  const ATLAS = "https://cloud.mongodb.com";
  const proxyOf = (env: StringMap, baseUrl = ATLAS) => resolveProxy(baseUrl, env);

  it("uses no proxy when no proxy variable is set, and never an http_proxy for an https URL", () => {
    expect(proxyOf({})).toBeUndefined();
    expect(proxyOf({ HTTP_PROXY: "http://p:1", http_proxy: "http://p:1" })).toBeUndefined();
  });

  it("takes HTTPS_PROXY, naming the variable and showing the proxy's origin", () => {
    const proxy = proxyOf({ HTTPS_PROXY: "http://proxy.example:3128" });
    expect(proxy).toMatchObject({ display: "http://proxy.example:3128", variable: "HTTPS_PROXY" });
    expect(proxy?.url.reveal()).toBe("http://proxy.example:3128");
  });

  it("lets the lower-case variable win over the upper-case one", () => {
    expect(
      proxyOf({ https_proxy: "http://lower.example:1", HTTPS_PROXY: "http://upper.example:2" }),
    ).toMatchObject({ display: "http://lower.example:1", variable: "https_proxy" });
    // An empty lower-case variable counts as unset.
    expect(proxyOf({ https_proxy: "", HTTPS_PROXY: "http://upper.example:2" })).toMatchObject({
      display: "http://upper.example:2",
      variable: "HTTPS_PROXY",
    });
  });

  it("falls back to all_proxy, then ALL_PROXY, only when no https proxy is set", () => {
    expect(proxyOf({ ALL_PROXY: "http://all.example:3" })).toMatchObject({
      display: "http://all.example:3",
      variable: "ALL_PROXY",
    });
    expect(
      proxyOf({ all_proxy: "http://lower-all.example:3", ALL_PROXY: "http://all.example:3" }),
    ).toMatchObject({ variable: "all_proxy" });
    expect(
      proxyOf({ HTTPS_PROXY: "http://https.example:1", ALL_PROXY: "http://all.example:3" }),
    ).toMatchObject({ variable: "HTTPS_PROXY" });
  });

  it("reads a proxy without a scheme as an http:// proxy, as curl and Go's tools do", () => {
    expect(proxyOf({ HTTPS_PROXY: "proxy.example:3128" })).toMatchObject({
      display: "http://proxy.example:3128",
      variable: "HTTPS_PROXY",
    });
    expect(proxyOf({ all_proxy: "proxy.example:8080" })).toMatchObject({
      display: "http://proxy.example:8080",
      variable: "all_proxy",
    });
  });

  it.each([
    ["an exact host", "cloud.mongodb.com"],
    ["a leading-dot suffix", ".mongodb.com"],
    ["a wildcard suffix", "*.mongodb.com"],
    ["the host with its effective port", "cloud.mongodb.com:443"],
    ["*", "*"],
    ["one entry of a list", "internal.example, .mongodb.com"],
  ])("skips the proxy when NO_PROXY matches %s", (_name, noProxy) => {
    const env = { HTTPS_PROXY: "http://proxy.example:3128" };
    expect(proxyOf({ ...env, NO_PROXY: noProxy })).toBeUndefined();
    expect(proxyOf({ ...env, no_proxy: noProxy })).toBeUndefined();
  });

  it.each([
    ["a parent domain without a leading dot", "mongodb.com"],
    ["another port", "cloud.mongodb.com:8443"],
    ["another host", "api.example.com"],
  ])("keeps the proxy when NO_PROXY names %s", (_name, noProxy) => {
    expect(proxyOf({ HTTPS_PROXY: "http://proxy.example:3128", NO_PROXY: noProxy })).toMatchObject({
      variable: "HTTPS_PROXY",
    });
  });

  it("lets the lower-case no_proxy win over NO_PROXY", () => {
    expect(
      proxyOf({ HTTPS_PROXY: "http://p.example:1", no_proxy: "other.example", NO_PROXY: "*" }),
    ).toMatchObject({ variable: "HTTPS_PROXY" });
  });

  it.each([
    "http://127.0.0.1:8080",
    "http://localhost:8080",
    "http://[::1]:8080",
    "https://127.0.0.2",
  ])("never proxies the loopback base URL %s, whatever the environment says", (baseUrl) => {
    const env = {
      HTTPS_PROXY: "http://proxy.example:3128",
      HTTP_PROXY: "http://proxy.example:3128",
      ALL_PROXY: "http://proxy.example:3128",
      all_proxy: "http://proxy.example:3128",
    };
    expect(proxyOf(env, baseUrl)).toBeUndefined();
  });

  it("keeps the password in the secret URL only, never in the display", () => {
    const proxy = proxyOf({ HTTPS_PROXY: "http://user:SENTINEL-PROXY-PW%40x@proxy.example:3128" });
    expect(proxy?.display).toBe("http://proxy.example:3128");
    expect(proxy?.url.reveal()).toContain("SENTINEL-PROXY-PW");
    expect(JSON.stringify(proxy)).not.toContain("SENTINEL");
    expect(inspect(proxy, { depth: 10, showHidden: true })).not.toContain("SENTINEL");
    expect(proxy?.display).not.toContain("user");
  });

  it.each([
    ["HTTPS_PROXY", "http://[not-a-host", /HTTPS_PROXY is not a valid proxy URL/],
    [
      "https_proxy",
      "socks5://user:SENTINEL-PW@proxy.example:1080",
      /https_proxy names a socks5:\/\/ proxy/,
    ],
    ["ALL_PROXY", "ftp://proxy.example", /ALL_PROXY names a ftp:\/\/ proxy/],
  ])(
    "refuses a bad proxy URL in %s, naming the variable and never its value",
    (variable, value, message) => {
      const err = configErrorOf(() => proxyOf({ [variable]: value }));
      expect(err.message).toMatch(message);
      expect(err.keys).toEqual([variable]);
      expect([err.message, JSON.stringify(err)].join()).not.toContain("SENTINEL");
      expect(err.message).not.toContain(value);
    },
  );

  it("puts the proxy into the Atlas settings, from the environment the settings come from", () => {
    const atlas = resolveAtlasSettings({
      env: { ...KEYS, https_proxy: "http://proxy.example:3128" },
    });
    expect(atlas.proxy).toMatchObject({
      display: "http://proxy.example:3128",
      variable: "https_proxy",
    });
    expect(
      resolveAtlasSettings({
        env: {
          ...KEYS,
          MONGODB_ATLAS_BASE_URL: "http://127.0.0.1:8080",
          HTTPS_PROXY: "http://p:1",
        },
      }).proxy,
    ).toBeUndefined();
  });

  it("reads the map it is given, not process.env, and leaves process.env as it was", () => {
    const before = { ...process.env };
    process.env["HTTPS_PROXY"] = "http://from-process.example:1";
    try {
      expect(proxyOf({})).toBeUndefined();
      expect(proxyOf({ HTTPS_PROXY: "http://from-map.example:2" })).toMatchObject({
        display: "http://from-map.example:2",
      });
      expect(process.env["HTTPS_PROXY"]).toBe("http://from-process.example:1");
    } finally {
      if (before["HTTPS_PROXY"] === undefined) delete process.env["HTTPS_PROXY"];
      else process.env["HTTPS_PROXY"] = before["HTTPS_PROXY"];
    }
  });
});

describe("resolveApi", () => {
  it("defaults to auto when unset or blank and accepts each value", () => {
    expect(resolveApi({ config: {} })).toBe("auto");
    expect(resolveApi({ config: { "atlasInvitations:api": "  " } })).toBe("auto");
    for (const api of ["auto", "invites", "users"])
      expect(resolveApi({ config: { "atlasInvitations:api": ` ${api} ` } })).toBe(api);
  });

  it.each(["USERS", "org-users", "v2"])(
    "refuses %j, naming atlasInvitations:api and the values it allows",
    (value) => {
      const err = configErrorOf(() => resolveApi({ config: { "atlasInvitations:api": value } }));
      expect(err.keys).toEqual(["atlasInvitations:api", "ATLAS_INVITATIONS_API"]);
      expect(err.message).toContain("config `atlasInvitations:api` (api) must be one of");
      expect(err.message).toContain('"auto", "invites", "users"');
      expect(err.message).toContain(`(got ${JSON.stringify(value)})`);
    },
  );
});

describe("resolveRetryOverrides", () => {
  it("maps the three keys onto retry options and leaves unset or blank keys out", () => {
    expect(resolveRetryOverrides({ config: {} })).toEqual({});
    expect(
      resolveRetryOverrides({
        config: {
          "atlasInvitations:maxRetries": "2",
          "atlasInvitations:requestTimeoutMs": " 5000 ",
          "atlasInvitations:deadlineMs": "60000",
        },
      }),
    ).toEqual({ limit: 2, attemptTimeoutMs: 5000, deadlineMs: 60000 });
    expect(resolveRetryOverrides({ config: { "atlasInvitations:maxRetries": "" } })).toEqual({});
    expect(resolveRetryOverrides({ config: { "atlasInvitations:maxRetries": "0" } })).toEqual({
      limit: 0,
    });
  });

  it.each([
    ["atlasInvitations:maxRetries", "lots", /whole number from 0 to 100 \(got "lots"\)/],
    ["atlasInvitations:maxRetries", "-1", /whole number from 0 to 100/],
    ["atlasInvitations:maxRetries", "101", /whole number from 0 to 100/],
    [
      "atlasInvitations:requestTimeoutMs",
      "0",
      /from 1 to 3600000.*pulumi config set atlasInvitations:requestTimeoutMs/,
    ],
    ["atlasInvitations:deadlineMs", "1.5", /whole number/],
    ["atlasInvitations:deadlineMs", "1e6", /whole number/],
  ])("refuses %s = %j, naming the key and its range", (key, value, message) => {
    const err = configErrorOf(() => resolveRetryOverrides({ config: { [key]: value } }));
    expect(err.keys[0]).toEqual(key);
    expect(err.message).toContain(key);
    expect(err.message).toMatch(message);
  });

  it("accepts a deadline shorter than the request timeout, set alone or with it", () => {
    expect(resolveRetryOverrides({ config: { "atlasInvitations:deadlineMs": "1000" } })).toEqual({
      deadlineMs: 1000,
    });
    expect(
      resolveRetryOverrides({
        config: {
          "atlasInvitations:deadlineMs": "1000",
          "atlasInvitations:requestTimeoutMs": "30000",
        },
      }),
    ).toEqual({ deadlineMs: 1000, attemptTimeoutMs: 30000 });
  });

  it("quotes at most 40 characters of a bad value", () => {
    const err = configErrorOf(() =>
      resolveRetryOverrides({ config: { "atlasInvitations:maxRetries": "x".repeat(500) } }),
    );
    expect(err.message).toContain(`"${"x".repeat(40)}"`);
    expect(err.message).not.toContain("x".repeat(41));
  });

  it("keeps the documented ranges", () => {
    expect([
      SETTINGS.maxRetries.range,
      SETTINGS.requestTimeoutMs.range,
      SETTINGS.deadlineMs.range,
    ]).toEqual([
      { min: 0, max: 100 },
      { min: 1, max: 3_600_000 },
      { min: 1, max: 86_400_000 },
    ]);
  });

  it("reads the environment when config does not set a tuning value, and config first when both do", () => {
    expect(resolveRetryOverrides({ env: { ATLAS_INVITATIONS_DEADLINE_MS: "5000" } })).toEqual({
      deadlineMs: 5000,
    });
    expect(
      resolveRetryOverrides({
        config: { "atlasInvitations:deadlineMs": "7000" },
        env: { ATLAS_INVITATIONS_DEADLINE_MS: "5000" },
      }),
    ).toEqual({ deadlineMs: 7000 });
  });
});

describe("ATLAS_INVITATIONS_ON_ACCEPTED", () => {
  it("is off unless the environment says retain, and stack config cannot turn it on", () => {
    expect(resolveSettings({ env: KEYS }).retainAccepted).toBe(false);
    expect(
      resolveSettings({ env: { ...KEYS, ATLAS_INVITATIONS_ON_ACCEPTED: " " } }).retainAccepted,
    ).toBe(false);
    expect(
      resolveSettings({ env: { ...KEYS, ATLAS_INVITATIONS_ON_ACCEPTED: "retain" } }).retainAccepted,
    ).toBe(true);
    expect(
      resolveSettings({ env: KEYS, config: { ATLAS_INVITATIONS_ON_ACCEPTED: "retain" } })
        .retainAccepted,
    ).toBe(false);
  });

  it.each(["fail", "RETAIN", "true"])(
    "refuses %j, naming the variable and its one value",
    (value) => {
      const error = configError({ env: { ...KEYS, ATLAS_INVITATIONS_ON_ACCEPTED: value } });
      expect(error.message).toContain('ATLAS_INVITATIONS_ON_ACCEPTED takes one value, "retain"');
      expect(error.keys).toEqual(["ATLAS_INVITATIONS_ON_ACCEPTED"]);
    },
  );
});

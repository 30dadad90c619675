import { inspect } from "node:util";
import { isAtlasConfigurationError } from "../../provider/atlas/errors";
import type { AtlasConfigurationError } from "../../provider/atlas/errors";
import { DEFAULT_BASE_URL, normalizeBaseUrl, resolveSettings } from "../../provider/atlas/settings";
import type { SettingsSources } from "../../provider/atlas/settings";

function configError(sources: SettingsSources): AtlasConfigurationError {
  try {
    resolveSettings(sources);
  } catch (err) {
    if (isAtlasConfigurationError(err)) return err;
    throw err;
  }
  throw new Error("expected a configuration error");
}

const KEYS = {
  MONGODB_ATLAS_PUBLIC_KEY: "pub",
  MONGODB_ATLAS_PRIVATE_KEY: "SENTINEL-PRIVATE-KEY-7f3a",
};
const SA = {
  MONGODB_ATLAS_CLIENT_ID: "mdb_sa_id_x",
  MONGODB_ATLAS_CLIENT_SECRET: "SENTINEL-CLIENT-SECRET-9c1e",
};

describe("resolveSettings", () => {
  it("reads an API key pair from the environment with the default base URL", () => {
    const s = resolveSettings({ env: KEYS });
    expect(s.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(s.credentials.kind).toBe("digest");
    expect(s.credentials.kind === "digest" && s.credentials.privateKey.reveal()).toBe(
      "SENTINEL-PRIVATE-KEY-7f3a",
    );
  });

  it("accepts Terraform's *_API_KEY aliases", () => {
    const s = resolveSettings({
      env: { MONGODB_ATLAS_PUBLIC_API_KEY: "pub", MONGODB_ATLAS_PRIVATE_API_KEY: "priv" },
    });
    expect(s.credentials).toMatchObject({ kind: "digest", publicKey: "pub" });
  });

  it("prefers a service account when a source holds both pairs", () => {
    expect(resolveSettings({ env: { ...KEYS, ...SA } }).credentials.kind).toBe("serviceAccount");
  });

  it("takes credentials whole from Pulumi config before the environment", () => {
    const s = resolveSettings({
      config: { "mongodbatlas:publicKey": "cfg-pub", "mongodbatlas:privateKey": "cfg-priv" },
      env: SA,
    });
    expect(s.credentials).toMatchObject({ kind: "digest", publicKey: "cfg-pub" });
  });

  it("names the missing variable when credentials are half set, never the value that is set", () => {
    const err = configError({
      env: { MONGODB_ATLAS_CLIENT_SECRET: "SENTINEL-CLIENT-SECRET-9c1e" },
    });
    expect(err.message).toMatch(/MONGODB_ATLAS_CLIENT_ID/);
    expect(err.keys).toEqual(["mongodbatlas:clientId", "MONGODB_ATLAS_CLIENT_ID"]);
    expect([err.message, JSON.stringify(err), inspect(err)].join()).not.toContain("SENTINEL");
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

  it("names the source of a bad base URL", () => {
    const err = configError({ env: { ...KEYS, MONGODB_ATLAS_BASE_URL: "http://example.com" } });
    expect(err.message).toContain("env MONGODB_ATLAS_BASE_URL");
    expect(err.keys).toContain("MONGODB_ATLAS_BASE_URL");
  });
});

/**
 * One settings table, two audiences (issue 20): every setting is named and set in a Pulumi user's
 * terms by the provider (config key first, `pulumi config set`, `--secret` for secrets) and in a
 * shell user's terms by the `generate` CLI (its variable only). The Atlas client names settings by
 * their neutral names; the advice each edge adds is pinned here for every setting, and every
 * configuration error the resolution can raise is checked in both wordings.
 */
import {
  AtlasApiError,
  AtlasAuthenticationError,
  AtlasDeadlineError,
  AtlasTimeoutError,
  isAtlasConfigurationError,
} from "../../provider/errors";
import { resolveSettings } from "../../provider/settings";
import type { SettingsSources } from "../../provider/settings";
import { advise, settingsAdvice } from "../../provider/settings-advice";
import { SETTINGS, howToSet, sourceOf } from "../../provider/settings-table";
import type { SettingName } from "../../provider/settings-table";

/** The dynamic provider's and the CLI's wording; the plugin's is pinned in test/plugin/. */
type Audience = "pulumi" | "cli";

const line = { method: "POST", path: "/api/atlas/v2/orgs/o/invites" };
const KEYS = { MONGODB_ATLAS_PUBLIC_KEY: "pub", MONGODB_ATLAS_PRIVATE_KEY: "priv" };

/** Each setting, as each audience names it and sets it. */
const WORDING: Record<SettingName, Record<Audience, [source: string, set: string]>> = {
  baseUrl: {
    pulumi: [
      "config `mongodbatlas:baseUrl` or env MONGODB_ATLAS_BASE_URL",
      "`pulumi config set mongodbatlas:baseUrl <url>` (or MONGODB_ATLAS_BASE_URL=<url> in the environment)",
    ],
    cli: ["MONGODB_ATLAS_BASE_URL", "MONGODB_ATLAS_BASE_URL=<url> in the environment"],
  },
  publicKey: {
    pulumi: [
      "config `mongodbatlas:publicKey` or env MONGODB_ATLAS_PUBLIC_KEY",
      "`pulumi config set mongodbatlas:publicKey <public key>` (or MONGODB_ATLAS_PUBLIC_KEY=<public key> in the environment)",
    ],
    cli: ["MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PUBLIC_KEY=<public key> in the environment"],
  },
  privateKey: {
    pulumi: [
      "config `mongodbatlas:privateKey` or env MONGODB_ATLAS_PRIVATE_KEY",
      "`pulumi config set --secret mongodbatlas:privateKey <private key>` (or MONGODB_ATLAS_PRIVATE_KEY=<private key> in the environment)",
    ],
    cli: [
      "MONGODB_ATLAS_PRIVATE_KEY",
      "MONGODB_ATLAS_PRIVATE_KEY=<private key> in the environment",
    ],
  },
  clientId: {
    pulumi: [
      "config `mongodbatlas:clientId` or env MONGODB_ATLAS_CLIENT_ID",
      "`pulumi config set mongodbatlas:clientId <client id>` (or MONGODB_ATLAS_CLIENT_ID=<client id> in the environment)",
    ],
    cli: ["MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_CLIENT_ID=<client id> in the environment"],
  },
  clientSecret: {
    pulumi: [
      "config `mongodbatlas:clientSecret` or env MONGODB_ATLAS_CLIENT_SECRET",
      "`pulumi config set --secret mongodbatlas:clientSecret <client secret>` (or MONGODB_ATLAS_CLIENT_SECRET=<client secret> in the environment)",
    ],
    cli: [
      "MONGODB_ATLAS_CLIENT_SECRET",
      "MONGODB_ATLAS_CLIENT_SECRET=<client secret> in the environment",
    ],
  },
  maxRetries: {
    pulumi: [
      "config `atlasInvitations:maxRetries` or env ATLAS_INVITATIONS_MAX_RETRIES",
      "`pulumi config set atlasInvitations:maxRetries <number>` (or ATLAS_INVITATIONS_MAX_RETRIES=<number> in the environment)",
    ],
    cli: [
      "ATLAS_INVITATIONS_MAX_RETRIES",
      "ATLAS_INVITATIONS_MAX_RETRIES=<number> in the environment",
    ],
  },
  requestTimeoutMs: {
    pulumi: [
      "config `atlasInvitations:requestTimeoutMs` or env ATLAS_INVITATIONS_REQUEST_TIMEOUT_MS",
      "`pulumi config set atlasInvitations:requestTimeoutMs <milliseconds>` (or ATLAS_INVITATIONS_REQUEST_TIMEOUT_MS=<milliseconds> in the environment)",
    ],
    cli: [
      "ATLAS_INVITATIONS_REQUEST_TIMEOUT_MS",
      "ATLAS_INVITATIONS_REQUEST_TIMEOUT_MS=<milliseconds> in the environment",
    ],
  },
  deadlineMs: {
    pulumi: [
      "config `atlasInvitations:deadlineMs` or env ATLAS_INVITATIONS_DEADLINE_MS",
      "`pulumi config set atlasInvitations:deadlineMs <milliseconds>` (or ATLAS_INVITATIONS_DEADLINE_MS=<milliseconds> in the environment)",
    ],
    cli: [
      "ATLAS_INVITATIONS_DEADLINE_MS",
      "ATLAS_INVITATIONS_DEADLINE_MS=<milliseconds> in the environment",
    ],
  },
  api: {
    pulumi: [
      "config `atlasInvitations:api` or env ATLAS_INVITATIONS_API",
      "`pulumi config set atlasInvitations:api <auto|invites|users>` (or ATLAS_INVITATIONS_API=<auto|invites|users> in the environment)",
    ],
    cli: ["ATLAS_INVITATIONS_API", "ATLAS_INVITATIONS_API=<auto|invites|users> in the environment"],
  },
  onAccepted: {
    pulumi: [
      "env ATLAS_INVITATIONS_ON_ACCEPTED",
      "ATLAS_INVITATIONS_ON_ACCEPTED=retain in the environment",
    ],
    cli: [
      "ATLAS_INVITATIONS_ON_ACCEPTED",
      "ATLAS_INVITATIONS_ON_ACCEPTED=retain in the environment",
    ],
  },
};

describe("the settings table", () => {
  it("words every setting for both audiences, and the table has no setting this test does not pin", () => {
    expect(Object.keys(SETTINGS).sort()).toEqual(Object.keys(WORDING).sort());
    for (const [name, byAudience] of Object.entries(WORDING) as [
      SettingName,
      Record<Audience, [string, string]>,
    ][]) {
      for (const audience of ["pulumi", "cli"] as const) {
        expect([sourceOf(name, audience), howToSet(name, audience)]).toEqual(byAudience[audience]);
      }
    }
  });

  it("never names Pulumi config to a CLI user", () => {
    for (const name of Object.keys(SETTINGS) as SettingName[]) {
      expect(`${sourceOf(name, "cli")} ${howToSet(name, "cli")}`).not.toMatch(
        /pulumi|config `|mongodbatlas:|atlasInvitations:/,
      );
    }
  });

  it("marks exactly the two secrets as secret", () => {
    const secret = (Object.keys(SETTINGS) as SettingName[]).filter((n) => SETTINGS[n].secret);
    expect(secret.sort()).toEqual(["clientSecret", "privateKey"]);
  });
});

describe("advice for the Atlas client's errors, at each edge", () => {
  /** A fresh error per audience: advice is added once. */
  const errors = {
    deadline: () => new AtlasDeadlineError({ ...line, deadlineMs: 1000, why: "gave up" }),
    timeout: () => new AtlasTimeoutError({ ...line, timeoutMs: 5 }),
    unauthorizedKey: () =>
      new AtlasApiError({ ...line, status: 401, body: undefined, credentials: "digest" }),
    unusableChallenge: () => new AtlasAuthenticationError({ ...line, offered: "Basic" }),
  };

  it.each(Object.keys(errors) as (keyof typeof errors)[])(
    "%s: the client's message names no key or variable; each edge adds its own words, once",
    (kind) => {
      const bare = errors[kind]();
      expect(bare.message).not.toMatch(
        /pulumi|mongodbatlas:|atlasInvitations:|MONGODB_ATLAS_|ATLAS_INVITATIONS_/,
      );
      const forPulumi = advise(errors[kind](), "pulumi") as Error;
      const forCli = advise(errors[kind](), "cli") as Error;
      expect(forPulumi.message.startsWith(bare.message)).toBe(true);
      expect(forPulumi.message).toContain(settingsAdvice(bare.settings, "pulumi"));
      expect(forCli.message).toContain(settingsAdvice(bare.settings, "cli"));
      expect(forCli.message).not.toMatch(/pulumi|config `/);
      expect((advise(forCli, "cli") as Error).message).toBe(forCli.message);
    },
  );

  it("pins the deadline's advice in both wordings", () => {
    expect(settingsAdvice(["deadlineMs"], "pulumi")).toBe(
      "To change deadlineMs: `pulumi config set atlasInvitations:deadlineMs <milliseconds>` " +
        "(or ATLAS_INVITATIONS_DEADLINE_MS=<milliseconds> in the environment).",
    );
    expect(settingsAdvice(["deadlineMs"], "cli")).toBe(
      "To change deadlineMs: ATLAS_INVITATIONS_DEADLINE_MS=<milliseconds> in the environment.",
    );
    expect(settingsAdvice(["publicKey", "privateKey"], "cli")).toBe(
      "publicKey, privateKey come from MONGODB_ATLAS_PUBLIC_KEY; MONGODB_ATLAS_PRIVATE_KEY.",
    );
  });

  it("leaves a value that is not one of the package's errors as it is", () => {
    const plain = new Error("boom");
    expect(advise(plain, "pulumi")).toBe(plain);
    expect(plain.message).toBe("boom");
  });
});

describe("configuration errors, worded for each audience", () => {
  const messageOf = (sources: SettingsSources): string => {
    try {
      resolveSettings(sources);
    } catch (error) {
      if (isAtlasConfigurationError(error)) return error.message;
      throw error;
    }
    throw new Error("expected a configuration error");
  };
  const both = (env: Record<string, string>, config: Record<string, string> = {}) => ({
    pulumi: messageOf({ env, config }),
    cli: messageOf({ env, audience: "cli" }),
  });

  it.each<[string, Record<string, string>]>([
    ["no credentials", {}],
    ["a half-set API key", { MONGODB_ATLAS_PUBLIC_KEY: "pub" }],
    ["a half-set service account", { MONGODB_ATLAS_CLIENT_SECRET: "s" }],
    ["a base URL that is not a URL", { ...KEYS, MONGODB_ATLAS_BASE_URL: "nope" }],
    ["a base URL with credentials", { ...KEYS, MONGODB_ATLAS_BASE_URL: "https://u:p@x.example" }],
    ["a retry count out of range", { ...KEYS, ATLAS_INVITATIONS_MAX_RETRIES: "101" }],
    ["a request timeout of 0", { ...KEYS, ATLAS_INVITATIONS_REQUEST_TIMEOUT_MS: "0" }],
    ["a deadline that is not a number", { ...KEYS, ATLAS_INVITATIONS_DEADLINE_MS: "soon" }],
    ["an unknown API", { ...KEYS, ATLAS_INVITATIONS_API: "v3" }],
  ])("%s: Pulumi users read config and variables, CLI users variables alone", (_case, env) => {
    const { pulumi, cli } = both(env);
    expect(cli).not.toMatch(/pulumi|config `|mongodbatlas:|atlasInvitations:/);
    expect(cli).toMatch(/MONGODB_ATLAS_|ATLAS_INVITATIONS_/);
    expect(pulumi).toMatch(/MONGODB_ATLAS_|ATLAS_INVITATIONS_/);
  });

  it("names the config key and `pulumi config set` for a bad value that came from Pulumi config", () => {
    const message = messageOf({
      env: KEYS,
      config: { "atlasInvitations:deadlineMs": "0" },
    });
    expect(message).toBe(
      'config `atlasInvitations:deadlineMs` (deadlineMs) must be a whole number from 1 to 86400000 (got "0"). ' +
        "Fix it with `pulumi config set atlasInvitations:deadlineMs <milliseconds>` " +
        "(or ATLAS_INVITATIONS_DEADLINE_MS=<milliseconds> in the environment), or unset it to keep the default.",
    );
  });

  it("pins the missing-credentials message in both wordings", () => {
    const { pulumi, cli } = both({});
    expect(pulumi).toBe(
      "No Atlas credentials found. Set a service account (config `mongodbatlas:clientId` or env " +
        "MONGODB_ATLAS_CLIENT_ID and config `mongodbatlas:clientSecret` or env MONGODB_ATLAS_CLIENT_SECRET) " +
        "or an API key pair (config `mongodbatlas:publicKey` or env MONGODB_ATLAS_PUBLIC_KEY and " +
        "config `mongodbatlas:privateKey` or env MONGODB_ATLAS_PRIVATE_KEY). " +
        "Mark secrets with `pulumi config set --secret`.",
    );
    expect(cli).toBe(
      "No Atlas credentials found. Set a service account (MONGODB_ATLAS_CLIENT_ID and " +
        "MONGODB_ATLAS_CLIENT_SECRET) or an API key pair (MONGODB_ATLAS_PUBLIC_KEY and " +
        "MONGODB_ATLAS_PRIVATE_KEY). `generate` reads its credentials from the environment only, not " +
        "from Pulumi config: export them in the shell that runs it.",
    );
  });
});

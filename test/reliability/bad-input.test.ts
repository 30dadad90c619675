/**
 * Bad input is refused by `check`, before any HTTP call, with a message naming the property (or
 * the config key / environment variable) and the fix. What only Atlas can judge comes back as an
 * error naming the user's input, not an HTTP dump.
 */
import type { AtlasClient } from "../../provider/atlas/api";
import { createAtlasClient } from "../../provider/atlas/client";
import { DEFAULT_RETRY_POLICY } from "../../provider/atlas/retry";
import type { AtlasSettings } from "../../provider/atlas/settings";
import { isAtlasConfigurationError } from "../../provider/errors";
import { OrgInvitationProvider } from "../../provider/provider";
import { useEmulator } from "../support/emulator";
import { configRequest, envFor } from "../provider/helpers";
import {
  FAST,
  SENTINELS,
  SENTINEL_EMULATOR,
  harness,
  leakedSentinels,
  outcome,
  renderings,
} from "./support";

const emulator = useEmulator(SENTINEL_EMULATOR);

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
const TEAM = "64b7f1e2a3c4d5e6f7a8b9d1";
const PROJECT = "64b7f1e2a3c4d5e6f7a8b9e1";
const GOOD = { orgId: ORG, username: "jane@example.com", roles: ["ORG_MEMBER"] };

interface InputRow {
  what: string;
  inputs: Record<string, unknown>;
  property: string;
  fix: RegExp;
}

const INPUT_ROWS: InputRow[] = [
  {
    what: "an organization role one letter short of ORG_MEMBER",
    inputs: { ...GOOD, roles: ["ORG_MEMBR"] },
    property: "roles",
    fix: /"ORG_MEMBR" is not an Atlas organization role; did you mean ORG_MEMBER\?/,
  },
  {
    what: "an organization role two edits from ORG_READ_ONLY",
    inputs: { ...GOOD, roles: ["ORG_READONLY_"] },
    property: "roles",
    fix: /did you mean ORG_READ_ONLY\?/,
  },
  {
    what: "a project role one letter off GROUP_READ_ONLY",
    inputs: {
      ...GOOD,
      groupRoleAssignments: [{ groupId: PROJECT, roles: ["GROUP_READ_ONY"] }],
    },
    property: "groupRoleAssignments",
    fix: /"GROUP_READ_ONY" is not an Atlas project role; did you mean GROUP_READ_ONLY\?/,
  },
  {
    what: "an upper-case orgId",
    inputs: { ...GOOD, orgId: ORG.toUpperCase() },
    property: "orgId",
    fix: /lower-case hex.*use "64b7f1e2a3c4d5e6f7a8b9c0"/,
  },
  {
    what: "a short orgId",
    inputs: { ...GOOD, orgId: "64b7f1e2" },
    property: "orgId",
    fix: /24-character hex id.*Copy it/,
  },
  {
    what: "a numeric orgId",
    inputs: { ...GOOD, orgId: 42 },
    property: "orgId",
    fix: /must be a string/,
  },
  {
    what: "no orgId",
    inputs: { username: GOOD.username, roles: GOOD.roles },
    property: "orgId",
    fix: /orgId is required/,
  },
  {
    what: "a username that is not an email",
    inputs: { ...GOOD, username: "jane" },
    property: "username",
    fix: /email address such as "jane@example.com"/,
  },
  {
    what: "an email without a domain suffix",
    inputs: { ...GOOD, username: "jane@localhost" },
    property: "username",
    fix: /email address such as/,
  },
  {
    what: "a username with spaces around it",
    inputs: { ...GOOD, username: " jane@example.com " },
    property: "username",
    fix: /use "jane@example.com"/,
  },
  {
    what: "an empty username",
    inputs: { ...GOOD, username: "" },
    property: "username",
    fix: /email address of the person to invite/,
  },
  {
    what: "a 300-character username",
    inputs: { ...GOOD, username: `${"j".repeat(288)}@example.com` },
    property: "username",
    fix: /at most 254/,
  },
  {
    what: "a 1 MB username",
    inputs: { ...GOOD, username: "x".repeat(1_000_000) },
    property: "username",
    fix: /at most 254/,
  },
  {
    what: "a numeric username",
    inputs: { ...GOOD, username: 42 },
    property: "username",
    fix: /email address/,
  },
  {
    what: "no username",
    inputs: { orgId: ORG, roles: GOOD.roles },
    property: "username",
    fix: /username is required/,
  },
  {
    what: "an empty role list",
    inputs: { ...GOOD, roles: [] },
    property: "roles",
    fix: /at least one organization role/,
  },
  {
    what: "no roles",
    inputs: { orgId: ORG, username: GOOD.username },
    property: "roles",
    fix: /roles is required/,
  },
  {
    what: "a duplicated role",
    inputs: { ...GOOD, roles: ["ORG_MEMBER", "ORG_MEMBER"] },
    property: "roles",
    fix: /twice: list each organization role once/,
  },
  {
    what: "a non-string role",
    inputs: { ...GOOD, roles: [42] },
    property: "roles",
    fix: /roles\[0\] must be a string/,
  },
  {
    what: "roles as a string",
    inputs: { ...GOOD, roles: "ORG_MEMBER" },
    property: "roles",
    fix: /must be a list of organization roles/,
  },
  {
    what: "a project role among org roles",
    inputs: { ...GOOD, roles: ["GROUP_READ_ONLY"] },
    property: "roles",
    fix: /project role: grant it with groupRoleAssignments/,
  },
  {
    what: "a lower-case role",
    inputs: { ...GOOD, roles: ["org_member"] },
    property: "roles",
    fix: /must be upper case, as Atlas writes roles: use ORG_MEMBER/,
  },
  {
    what: "a huge role",
    inputs: { ...GOOD, roles: [`ORG_${"A".repeat(10_000)}`] },
    property: "roles",
    fix: /organization role such as/,
  },
  {
    what: "a malformed team id",
    inputs: { ...GOOD, teamIds: ["platform"] },
    property: "teamIds",
    fix: /teamIds\[0\] must be the 24-character hex id of the team/,
  },
  {
    what: "an upper-case team id",
    inputs: { ...GOOD, teamIds: [TEAM.toUpperCase()] },
    property: "teamIds",
    fix: /lower-case hex/,
  },
  {
    what: "teamIds as a string",
    inputs: { ...GOOD, teamIds: TEAM },
    property: "teamIds",
    fix: /must be a list of team ids/,
  },
  {
    what: "a duplicated team id",
    inputs: { ...GOOD, teamIds: [TEAM, TEAM] },
    property: "teamIds",
    fix: /twice/,
  },
  {
    what: "groupRoleAssignments as an object",
    inputs: { ...GOOD, groupRoleAssignments: { groupId: PROJECT } },
    property: "groupRoleAssignments",
    fix: /list of \{ groupId, roles \} objects/,
  },
  {
    what: "a malformed project id",
    inputs: { ...GOOD, groupRoleAssignments: [{ groupId: "prod", roles: ["GROUP_READ_ONLY"] }] },
    property: "groupRoleAssignments",
    fix: /groupId must be the 24-character hex id of the project/,
  },
  {
    what: "a project with no roles",
    inputs: { ...GOOD, groupRoleAssignments: [{ groupId: PROJECT, roles: [] }] },
    property: "groupRoleAssignments",
    fix: /at least one project role/,
  },
  {
    what: "an org role as a project role",
    inputs: { ...GOOD, groupRoleAssignments: [{ groupId: PROJECT, roles: ["ORG_MEMBER"] }] },
    property: "groupRoleAssignments",
    fix: /ORG_MEMBER is an organization role: list it in roles/,
  },
  {
    what: "an unknown field in a project assignment",
    inputs: {
      ...GOOD,
      groupRoleAssignments: [{ groupId: PROJECT, roles: ["GROUP_READ_ONLY"], role: "x" }],
    },
    property: "groupRoleAssignments",
    fix: /only groupId and roles are allowed/,
  },
  {
    what: "the same project twice",
    inputs: {
      ...GOOD,
      groupRoleAssignments: [
        { groupId: PROJECT, roles: ["GROUP_READ_ONLY"] },
        { groupId: PROJECT, roles: ["GROUP_OWNER"] },
      ],
    },
    property: "groupRoleAssignments",
    fix: /merge its roles into one entry/,
  },
  {
    what: "an unknown onAccepted",
    inputs: { ...GOOD, onAccepted: "delete" },
    property: "onAccepted",
    fix: /"fail".*or "retain"/,
  },
  {
    what: "a boolean onAccepted",
    inputs: { ...GOOD, onAccepted: true },
    property: "onAccepted",
    fix: /"fail".*or "retain"/,
  },
  {
    what: "a misspelt property",
    inputs: { ...GOOD, role: "ORG_MEMBER" },
    property: "role",
    fix: /did you mean roles\?/,
  },
];

interface SettingsRow {
  what: string;
  env: (baseUrl: string) => Record<string, string>;
  keys: string[];
  fix: RegExp;
}

const KEY = { MONGODB_ATLAS_PUBLIC_KEY: "emulator-public-key" };
const SECRET_KEY = { MONGODB_ATLAS_PRIVATE_KEY: SENTINELS.privateKey };
const SETTINGS_ROWS: SettingsRow[] = [
  {
    what: "an HTTPS proxy that is not a URL, with a password that is never shown",
    env: () => ({ ...KEY, ...SECRET_KEY, HTTPS_PROXY: `http://user:${SENTINELS.privateKey}@[bad` }),
    keys: ["HTTPS_PROXY"],
    fix: /HTTPS_PROXY is not a valid proxy URL/,
  },
  {
    what: "a SOCKS proxy in https_proxy",
    env: () => ({ ...KEY, ...SECRET_KEY, https_proxy: "socks5://proxy.example:1080" }),
    keys: ["https_proxy"],
    fix: /socks5:\/\/ proxy; only http:\/\/ and https:\/\/ proxies/,
  },
  {
    what: "a base URL that is not a URL",
    env: () => ({ ...KEY, ...SECRET_KEY, MONGODB_ATLAS_BASE_URL: "cloud mongodb com" }),
    keys: ["MONGODB_ATLAS_BASE_URL"],
    fix: /not a valid URL.*Use an origin such as https:\/\/cloud.mongodb.com/,
  },
  {
    what: "a plain-http base URL that is not loopback",
    env: () => ({ ...KEY, ...SECRET_KEY, MONGODB_ATLAS_BASE_URL: "http://atlas.example.com" }),
    keys: ["MONGODB_ATLAS_BASE_URL"],
    fix: /unencrypted\. Use https:\/\//,
  },
  {
    what: "an ftp base URL",
    env: () => ({ ...KEY, ...SECRET_KEY, MONGODB_ATLAS_BASE_URL: "ftp://cloud.mongodb.com" }),
    keys: ["MONGODB_ATLAS_BASE_URL"],
    fix: /must use https:\/\//,
  },
  {
    what: "a base URL with a path",
    env: () => ({
      ...KEY,
      ...SECRET_KEY,
      MONGODB_ATLAS_BASE_URL: "https://cloud.mongodb.com/api/atlas/v2",
    }),
    keys: ["MONGODB_ATLAS_BASE_URL"],
    fix: /origin without path/,
  },
  {
    what: "a base URL with embedded credentials",
    env: () => ({
      ...KEY,
      ...SECRET_KEY,
      MONGODB_ATLAS_BASE_URL: `https://key:${SENTINELS.privateKey}@cloud.mongodb.com`,
    }),
    keys: ["MONGODB_ATLAS_BASE_URL"],
    fix: /must not embed credentials/,
  },
  {
    what: "a public key without its private key",
    env: (u) => ({ ...KEY, MONGODB_ATLAS_BASE_URL: u }),
    keys: ["MONGODB_ATLAS_PRIVATE_KEY"],
    fix: /half set in the environment: set env MONGODB_ATLAS_PRIVATE_KEY as well/,
  },
  {
    what: "a private key without its public key",
    env: (u) => ({ ...SECRET_KEY, MONGODB_ATLAS_BASE_URL: u }),
    keys: ["MONGODB_ATLAS_PUBLIC_KEY"],
    fix: /half set.*MONGODB_ATLAS_PUBLIC_KEY/,
  },
  {
    what: "a client secret without its client id",
    env: (u) => ({
      MONGODB_ATLAS_CLIENT_SECRET: SENTINELS.clientSecret,
      MONGODB_ATLAS_BASE_URL: u,
    }),
    keys: ["MONGODB_ATLAS_CLIENT_ID"],
    fix: /half set.*MONGODB_ATLAS_CLIENT_ID/,
  },
  {
    what: "no credentials at all",
    env: (u) => ({ MONGODB_ATLAS_BASE_URL: u }),
    keys: ["MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_PUBLIC_KEY"],
    fix: /No Atlas credentials found/,
  },
];

interface ConfigRow {
  what: string;
  config: Record<string, string>;
  key: string;
  fix: RegExp;
}

const CONFIG_ROWS: ConfigRow[] = [
  {
    what: "an api that is none of auto, invites and users",
    config: { "atlasInvitations:api": "orgusers" },
    key: "atlasInvitations:api",
    fix: /must be one of "auto", "invites", "users"/,
  },
  {
    what: "a maxRetries that is not a number",
    config: { "atlasInvitations:maxRetries": "lots" },
    key: "atlasInvitations:maxRetries",
    fix: /whole number from 0 to 100 \(got "lots"\)/,
  },
  {
    what: "a negative maxRetries",
    config: { "atlasInvitations:maxRetries": "-1" },
    key: "atlasInvitations:maxRetries",
    fix: /whole number from 0 to 100/,
  },
  {
    what: "a zero requestTimeoutMs",
    config: { "atlasInvitations:requestTimeoutMs": "0" },
    key: "atlasInvitations:requestTimeoutMs",
    fix: /from 1 to 3600000.*pulumi config set atlasInvitations:requestTimeoutMs/,
  },
  {
    what: "a fractional deadlineMs",
    config: { "atlasInvitations:deadlineMs": "1.5" },
    key: "atlasInvitations:deadlineMs",
    fix: /whole number/,
  },
];

function providerWith(env: Record<string, string>): OrgInvitationProvider {
  return new OrgInvitationProvider({
    env,
    logger: { info: () => undefined, warn: () => undefined },
    createClient: (settings: AtlasSettings): AtlasClient =>
      createAtlasClient(settings, { retry: FAST }),
  });
}

describe("check refuses bad inputs before any HTTP call", () => {
  test.each(INPUT_ROWS)("$what is refused, naming $property", async ({ inputs, property, fix }) => {
    const emu = emulator();
    const result = await providerWith(envFor(emu)).check({}, inputs);
    const failure = result.failures?.find((f) => f.property === property);
    expect(failure).toBeDefined();
    expect(failure?.reason).toContain(property);
    expect(failure?.reason).toMatch(fix);
    // Huge values are quoted shortened, never echoed whole.
    expect(failure?.reason.length ?? 0).toBeLessThan(400);
    expect(emu.log.count()).toBe(0);
  });

  test.each(SETTINGS_ROWS)("$what is refused, naming the setting", async ({ env, keys, fix }) => {
    const emu = emulator();
    const result = await outcome(providerWith(env(emu.baseUrl)).check({}, GOOD));
    expect(result.ok).toBe(false);
    const error = (result as { error: Error }).error;
    expect(isAtlasConfigurationError(error)).toBe(true);
    for (const key of keys) expect(error.message).toContain(key);
    expect(error.message).toMatch(fix);
    expect(leakedSentinels(renderings(error))).toEqual([]);
    expect(emu.log.count()).toBe(0);
  });

  test.each(CONFIG_ROWS)(
    "$what is refused by configure, naming $key",
    async ({ config, key, fix }) => {
      const emu = emulator();
      const provider = providerWith(envFor(emu));
      const result = await outcome(provider.configure(configRequest(config)));
      expect(result.ok).toBe(false);
      const error = (result as { error: Error }).error;
      expect(isAtlasConfigurationError(error) ? error.keys : []).toContain(key);
      expect(error.message).toContain(key);
      expect(error.message).toMatch(fix);
      expect(emu.log.count()).toBe(0);
    },
  );

  it("applies valid retry overrides from Pulumi config to the client it builds", async () => {
    const emu = emulator();
    const seen: unknown[] = [];
    const provider = new OrgInvitationProvider({
      env: envFor(emu),
      createClient: (settings, retry) => {
        seen.push(retry);
        return createAtlasClient(settings, { retry: { ...retry, ...FAST } });
      },
    });
    await provider.configure(
      configRequest({
        "atlasInvitations:maxRetries": "2",
        "atlasInvitations:requestTimeoutMs": "5000",
        "atlasInvitations:deadlineMs": "60000",
      }),
    );
    emu.control.injectFault({ match: { operationId: "getOrgInvite" }, status: 503, times: 3 });
    const result = await outcome(
      provider.read("64b7f1e2a3c4d5e6f7a8b9ff", { ...GOOD, onAccepted: "fail" } as never),
    );
    // The whole policy, resolved once: the defaults with the three settings applied.
    expect(seen).toEqual([
      { ...DEFAULT_RETRY_POLICY, limit: 2, attemptTimeoutMs: 5000, deadlineMs: 60000 },
    ]);
    // Two retries, then the third 503 is the answer.
    expect(result.ok).toBe(false);
    expect(emu.log.count({ operationId: "getOrgInvite", status: 503 })).toBe(3);
  });
});

describe("Atlas's own 400s name the user's input", () => {
  const create = async (emu: ReturnType<typeof emulator>, extra: Record<string, unknown> = {}) =>
    (await harness(emu)).provider.create({ ...GOOD, orgId: emu.orgId, ...extra });

  it("INVALID_USERNAME names username and the address sent", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 400,
      errorCode: "INVALID_USERNAME",
      detail: "Invalid username specified.",
    });
    const result = await outcome(create(emu));
    const error = (result as { error: Error & { property?: string } }).error;
    expect(error.name).toBe("InvitationInputRejectedError");
    expect(error.property).toBe("username");
    expect(error.message).toBe(
      'Atlas rejected username "jane@example.com" (400 INVALID_USERNAME): Invalid username specified.',
    );
    expect(emu.control.invitations(emu.orgId)).toEqual([]);
  });

  it("DOMAIN_NOT_IN_ALLOW_LIST names username and says how to fix it", async () => {
    const emu = emulator();
    emu.control.setDomainAllowList(emu.orgId, ["corp.example"]);
    const result = await outcome(create(emu));
    const error = (result as { error: Error & { property?: string } }).error;
    expect(error.property).toBe("username");
    expect(error.message).toMatch(
      /^Atlas rejected username "jane@example\.com" \(400 DOMAIN_NOT_IN_ALLOW_LIST\): .* invite an address in an allowed domain/,
    );
    expect(emu.control.invitations(emu.orgId)).toEqual([]);
  });

  it("INVALID_ROLE_FOR_ORG names roles and the roles sent", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 400,
      errorCode: "INVALID_ROLE_FOR_ORG",
      detail: "The role ORG_MEMBER is not valid for this organization.",
    });
    const result = await outcome(create(emu));
    const error = (result as { error: Error & { property?: string } }).error;
    expect(error.property).toBe("roles");
    expect(error.message).toMatch(
      /^Atlas rejected roles \["ORG_MEMBER"\] \(400 INVALID_ROLE_FOR_ORG\): .*Use organization roles \(ORG_\*\)/,
    );
  });

  it("INVALID_TEAM_ID names teamIds for a well-formed id of no team in the org", async () => {
    const emu = emulator();
    const result = await outcome(create(emu, { teamIds: ["64b7f1e2a3c4d5e6f7a8b9ff"] }));
    const error = (result as { error: Error & { property?: string } }).error;
    expect(error.property).toBe("teamIds");
    expect(error.message).toContain(
      'Atlas rejected teamIds ["64b7f1e2a3c4d5e6f7a8b9ff"] (400 INVALID_TEAM_ID)',
    );
  });
});

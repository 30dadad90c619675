/**
 * The plugin's configuration, in process: the one settings table read through the plugin's keys
 * (`atlasorginvitations:<setting>`) and worded for its users, values as the engine and the SDKs
 * send them (strings, numbers, wrapped secrets), keys of no setting ignored, and the guard that
 * refuses to start a plugin whose Configure arguments would be dropped.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../host-harness/consumer";
import { AtlasDeadlineError, isAtlasConfigurationError } from "../../provider/errors";
import { engineAddressOf } from "../../provider/plugin/main";
import { checkProviderConfig } from "../../provider/plugin/check-config";
import { withConfigHandlers } from "../../provider/plugin/configure-hook";
import {
  configFromConfigure,
  configFromEnvironment,
  pluginConfigOf,
} from "../../provider/plugin/plugin-config";
import { OrgInvitationPlugin } from "../../provider/plugin/plugin-provider";
import { resolveSettings } from "../../provider/settings";
import { advise } from "../../provider/settings-advice";
import { SETTINGS, configKeys, howToSet, sourceOf } from "../../provider/settings-table";
import type { SettingName } from "../../provider/settings-table";
import { secret } from "./helpers";

const SENTINEL = "sentinel-secret-7f3a";

describe("the plugin's config keys", () => {
  it("are the schema's config variables in the atlasorginvitations namespace", () => {
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, "schema", "schema.json"), "utf8")) as {
      config: { variables: Record<string, unknown> };
    };
    expect([...configKeys("plugin")].sort()).toEqual(
      Object.keys(schema.config.variables)
        .map((k) => `atlasorginvitations:${k}`)
        .sort(),
    );
  });

  it("are named in every message for plugin users, and `onAccepted` stays environment-only", () => {
    for (const name of Object.keys(SETTINGS) as SettingName[]) {
      const words = `${sourceOf(name, "plugin")} ${howToSet(name, "plugin")}`;
      expect(words).not.toMatch(/mongodbatlas:|atlasInvitations:/);
      if (name === "onAccepted") expect(words).not.toContain("atlasorginvitations:");
      else expect(words).toContain(`atlasorginvitations:${name}`);
    }
    expect(howToSet("privateKey", "plugin")).toBe(
      "`pulumi config set --secret atlasorginvitations:privateKey <private key>` " +
        "(or MONGODB_ATLAS_PRIVATE_KEY=<private key> in the environment)",
    );
  });

  it("word the Atlas client's advice for plugin users", () => {
    const error = advise(
      new AtlasDeadlineError({ method: "GET", path: "/x", deadlineMs: 1000, why: "gave up" }),
      "plugin",
    ) as Error;
    expect(error.message).toContain(
      "To change deadlineMs: `pulumi config set atlasorginvitations:deadlineMs <milliseconds>` " +
        "(or ATLAS_INVITATIONS_DEADLINE_MS=<milliseconds> in the environment).",
    );
  });

  it("are what the settings read for the plugin, and the dynamic provider's keys are not", () => {
    const sources = {
      config: {
        "atlasorginvitations:publicKey": "pub",
        "atlasorginvitations:privateKey": SENTINEL,
        "atlasorginvitations:maxRetries": "3",
        "atlasInvitations:maxRetries": "7",
      },
      env: {},
      audience: "plugin" as const,
    };
    const settings = resolveSettings(sources);
    expect(settings.retry.limit).toBe(3);
    expect(settings.atlas.credentials).toMatchObject({ kind: "digest", publicKey: "pub" });
    expect(() =>
      resolveSettings({ ...sources, config: { "mongodbatlas:publicKey": "pub" } }),
    ).toThrow("config `atlasorginvitations:publicKey` or env MONGODB_ATLAS_PUBLIC_KEY");
  });

  it("keep credentials whole from one source: half a pair in config names the plugin's missing key", () => {
    let message = "";
    try {
      resolveSettings({
        config: { "atlasorginvitations:publicKey": "pub" },
        env: { MONGODB_ATLAS_PRIVATE_KEY: SENTINEL },
        audience: "plugin",
      });
    } catch (error) {
      if (isAtlasConfigurationError(error)) message = error.message;
    }
    expect(message).toContain("set config `atlasorginvitations:privateKey` as well");
    expect(message).not.toContain(SENTINEL);
  });
});

describe("values as the engine and the SDKs send them", () => {
  it("turns numbers and booleans into strings, unwraps secrets, and ignores keys of no setting", () => {
    expect(
      pluginConfigOf({
        maxRetries: 2,
        deadlineMs: "5000",
        privateKey: secret(SENTINEL),
        "atlasorginvitations:publicKey": "pub",
        "atlasorginvitations:config:baseUrl": "http://127.0.0.1:1",
        api: true,
        version: "0.1.0",
        onAccepted: "retain",
        somethingNewer: "x",
        clientId: null,
        clientSecret: { nested: "object" },
      }),
    ).toEqual({
      "atlasorginvitations:maxRetries": "2",
      "atlasorginvitations:deadlineMs": "5000",
      "atlasorginvitations:privateKey": SENTINEL,
      "atlasorginvitations:publicKey": "pub",
      "atlasorginvitations:baseUrl": "http://127.0.0.1:1",
      "atlasorginvitations:api": "true",
    });
  });

  it("prefers Configure's args to its deprecated variables, and reads the variables when args are empty", () => {
    const variables = { "atlasorginvitations:config:deadlineMs": "1000" };
    expect(configFromConfigure({ args: { deadlineMs: 2000 }, variables })).toEqual({
      "atlasorginvitations:deadlineMs": "2000",
    });
    expect(configFromConfigure({ args: {}, variables })).toEqual({
      "atlasorginvitations:deadlineMs": "1000",
    });
  });

  it("reads PULUMI_CONFIG, and refuses one that is not a JSON object without quoting it", () => {
    expect(
      configFromEnvironment({ PULUMI_CONFIG: '{"publicKey":"pub","maxRetries":"1"}' }),
    ).toEqual({ "atlasorginvitations:publicKey": "pub", "atlasorginvitations:maxRetries": "1" });
    expect(configFromEnvironment({})).toEqual({});
    for (const bad of [`{"privateKey":"${SENTINEL}"`, `["${SENTINEL}"]`]) {
      let message = "";
      try {
        configFromEnvironment({ PULUMI_CONFIG: bad });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain("PULUMI_CONFIG");
      expect(message).not.toContain(SENTINEL);
    }
  });

  it("lets a bad tuning value in PULUMI_CONFIG fail the first call, naming the plugin's key", async () => {
    const plugin = new OrgInvitationPlugin({
      env: { PULUMI_CONFIG: '{"requestTimeoutMs":"soon"}' },
      logger: {},
    });
    await expect(plugin.check("urn", {}, {})).rejects.toThrow(
      "config `atlasorginvitations:requestTimeoutMs` (requestTimeoutMs) must be a whole number",
    );
  });
});

describe("CheckConfig's failures", () => {
  it("name no property for a refused base URL, so the engine never prints a URL that embeds credentials, and the reason redacts them", () => {
    const { failures } = checkProviderConfig({
      baseUrl: `https://user:${SENTINEL}@cloud.mongodb.com`,
    });
    expect(failures).toHaveLength(1);
    expect(failures[0]?.property).toBe("");
    expect(failures[0]?.reason).toContain(
      "The Atlas base URL from config `atlasorginvitations:baseUrl` must not embed credentials",
    );
    expect(failures[0]?.reason).not.toContain(SENTINEL);
    expect(
      checkProviderConfig({ baseUrl: "http://cloud.mongodb.com" }).failures[0]?.reason,
    ).toContain("uses plain http:// for cloud.mongodb.com");
    expect(checkProviderConfig({ baseUrl: "http://127.0.0.1:8080" }).failures).toEqual([]);
  });

  it("name the missing half of a service account, as a property only when it is not a secret", () => {
    const noSecret = checkProviderConfig({ clientId: "mdb_sa_id" }).failures;
    expect(noSecret).toEqual([{ property: "", reason: expect.any(String) }]);
    expect(noSecret[0]?.reason).toContain(
      "set config `atlasorginvitations:clientSecret` as well, or unset config `atlasorginvitations:clientId`",
    );
    const noId = checkProviderConfig({ clientSecret: SENTINEL }).failures;
    expect(noId).toEqual([{ property: "clientId", reason: expect.any(String) }]);
    expect(noId[0]?.reason).toContain("set config `atlasorginvitations:clientId` as well");
    expect(noId[0]?.reason).not.toContain(SENTINEL);
  });

  it("are none when config holds no credentials (the environment may) or whole ones, blank values counting as unset", () => {
    expect(checkProviderConfig({}).failures).toEqual([]);
    expect(checkProviderConfig({ publicKey: " ", privateKey: "" }).failures).toEqual([]);
    expect(
      checkProviderConfig({
        clientId: "id",
        clientSecret: SENTINEL,
        publicKey: "pub",
        privateKey: "k",
      }).failures,
    ).toEqual([]);
  });

  // Keys of no setting, `onAccepted` among them, are refused: test/plugin/plugin-config-keys.test.ts.
  it("read namespaced keys too, and never wrap the engine's version", () => {
    const { inputs, failures } = checkProviderConfig({
      "atlasorginvitations:privateKey": SENTINEL,
      "atlasorginvitations:publicKey": "pub",
      "atlasorginvitations:deadlineMs": "0",
      version: "0.1.0",
    });
    expect(inputs).toEqual({
      "atlasorginvitations:privateKey": secret(SENTINEL),
      "atlasorginvitations:publicKey": "pub",
      "atlasorginvitations:deadlineMs": "0",
      version: "0.1.0",
    });
    expect(failures.map((f) => f.property)).toEqual(["atlasorginvitations:deadlineMs"]);
  });
});

describe("the process", () => {
  it("finds the engine address among the flags the engine passes", () => {
    expect(engineAddressOf(["127.0.0.1:5000"])).toBe("127.0.0.1:5000");
    expect(engineAddressOf(["--logtostderr", "-v=9", "--tracing", "x:1", "127.0.0.1:5"])).toBe(
      "127.0.0.1:5",
    );
    expect(engineAddressOf(["--logtostderr"])).toBeUndefined();
  });

  it("refuses to start when the SDK registered no ResourceProvider service to answer Configure", () => {
    expect(() =>
      withConfigHandlers(
        { configure: () => undefined, checkConfig: (news) => ({ inputs: news, failures: [] }) },
        () => Promise.resolve(),
      ),
    ).toThrow("cannot read its Configure arguments");
  });

  it("names the paths it tried when the schema is missing", async () => {
    const plugin = new OrgInvitationPlugin({
      schemaPaths: ["/nonexistent/schema.json"],
      logger: {},
    });
    await expect(plugin.getSchema()).rejects.toThrow("/nonexistent/schema.json");
  });
});

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
import { withConfigureHandler } from "../../provider/plugin/configure-hook";
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
      withConfigureHandler(
        () => undefined,
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

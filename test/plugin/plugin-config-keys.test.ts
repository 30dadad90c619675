/**
 * Keys of the `atlasorginvitations:` namespace that are not settings, over real gRPC (the plugin
 * started through its wrapper, CheckConfig as the engine sends it): a misspelt key used to be
 * ignored without a word, so `atlasorginvitations:baseURL` left the plugin on Atlas's default base
 * URL after a clean preview. Each is now a check failure naming the key, the setting it is nearest
 * to and the fix, without a `property` (the engine would print the value, and a misspelt
 * `privatekey` holds a private key), and never quoting the value. The engine's own keys pass.
 */
import { checkConfig, ensureBuilt, secret, startFakeEngine, startPlugin } from "./helpers";
import type { CheckConfigAnswer, FakeEngine, RunningPlugin } from "./helpers";

jest.setTimeout(60_000);

const SENTINEL = `sentinel-misspelt-key-${process.pid}-4c1e`;
/** A default provider's name, as the engine makes it for version 0.1.0 (providers.DefaultName). */
const DEFAULT = "default_0_1_0";
const URL = "http://127.0.0.1:9";

let engine: FakeEngine;
let plugin: RunningPlugin;
/** Every failure the plugin answered, for the sentinel check. */
const answers: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  engine = await startFakeEngine();
  plugin = await startPlugin(engine);
}, 180_000);

afterEach(() => {
  const seen = [...answers, plugin.stdout(), plugin.stderr(), ...engine.logs.map((l) => l.message)];
  expect(seen.join("\n")).not.toContain(SENTINEL);
});

afterAll(async () => {
  await plugin.stop();
  await engine.close();
});

async function check(news: Record<string, unknown>, name = DEFAULT): Promise<CheckConfigAnswer> {
  const answer = await checkConfig(plugin, news, name);
  // The failures only: the inputs hold the value itself, as a secret the engine encrypts.
  answers.push(JSON.stringify(answer.failures));
  return answer;
}

/** The one failure of `answer`. */
function only(answer: CheckConfigAnswer): { property: string; reason: string } {
  expect(answer.failures).toHaveLength(1);
  return answer.failures[0] ?? { property: "?", reason: "" };
}

describe("CheckConfig on a key of the namespace that is not a setting", () => {
  it("refuses atlasorginvitations:baseURL on a default provider, naming baseUrl and the two config commands", async () => {
    const failure = only(await check({ baseURL: URL, version: "0.1.0" }));
    expect(failure.property).toBe("");
    expect(failure.reason).toContain(
      "config `atlasorginvitations:baseURL` is not a setting of the atlasorginvitations provider; " +
        "did you mean `baseUrl`? To fix, run `pulumi config rm atlasorginvitations:baseURL`, " +
        "then `pulumi config set atlasorginvitations:baseUrl <url>`",
    );
    expect(failure.reason).toContain(
      "The settings are: baseUrl, publicKey, privateKey, clientId, clientSecret, maxRetries, " +
        "requestTimeoutMs, deadlineMs, api.",
    );
    expect(failure.reason).not.toContain(URL);
  });

  it("refuses deadlinems, naming deadlineMs", async () => {
    const failure = only(await check({ deadlinems: "5" }));
    expect(failure).toEqual({
      property: "",
      reason: expect.stringContaining("did you mean `deadlineMs`?"),
    });
    expect(failure.reason).toContain(
      "`pulumi config set atlasorginvitations:deadlineMs <milliseconds>`",
    );
  });

  it("refuses a misspelt privatekey beside the half-set pair it leaves, never naming it as a property nor quoting its value, and returns its value as a secret", async () => {
    const answer = await check({ publicKey: "pub", privatekey: SENTINEL });
    expect(answer.failures.map((f) => f.property)).toEqual(["", ""]);
    const [misspelt, half] = answer.failures.map((f) => f.reason);
    expect(misspelt).toContain(
      "config `atlasorginvitations:privatekey` is not a setting of the atlasorginvitations provider; " +
        "did you mean `privateKey`? To fix, run `pulumi config rm atlasorginvitations:privatekey`, " +
        "then `pulumi config set --secret atlasorginvitations:privateKey <private key>`",
    );
    expect(half).toContain("atlasorginvitations:privateKey");
    expect(answer.inputs).toEqual({ publicKey: "pub", privatekey: secret(SENTINEL) });
    expect(JSON.stringify(answer.failures)).not.toContain(SENTINEL);
  });

  it("finds the setting whatever the letter case, and names none for a key far from every setting", async () => {
    expect(only(await check({ BASEURL: URL })).reason).toContain("did you mean `baseUrl`?");
    const far = only(await check({ colour: "blue" })).reason;
    expect(far).toContain(
      "config `atlasorginvitations:colour` is not a setting of the atlasorginvitations provider; " +
        "run `pulumi config rm atlasorginvitations:colour`. The settings are: baseUrl,",
    );
    expect(far).not.toContain("did you mean");
  });

  it("words the fix as the argument to rename on an explicit provider resource", async () => {
    const failure = only(await check({ baseURL: URL }, "p"));
    expect(failure.property).toBe("");
    expect(failure.reason).toContain(
      'the argument `baseURL` of provider "p" is not a setting of the atlasorginvitations provider; ' +
        "did you mean `baseUrl`? To fix, rename the argument `baseURL` to `baseUrl`.",
    );
    expect(failure.reason).not.toContain("pulumi config");
  });

  it("refuses onAccepted, which is environment-only, pointing at the resource property and ATLAS_INVITATIONS_ON_ACCEPTED", async () => {
    for (const key of ["onAccepted", "onaccepted"]) {
      const failure = only(await check({ [key]: "retain" }));
      expect(failure.property).toBe("");
      expect(failure.reason).toContain(
        `config \`atlasorginvitations:${key}\`: onAccepted is not a provider setting: it is a ` +
          "property of each OrgInvitation resource, or an environment variable for a whole command. " +
          `To fix, run \`pulumi config rm atlasorginvitations:${key}\`; then set the resource ` +
          "property `onAccepted` (`on_accepted` in Python) to `retain`",
      );
      expect(failure.reason).toContain("ATLAS_INVITATIONS_ON_ACCEPTED=retain");
    }
    expect(only(await check({ onAccepted: "retain" }, "p")).reason).toContain(
      'the argument `onAccepted` of provider "p": onAccepted is not a provider setting',
    );
  });

  it("passes the keys the engine itself adds (version, pluginDownloadURL, pluginChecksums) and every setting, unchanged but for the secrets", async () => {
    const news = {
      version: "0.1.0",
      pluginDownloadURL: "https://example.invalid/plugins",
      pluginChecksums: { "linux-amd64": "ab" },
      baseUrl: URL,
      publicKey: "pub",
      privateKey: SENTINEL,
      maxRetries: 3,
      requestTimeoutMs: "1000",
      deadlineMs: "2000",
      api: "auto",
    };
    const answer = await check(news);
    expect(answer.failures).toEqual([]);
    expect(answer.inputs).toEqual({ ...news, privateKey: secret(SENTINEL) });
  });
});

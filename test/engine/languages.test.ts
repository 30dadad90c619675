/**
 * The Python, Go and YAML examples (examples/python, examples/go, examples/yaml), each declaring
 * one `OrgInvitation` with its generated SDK, run by the real `pulumi` CLI with the resource
 * provider plugin (plugin/, issue 21 item 5), the emulator as Atlas. Per language: `up` creates
 * the invitation, `refresh` after the person accepts records it accepted, `destroy` is refused
 * and deletes nothing, and the sentinel private key (set with `pulumi config set --secret
 * atlasorginvitations:privateKey`) is nowhere in `pulumi stack export`, the backend's files,
 * `PULUMI_HOME`, the project folder or what the CLI printed.
 *
 * The toolchains (language-hosts/index.ts) are prepared, or found in the cache, while the file
 * is collected, so that a language whose toolchain cannot be prepared is reported as a skipped
 * test naming the reason. `.ci/run` prepares them before the tests, on a line of its own.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { LANGUAGES, REPO_DIR } from "../../language-hosts";
import type { ToolchainStatus } from "../../language-hosts";
import { LanguageStack } from "../../language-hosts/stack";
import type { LanguageRun } from "../../language-hosts/stack";
import { useCli, useHostEmulator } from "./helpers";
import { takeLog } from "../host/helpers";

const SENTINEL_PRIVATE_KEY = "SENTINEL-PLUGIN-PRIVATE-KEY-4f2d";
const TYPE = "atlasorginvitations:index:OrgInvitation";
/** A cold preparation builds two Go programs; a warm one only hashes a few files. */
const PREPARE_TIMEOUT_MS = 40 * 60_000;
/** One CLI command of a program takes seconds; generous, since other suites share the cores. */
const STEP_TIMEOUT_MS = 180_000;

/** The toolchains' statuses, from `npm run language-hosts -- --json` (its progress on stderr). */
function prepareToolchains(): ToolchainStatus[] {
  const result = spawnSync(
    process.execPath,
    [require.resolve("tsx/cli"), join(REPO_DIR, "language-hosts", "main.ts"), "--json"],
    {
      cwd: REPO_DIR,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      timeout: PREPARE_TIMEOUT_MS,
    },
  );
  const line = result.stdout?.trim().split("\n").pop();
  if (!line?.startsWith("["))
    return LANGUAGES.map((language) => ({
      language,
      ok: false,
      reason: `language-hosts/main.ts ended (${result.error?.message ?? `exit ${result.status}`}) without statuses`,
    }));
  return JSON.parse(line) as ToolchainStatus[];
}

const STATUSES = prepareToolchains();

/** The engine's exit code and output, for a failed expectation. */
function explain(run: LanguageRun): string {
  return `exit ${run.exitCode}\n--- stdout ---\n${run.stdout.slice(-3000)}\n--- stderr ---\n${run.stderr.slice(-3000)}`;
}

function expectExit(run: LanguageRun, code: number): void {
  if (run.exitCode !== code) throw new Error(`expected exit ${code}, got ${explain(run)}`);
}

function expectNoSentinel(where: string, text: string): void {
  if (text.includes(SENTINEL_PRIVATE_KEY))
    throw new Error(`${where} contains the sentinel private key:\n${text.slice(0, 2000)}`);
}

describe.each(LANGUAGES)("the %s example under the real CLI with the plugin", (language) => {
  const status = STATUSES.find((s) => s.language === language);
  if (!status?.ok) {
    const reason = status?.reason ?? "no status reported";
    console.warn(`[languages] the ${language} example's engine tests are skipped: ${reason}`);
    it.skip(`is skipped: the ${language} toolchain could not be prepared (${reason.split("\n")[0]})`, () => {
      // Never runs: the name carries the reason.
    });
    return;
  }
  const toolchain = status.toolchain;
  const cli = useCli();
  const t = useHostEmulator({
    prefix: `engine-languages-${language}-`,
    emulator: { privateKey: SENTINEL_PRIVATE_KEY },
  });
  const username = `${language}-person@example.com`;
  const runs: LanguageRun[] = [];
  /** Requests Atlas answered 200 to a Digest-signed request, over every log taken. */
  let digestAnswered = 0;
  const take = () => {
    const log = takeLog(t.emulator);
    digestAnswered += log.filter((e) => e.auth === "digest" && e.status === 200).length;
    return log;
  };
  let stack: LanguageStack;
  let invitationId: string;

  const stateOf = async () => {
    const deployment = await stack.exportState();
    return (deployment.resources ?? []).filter((r) => r.type === TYPE);
  };
  const run = async (command: "up" | "refresh" | "destroy"): Promise<LanguageRun> => {
    const result = await stack.run(command);
    runs.push(result);
    return result;
  };

  beforeAll(async () => {
    stack = await LanguageStack.create({ toolchain, cli: cli(), dir: join(t.dir, language) });
    await stack.setConfig(
      {
        orgId: t.emulator.orgId,
        username,
        "atlasorginvitations:baseUrl": t.emulator.baseUrl,
        "atlasorginvitations:publicKey": t.emulator.credentials.publicKey,
      },
      { "atlasorginvitations:privateKey": SENTINEL_PRIVATE_KEY },
    );
    takeLog(t.emulator);
  }, 60_000);

  it("runs without any other language host than YAML's on the CLI's PATH", () => {
    const path = (stack.env()["PATH"] ?? "").split(delimiter).filter(Boolean);
    const hosts = (name: string) => path.filter((dir) => existsSync(join(dir, name)));
    expect(hosts("pulumi-language-python")).toEqual([]);
    expect(hosts("pulumi-language-go")).toEqual([]);
    expect(hosts("pulumi-language-nodejs")).toEqual([]);
    expect(hosts("pulumi-language-yaml")).toEqual(
      toolchain.language === "yaml" ? [toolchain.binDir] : [],
    );
  });

  it(
    "up creates one pending invitation with one write to Atlas and exports its id",
    async () => {
      const up = await run("up");
      expectExit(up, 0);
      // The default emulator's org serves the invites API, which the `auto` backend picks.
      const writes = take().filter((e) => e.method !== "GET" && !e.challenged);
      expect(writes.map((e) => `${e.method} ${e.operationId}`)).toEqual(["POST createOrgInvite"]);
      const invitations = t.emulator.control
        .invitations(t.emulator.orgId)
        .filter((i) => i.username === username);
      expect(invitations.map((i) => i.roles)).toEqual([["ORG_MEMBER"]]);

      const outputs = await stack.outputs();
      expect(outputs).toEqual({ invitationId: invitations[0]?.id, status: "PENDING" });
      invitationId = String(outputs["invitationId"]);
      const state = await stateOf();
      expect(state.map((r) => [r.urn.split("::").pop(), r.id, r.outputs?.["status"]])).toEqual([
        ["invitation", invitationId, "PENDING"],
      ]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "refresh after the person accepts records the invitation as accepted, with no write",
    async () => {
      t.emulator.control.acceptInvitation(t.emulator.orgId, username);
      const refresh = await run("refresh");
      expectExit(refresh, 0);
      expect(take().filter((e) => e.method !== "GET" && !e.challenged)).toEqual([]);
      const state = await stateOf();
      expect(state.map((r) => [r.id, r.outputs?.["status"]])).toEqual([[invitationId, "ACCEPTED"]]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "destroy is refused: a non-zero exit naming the person, no DELETE, the member and the state kept",
    async () => {
      const destroy = await run("destroy");
      expect(destroy.exitCode).not.toBe(0);
      const printed = `${destroy.stdout}\n${destroy.stderr}`;
      expect(printed).toContain(
        `${username} accepted the invitation to organization ${t.emulator.orgId}`,
      );
      const log = take();
      // The refusal was decided from Atlas's answers, not before asking.
      expect(log.some((e) => e.method === "GET" && !e.challenged)).toBe(true);
      expect(log.filter((e) => e.method === "DELETE")).toEqual([]);
      expect(log.filter((e) => e.method !== "GET" && !e.challenged)).toEqual([]);
      const member = t.emulator.control
        .users(t.emulator.orgId)
        .find((u) => u.username === username);
      expect(member?.orgMembershipStatus).toBe("ACTIVE");
      expect((await stateOf()).map((r) => r.id)).toEqual([invitationId]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "keeps the sentinel private key out of stack export, every file of the stack and the CLI's output",
    async () => {
      // The runs authenticated with the sentinel (Digest, answered 200): the checks are not vacuous.
      expect(runs.map((r) => r.exitCode === 0)).toEqual([true, true, false]);
      expect(digestAnswered).toBeGreaterThan(0);
      expect(t.emulator.credentials.privateKey).toBe(SENTINEL_PRIVATE_KEY);
      const deployment = await stack.exportState();
      const provider = deployment.resources?.find(
        (r) => r.type === "pulumi:providers:atlasorginvitations",
      );
      expect(provider).toBeDefined();
      expectNoSentinel("pulumi stack export", JSON.stringify(deployment));
      const files = await stack.files();
      expect(files.some((f) => f.path.includes(join(".pulumi", "stacks")))).toBe(true);
      expect(files.some((f) => f.path.endsWith(`Pulumi.${stack.stack}.yaml`))).toBe(true);
      for (const file of files) expectNoSentinel(file.path, file.text);
      for (const [i, r] of runs.entries()) {
        expectNoSentinel(`run ${i}'s stdout`, r.stdout);
        expectNoSentinel(`run ${i}'s stderr`, r.stderr);
      }
    },
    STEP_TIMEOUT_MS,
  );
});

/**
 * `npm run demo`: the main job on the embedded default. Starts the Atlas emulator on loopback,
 * installs this package the way a user does (npm pack + install), and runs the root Pulumi
 * project's stack (`Pulumi.yaml`, config from `Pulumi.emulator.yaml`) under the real Pulumi
 * engine: the `pulumi` CLI (on PATH, or built once from its Go module: pulumi-cli/index.ts), one
 * CLI process per step, a file backend in a temp folder. Steps: preview, up, two people accept
 * their invitations in "Atlas", refresh, destroy. Prints each step as the engine reported it (its
 * events) with the CLI's exit code, and a final table of what happened to every invitation.
 * Exits 0 when every step behaved as documented (the refusal included), 1 otherwise.
 *
 * `npm run demo -- --api users` runs the same on the org users API (`atlasInvitations:api`), the
 * invites API's replacement; `--api auto` (the default) and `--api invites` are the others.
 * `npm run demo -- --help` prints the usage.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { startEmulator } from "../emulator";
import { parseDeclaration, resourceName } from "../examples/stack/declarations";
import { REPO_ROOT, prepareConsumer } from "../host-harness";
import { CliStack, type CommandResult, type ResourceStep } from "../host-harness/cli-stack";
import { ensurePulumiCli } from "../pulumi-cli";

const PROJECT = "atlas-org-invitations";
const SECRET_KEYS = ["mongodbatlas:privateKey", "mongodbatlas:clientSecret"];

const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (title: string): void => console.log(`\n${bold(`== ${title}`)}`);

/**
 * The sign Pulumi's CLI puts before a resource row (`RawPrefix` in pulumi/pulumi
 * pkg/resource/deploy/step.go): `+` create, `~` update and refresh, `-` delete, `+-` replace, and
 * blank for same. A failed step keeps the sign of what it attempted, as "deleting failed" does.
 */
const SIGNS: Record<string, string> = {
  create: "+",
  update: "~",
  delete: "-",
  replace: "+-",
  "create-replacement": "++",
  "delete-replaced": "--",
  refresh: "~",
  read: ">",
  same: "",
};

function printSteps(steps: readonly ResourceStep[]): void {
  for (const s of steps) {
    const op = s.planned === "refresh" ? "refresh" : s.op;
    const sign = SIGNS[op] ?? "?";
    const before = s.oldOutputs?.["status"];
    const after = s.outputs?.["status"];
    const change = op === "refresh" && before !== after ? `  status ${before} -> ${after}` : "";
    console.log(
      `  ${sign.padEnd(2)} ${s.name.padEnd(32)} ${op}${s.failed ? " failed" : ""}${change}`,
    );
    for (const e of s.errors) console.log(`       error: ${e.replace(/\n/g, "\n       ")}`);
    for (const w of s.warnings) console.log(`       warning: ${w.replace(/\n/g, "\n       ")}`);
  }
}

/** Warnings the engine reported for no resource in particular (the provider's Sunset notice, say). */
function printStackWarnings(result: CommandResult): void {
  const seen = new Set<string>();
  for (const e of result.events) {
    const d = e.diagnosticEvent;
    // The provider writes its warnings to stderr as `warning: ...` lines, which the engine passes
    // on as `info#err` diagnostics.
    const warning = d && (d.severity === "warning" || d.message.startsWith("warning:"));
    if (!d || !warning) continue;
    if (d.urn && result.steps.some((s) => s.urn === d.urn)) continue;
    const text = d.message.trim().replace(/^warning: /, "");
    if (seen.has(text)) continue;
    seen.add(text);
    console.log(`  warning: ${text}`);
  }
}

const APIS = ["auto", "invites", "users"] as const;
type Api = (typeof APIS)[number];

const USAGE = `Usage: npm run demo [-- [--api ${APIS.join("|")}] [--help]]

Runs preview, up, refresh and destroy of the root Pulumi project's stack (config from
Pulumi.emulator.yaml) against a local Atlas emulator under the real pulumi CLI (on PATH, or built
once from its Go module; see npm run pulumi-cli), then prints what happened to each invitation.
No network: a file backend in a temp folder, passphrase secrets.
Exits 0 when every step behaved as documented, 1 otherwise, 2 on a usage error.

Options:
  --api <api>  which Atlas API the provider uses (atlasInvitations:api); default: auto
                 auto     the invites API while Atlas serves it, then the org users API
                 invites  the invites API only (deprecated: it carries a Sunset date)
                 users    the org users API, the invites API's replacement
  -h, --help   print this help and exit
`;

/** The command line, read with node's own util.parseArgs; a bad flag is a usage error. */
function parseCommandLine(argv: string[]): { help: true } | { help: false; api: Api } {
  const { values } = parseArgs({
    args: argv,
    options: {
      api: { type: "string", default: "auto" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return { help: true };
  const api = APIS.find((a) => a === values.api);
  if (!api) throw new Error(`--api must be one of ${APIS.join(", ")} (got "${values.api}")`);
  return { help: false, api };
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseCommandLine>;
  try {
    args = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    // A usage error exits 2, as the generate CLI's do; 1 means a step misbehaved.
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const { api } = args;
  const stackFile = parse(await readFile(join(REPO_ROOT, "Pulumi.emulator.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const declaration = parseDeclaration(
    String(stackFile.config[`${PROJECT}:orgId`]),
    stackFile.config[`${PROJECT}:invitations`],
    `${PROJECT}:invitations`,
  );

  step("Starting the Atlas emulator on loopback");
  const emulator = await startEmulator();
  console.log(`  ${emulator.baseUrl}  (org ${emulator.orgId})`);
  const dir = await mkdtemp(join(tmpdir(), "atlas-invitations-demo-"));
  try {
    step("Finding the pulumi CLI (built from its Go module on the first run)");
    const cli = await ensurePulumiCli({ onProgress: (line) => console.log(`  ${line}`) });
    console.log(`  pulumi v${cli.version} (${cli.source}): ${cli.binary}`);

    step("Installing the package as a user would (npm pack, npm install)");
    const consumer = await prepareConsumer();
    console.log(
      `  installed ${consumer.tarball.split("/").pop()} with @pulumi/pulumi ${consumer.pulumiVersion}`,
    );

    // The stack's own config, pointed at this run's emulator port.
    const config: Record<string, string> = {
      "mongodbatlas:baseUrl": emulator.baseUrl,
      "mongodbatlas:publicKey": String(stackFile.config["mongodbatlas:publicKey"]),
      "mongodbatlas:privateKey": String(stackFile.config["mongodbatlas:privateKey"]),
      "atlasInvitations:api": api,
    };
    console.log(`  atlasInvitations:api = ${api}`);
    const stack = await CliStack.create({
      consumer,
      cli,
      dir,
      project: PROJECT,
      stack: "emulator",
    });
    await stack.setConfig(config, SECRET_KEYS);
    console.log(`  stack ${PROJECT}/emulator, file backend in ${stack.backendDir}`);
    const program = declaration.invitations.map((entry) => ({
      name: resourceName(entry.username),
      args: { orgId: declaration.orgId, ...entry },
    }));
    const apiCalls = (): string => {
      const entries = emulator.log
        .entries()
        .filter((e) => e.operationId !== undefined && e.status !== 401);
      emulator.log.clear();
      const counts = new Map<string, number>();
      for (const e of entries) {
        const key = `${e.method} ${e.operationId}${e.status >= 300 ? ` ${e.status}` : ""}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return [...counts].map(([k, n]) => `${n}x ${k}`).join(", ") || "none";
    };
    const ok: boolean[] = [];
    const report = (result: CommandResult, expectedExit: number): void => {
      printSteps(result.steps);
      printStackWarnings(result);
      console.log(`  Atlas calls: ${apiCalls()}`);
      console.log(
        `  pulumi ${result.command} exited ${result.exitCode}` +
          (expectedExit !== 0 ? ` (expected: the refused delete)` : "") +
          `, ${(result.ms / 1000).toFixed(1)} s`,
      );
      ok.push(result.exitCode === expectedExit);
    };

    step("pulumi preview");
    const preview = await stack.preview(program);
    report(preview, 0);
    ok.push(
      preview.steps.length === program.length && preview.steps.every((r) => r.op === "create"),
    );

    step("pulumi up");
    const up = await stack.up(program);
    report(up, 0);
    ok.push(
      up.steps.length === program.length && up.steps.every((r) => r.op === "create" && !r.failed),
    );

    const [first, second] = declaration.invitations;
    step(`In Atlas: ${first?.username} and ${second?.username} accept their invitations`);
    for (const entry of [first, second])
      if (entry) emulator.control.acceptInvitation(emulator.orgId, entry.username);

    step("pulumi refresh");
    const refresh = await stack.refresh();
    report(refresh, 0);
    const statusAfterRefresh = new Map(
      refresh.steps.map((r) => [r.name, String(r.outputs?.["status"] ?? "-")]),
    );
    ok.push(refresh.steps.length === program.length && refresh.steps.every((r) => !r.failed));

    step("pulumi destroy");
    // The refused delete of an accepted invitation under onAccepted "fail" is an error: the CLI
    // exits 1 and keeps that resource in the stack, after deleting the others.
    const mustRefuse = declaration.invitations.some(
      (entry) =>
        (entry.onAccepted ?? "fail") === "fail" &&
        statusAfterRefresh.get(resourceName(entry.username)) === "ACCEPTED",
    );
    const destroy = await stack.destroy();
    report(destroy, mustRefuse ? 1 : 0);

    step("What happened to each invitation");
    const members = emulator.control.users(emulator.orgId);
    const rows = declaration.invitations.map((entry) => {
      const name = resourceName(entry.username);
      const deleted = destroy.steps.find((r) => r.name === name);
      const member = members.find((u) => u.username === entry.username);
      const policy = entry.onAccepted ?? "fail";
      const outcome = deleted?.failed
        ? "destroy refused: accepted (kept in state)"
        : statusAfterRefresh.get(name) === "ACCEPTED"
          ? "accepted: member left in place, resource removed"
          : "pending: invitation cancelled";
      return [
        entry.username,
        policy,
        statusAfterRefresh.get(name) ?? "-",
        outcome,
        member?.orgMembershipStatus ?? "not a member",
      ];
    });
    const header = ["username", "onAccepted", "after refresh", "destroy", "in Atlas now"];
    const widths = header.map((h, i) =>
      Math.max(h.length, ...rows.map((r) => String(r[i]).length)),
    );
    const line = (cells: string[]): string =>
      `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")}`;
    console.log(line(header));
    console.log(line(widths.map((w) => "-".repeat(w))));
    for (const r of rows) console.log(line(r));

    // What the documentation promises: "fail" refuses, "retain" leaves the member, pending ones are
    // cancelled, and no member is ever removed.
    for (const entry of declaration.invitations) {
      const name = resourceName(entry.username);
      const accepted = statusAfterRefresh.get(name) === "ACCEPTED";
      const refused = destroy.steps.find((r) => r.name === name)?.failed === true;
      ok.push(accepted ? refused === ((entry.onAccepted ?? "fail") === "fail") : !refused);
      ok.push(
        !accepted ||
          members.some((u) => u.username === entry.username && u.orgMembershipStatus === "ACTIVE"),
      );
    }
    // The org users API cancels a pending invitation by removing the pending user; a member is
    // never removed on either API.
    ok.push(emulator.stats().activeUserRemovals === 0);
    console.log(`  members removed: ${emulator.stats().activeUserRemovals}`);
    const remaining = [...(await stack.invitationsInState()).keys()];
    console.log(`\n  state after destroy: ${remaining.length ? remaining.join(", ") : "empty"}`);
    if (ok.every(Boolean)) {
      console.log(`\n${bold("Demo finished: every step behaved as documented.")}`);
    } else {
      console.log(
        `\n${bold("Demo finished, but a step did not behave as documented (see above).")}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/**
 * `npm run demo`: the main job on the embedded default. Starts the Atlas emulator on loopback,
 * installs this package the way a user does (npm pack + install), and runs the root Pulumi
 * project's stack (`Pulumi.yaml`, config from `Pulumi.emulator.yaml`) through the SDK's real
 * dynamic-provider host: preview, up, two people accept their invitations in "Atlas", refresh,
 * destroy. Prints each step and a final table of what happened to every invitation.
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
import {
  Engine,
  REPO_ROOT,
  prepareConsumer,
  serializeDeclarations,
  startConfiguredHost,
  type Op,
  type StepReport,
} from "../host-harness";

const PROJECT = "atlas-org-invitations";
const SECRET_KEYS = ["mongodbatlas:privateKey", "mongodbatlas:clientSecret"];

const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (title: string): void => console.log(`\n${bold(`== ${title}`)}`);

/**
 * The sign Pulumi's CLI puts before a resource row (`RawPrefix` in pulumi/pulumi
 * pkg/resource/deploy/step.go): `+` create, `~` update, `-` delete, `+-` replace, `~` refresh, and
 * blank for same. A refresh that finds the resource gone is a delete (`RefreshStep.ResultOp`). A
 * failed step keeps the sign of what it attempted, as Pulumi's "deleting failed" row does.
 */
const SIGNS: Record<Exclude<Op, "failed">, string> = {
  create: "+",
  update: "~",
  delete: "-",
  replace: "+-",
  refresh: "~",
  drop: "-",
  same: "",
};

function printReports(reports: StepReport[]): void {
  for (const r of reports) {
    const sign = SIGNS[r.op === "failed" ? (r.attempted ?? "same") : r.op];
    const op = r.op === "failed" ? `failed${r.attempted ? ` (${r.attempted})` : ""}` : r.op;
    console.log(`  ${sign.padEnd(2)} ${r.name.padEnd(32)} ${op}`);
    if (r.error) console.log(`       ${r.error.replace(/\n/g, "\n       ")}`);
  }
}

/** The `warning:` lines the step's host process wrote, printed under that step. */
function printWarnings(stderr: string): void {
  for (const w of stderr.split("\n").filter((l) => l.startsWith("warning:"))) console.log(`  ${w}`);
}

const APIS = ["auto", "invites", "users"] as const;
type Api = (typeof APIS)[number];

const USAGE = `Usage: npm run demo [-- [--api ${APIS.join("|")}] [--help]]

Runs preview, up, refresh and destroy of the root Pulumi project's stack (config from
Pulumi.emulator.yaml) against a local Atlas emulator, through @pulumi/pulumi's real dynamic-provider
host, then prints what happened to each invitation. No network, no Pulumi CLI.
Exits 0 when every step behaved as documented, 1 otherwise.

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
    process.exitCode = 1;
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
    const program = await serializeDeclarations(
      consumer,
      declaration.invitations.map((entry) => ({
        name: resourceName(entry.username),
        args: { orgId: declaration.orgId, ...entry },
      })),
    );
    const engine = new Engine({
      startHost: () => startConfiguredHost(consumer, { config, secretKeys: SECRET_KEYS }),
      statePath: join(dir, "state.json"),
      project: PROJECT,
      stack: "emulator",
    });
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
    // Each CLI step is its own host process, so the provider's once-per-process warnings (the
    // Sunset notice) come once per step: print what this step's host wrote under this step.
    let stderrSeen = 0;
    const stepWarnings = (): void => {
      const { stderr } = engine.hostOutput();
      printWarnings(stderr.slice(stderrSeen));
      stderrSeen = stderr.length;
    };
    const ok: boolean[] = [];

    step("pulumi preview");
    const preview = await engine.preview(program);
    printReports(preview);
    console.log(`  Atlas calls: ${apiCalls()}`);
    stepWarnings();
    ok.push(preview.every((r) => r.op === "create"));

    step("pulumi up");
    const up = await engine.up(program);
    printReports(up);
    console.log(`  Atlas calls: ${apiCalls()}`);
    stepWarnings();
    ok.push(up.every((r) => r.op === "create"));

    const [first, second] = declaration.invitations;
    step(`In Atlas: ${first?.username} and ${second?.username} accept their invitations`);
    for (const entry of [first, second])
      if (entry) emulator.control.acceptInvitation(emulator.orgId, entry.username);

    step("pulumi refresh");
    const refresh = await engine.refresh();
    printReports(refresh);
    console.log(`  Atlas calls: ${apiCalls()}`);
    stepWarnings();
    const statusAfterRefresh = new Map(
      Object.entries(engine.state.resources).map(([name, r]) => [
        name,
        String(r.outputs["status"]),
      ]),
    );
    ok.push(refresh.every((r) => r.op === "refresh"));

    step("pulumi destroy");
    const destroy = await engine.destroy();
    printReports(destroy);
    console.log(`  Atlas calls: ${apiCalls()}`);
    stepWarnings();

    step("What happened to each invitation");
    const members = emulator.control.users(emulator.orgId);
    const rows = declaration.invitations.map((entry) => {
      const name = resourceName(entry.username);
      const report = destroy.find((r) => r.name === name);
      const member = members.find((u) => u.username === entry.username);
      const policy = entry.onAccepted ?? "fail";
      const outcome =
        report?.op === "failed"
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
      const refused = destroy.find((r) => r.name === name)?.op === "failed";
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
    const remaining = Object.keys(engine.state.resources);
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

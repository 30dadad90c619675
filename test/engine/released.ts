/**
 * Shared by the engine suites that start from the released package (upgrade.test.ts,
 * migration.test.ts): the pinned 0.1.0 tarball, its checks, the switch of a stack's project
 * folder to another install (what `npm install` of a new version does), and the provider
 * messages those suites count.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, realpath, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PACKAGE_NAME, REPO_ROOT } from "../../host-harness";
import type { Consumer } from "../../host-harness";
import { CliStack } from "../../host-harness/cli-stack";
import type { CommandResult } from "../../host-harness/cli-stack";
import type { PulumiCli } from "../../pulumi-cli";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "released");
export const RELEASED_TARBALL = join(FIXTURES, `${PACKAGE_NAME}-0.1.0.tgz`);
/** The current package's warning when a 410 moves it to the org users API. */
export const MOVE_WARNING = /Atlas answered 410 Gone for the invitations API/;

/** Every diagnostic the engine reported during a command (provider stderr included), one per event. */
export const diagnostics = (result: CommandResult): string[] =>
  result.events.flatMap((e) => (e.diagnosticEvent ? [e.diagnosticEvent.message] : []));
export const count = (messages: readonly string[], pattern: RegExp): number =>
  messages.filter((m) => pattern.test(m)).length;

/** The real path of the package the stack's project folder loads. */
export const installedIn = (stack: CliStack): Promise<string> =>
  realpath(join(stack.workDir, "node_modules", PACKAGE_NAME));

/**
 * The stack's project runs the released 0.1.0: byte for byte the pinned tarball, version 0.1.0,
 * no org users backend.
 */
export async function expectReleasedProject(released: Consumer, stack: CliStack): Promise<void> {
  const [pinned] = (await readFile(join(FIXTURES, "SHA256SUMS"), "utf8")).split(/\s+/);
  const actual = createHash("sha256")
    .update(await readFile(RELEASED_TARBALL))
    .digest("hex");
  expect(actual).toBe(pinned);
  expect(released.tarballSha256).toBe(pinned);
  expect(await installedIn(stack)).toBe(await realpath(released.packageDir));
  const manifest = JSON.parse(
    await readFile(join(released.packageDir, "package.json"), "utf8"),
  ) as { version: string };
  expect(manifest.version).toBe("0.1.0");
  expect(existsSync(join(released.packageDir, "dist", "backends"))).toBe(false);
}

/**
 * What `npm install` of a new version does to the project: node_modules now holds `consumer`'s
 * packages. The project folder, its stack config and the backend stay; the stack is returned
 * anew over the same folder.
 */
export async function switchInstall(
  stack: CliStack,
  consumer: Consumer,
  cli: PulumiCli,
): Promise<CliStack> {
  await unlink(join(stack.workDir, "node_modules"));
  const next = await CliStack.create({
    consumer,
    cli,
    dir: dirname(stack.workDir),
    stack: stack.stack,
  });
  expect(await installedIn(next)).toBe(await realpath(consumer.packageDir));
  return next;
}

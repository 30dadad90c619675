/**
 * `pulumi import` with the resource provider plugin (issue 21, item 6), under the real Pulumi
 * engine against the emulator, on each API: invitations an admin made outside Pulumi (straight to
 * the Atlas API) are imported by id, `<orgId>/<invitationId>` on the invites API and
 * `<orgId>/<userId>` (the pending user) on the org users API, one on the command line and two
 * from an import file. Nothing is written to Atlas, no new invitation appears, and the next `up`
 * with the same declarations changes nothing and sends nothing. The steps build on each other.
 *
 * `pulumi import` protects what it imports unless told `--protect=false` (pulumi v3.276.0
 * `import.go`); the program here declares no `protect`, so the imports pass `--protect=false` and
 * the `up` after them compares like with like.
 *
 * `pulumi import` asks the project's language host for the program's plugins; the CLI built here
 * has no `pulumi-language-nodejs` (Pulumi's releases ship one beside `pulumi`), and without it the
 * import stops with `error: failed to load language plugin nodejs: no language plugin
 * 'pulumi-language-nodejs' found in the workspace or on your $PATH`. So the imports run with the
 * stand-in of host-harness/plugin-stack.ts on PATH (test/engine/import.test.ts does the same).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CliStack } from "../../host-harness/cli-stack";
import { languageHostOnPath, PLUGIN_TYPE } from "../../host-harness/plugin-stack";
import { directApi } from "../provider/helpers";
import { takeLog, useHostEmulator } from "../host/helpers";
import { BACKENDS } from "../support/variants";
import type { Backend } from "../support/variants";
import { expectExit, opsOf, takeWrites, useCli } from "./helpers";
import {
  newPluginStack,
  pluginInvitation,
  STEP_TIMEOUT_MS,
  usePluginTarball,
} from "./plugin-helpers";

const IMPORT_FLAGS = ["--yes", "--generate-code=false", "--protect=false"];

describe.each(BACKENDS)("pulumi import with the plugin on the %s API", (backend: Backend) => {
  const cli = useCli();
  const tarball = usePluginTarball();
  const t = useHostEmulator({ prefix: `engine-plugin-import-${backend}-` });
  let stack: CliStack;
  /** The import id of each person the admin invited, in the form of this API. */
  const importIds = new Map<string, string>();
  const pending = () =>
    t.emulator.control
      .invitations(t.emulator.orgId)
      .map((i) => i.username)
      .sort();
  const invitationIds = () =>
    t.emulator.control
      .invitations(t.emulator.orgId)
      .map((i) => i.id)
      .sort();
  let idsBefore: string[];
  /** The CLI's PATH with the language host stand-in first, for `pulumi import`. */
  let importEnv: Record<string, string>;

  beforeAll(async () => {
    stack = await newPluginStack({
      cli: cli(),
      emulator: t.emulator,
      dir: t.dir,
      name: `plugin-import-${backend}`,
      plugin: { install: tarball() },
      backend,
    });
    // An admin invites three people in the Atlas UI: straight to the API, no Pulumi involved.
    const api = directApi(t.emulator);
    const { orgId } = t.emulator;
    for (const name of ["dana", "erin", "frank"])
      await api.createOrgInvite(orgId, { username: `${name}@example.com`, roles: ["ORG_MEMBER"] });
    for (const name of ["dana", "erin", "frank"]) {
      const username = `${name}@example.com`;
      const id =
        backend === "invites"
          ? t.emulator.control.invitations(orgId).find((i) => i.username === username)?.id
          : t.emulator.control.users(orgId).find((u) => u.username === username)?.id;
      if (!id) throw new Error(`the emulator has no ${backend} id for ${username}`);
      importIds.set(name, `${orgId}/${id}`);
    }
    idsBefore = invitationIds();
    importEnv = {
      PATH: await languageHostOnPath(join(t.dir, "language-host"), stack.cliEnv()["PATH"] ?? ""),
    };
    takeLog(t.emulator);
  }, STEP_TIMEOUT_MS);

  it(
    "imports dana's pending invitation by its id: exit 0, no write to Atlas, no new invitation, her invitation in the stack",
    async () => {
      const run = await stack.cli(
        ["import", PLUGIN_TYPE, "dana", importIds.get("dana") ?? "", ...IMPORT_FLAGS],
        importEnv,
      );
      if (run.exitCode !== 0)
        throw new Error(`pulumi import exited ${run.exitCode}:\n${run.stdout}\n${run.stderr}`);
      expect(run.stdout).toMatch(/=\s+atlasorginvitations:index:OrgInvitation\s+dana\s+imported/);
      expect(takeWrites(t.emulator)).toEqual([]);
      expect(invitationIds()).toEqual(idsBefore);
      const dana = (await stack.invitationsInState(PLUGIN_TYPE)).get("dana");
      expect(dana?.outputs).toMatchObject({
        orgId: t.emulator.orgId,
        username: "dana@example.com",
        roles: ["ORG_MEMBER"],
        status: "PENDING",
      });
      expect(dana?.inputs).toMatchObject({ username: "dana@example.com", roles: ["ORG_MEMBER"] });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "the next up with dana declared as imported is a no-op that sends nothing to Atlas",
    async () => {
      const up = await stack.up([pluginInvitation("dana", t.emulator.orgId)]);
      expectExit(up, 0);
      expect(opsOf(up)).toEqual(["dana: same"]);
      expect(Object.keys(up.summary ?? {})).toEqual(["same"]);
      expect(takeLog(t.emulator)).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "imports erin and frank from an import file in one command, then an up declaring all three is a no-op",
    async () => {
      const file = join(stack.workDir, "import.json");
      await writeFile(
        file,
        JSON.stringify({
          resources: ["erin", "frank"].map((name) => ({
            type: PLUGIN_TYPE,
            name,
            id: importIds.get(name),
          })),
        }),
      );
      const run = await stack.cli(["import", "--file", file, ...IMPORT_FLAGS], importEnv);
      if (run.exitCode !== 0)
        throw new Error(`pulumi import exited ${run.exitCode}:\n${run.stdout}\n${run.stderr}`);
      expect(takeWrites(t.emulator)).toEqual([]);
      expect([...(await stack.invitationsInState(PLUGIN_TYPE)).keys()].sort()).toEqual([
        "dana",
        "erin",
        "frank",
      ]);
      const up = await stack.up(
        ["dana", "erin", "frank"].map((name) => pluginInvitation(name, t.emulator.orgId)),
      );
      expectExit(up, 0);
      expect(opsOf(up)).toEqual(["dana: same", "erin: same", "frank: same"]);
      expect(Object.keys(up.summary ?? {})).toEqual(["same"]);
      expect(takeLog(t.emulator)).toEqual([]);
      expect(pending()).toEqual(["dana@example.com", "erin@example.com", "frank@example.com"]);
      expect(invitationIds()).toEqual(idsBefore);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a second import of frank's id is refused by the next up at check, naming the first; removing the duplicate leaves frank's invitation pending for the other resource",
    async () => {
      // The engine imports what the provider can read, and the provider cannot see the rest of
      // the stack during an import: the second import of one id lands.
      const run = await stack.cli(
        ["import", PLUGIN_TYPE, "frank-again", importIds.get("frank") ?? "", ...IMPORT_FLAGS],
        importEnv,
      );
      if (run.exitCode !== 0)
        throw new Error(`pulumi import exited ${run.exitCode}:\n${run.stdout}\n${run.stderr}`);
      expect(takeWrites(t.emulator)).toEqual([]);
      const frankAgain = pluginInvitation("frank-again", t.emulator.orgId, {
        username: "frank@example.com",
      });
      const refused = await stack.up(
        ["dana", "erin", "frank"]
          .map((name) => pluginInvitation(name, t.emulator.orgId))
          .concat(frankAgain),
      );
      expect(refused.exitCode).not.toBe(0);
      const said = `${refused.stdout}\n${refused.stderr}`;
      expect(said).toContain("is declared by two OrgInvitation resources");
      expect(said).toMatch(/the other is "frank(-again)?"/);
      expect(takeWrites(t.emulator)).toEqual([]);
      // The user keeps one of the two: the other's delete leaves the invitation alone.
      const kept = await stack.up(
        ["dana", "erin"].map((name) => pluginInvitation(name, t.emulator.orgId)).concat(frankAgain),
      );
      expectExit(kept, 0);
      expect(opsOf(kept)).toContain("frank: delete");
      expect(`${kept.stdout}\n${kept.stderr}`).toContain("was left pending for that resource");
      expect(takeWrites(t.emulator)).toEqual([]);
      expect(pending()).toEqual(["dana@example.com", "erin@example.com", "frank@example.com"]);
      expect(invitationIds()).toEqual(idsBefore);
      expect([...(await stack.invitationsInState(PLUGIN_TYPE)).keys()].sort()).toEqual([
        "dana",
        "erin",
        "frank-again",
      ]);
    },
    STEP_TIMEOUT_MS,
  );
});

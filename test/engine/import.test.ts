/**
 * Bringing an invitation made outside Pulumi (an admin in the Atlas UI) under a stack, under the
 * real Pulumi engine. The engine cannot import a dynamic resource (pulumi/pulumi#16175): an import
 * reads the resource by id alone, and the dynamic-provider host finds its provider in the
 * resource's `__provider` property, which an id alone does not carry. So `pulumi import` and the
 * `import` resource option both fail before anything reaches Atlas. The documented way in works
 * instead: declaring the invitation makes the create ADOPT the pending one (README, "Behaviour" and
 * "Bringing an existing organization under management").
 *
 * What pulumi v3.276.0 answered (consumer on @pulumi/pulumi 3.248.0), stderr empty both times, for
 * the README to quote:
 *
 * `pulumi import pulumi-nodejs:dynamic/atlas:OrgInvitation dana <invitation id> --yes` exits 1:
 *
 *     Previewing import (import):
 *     ...
 *      =  pulumi-nodejs:dynamic/atlas:OrgInvitation dana import error: Preview failed: code must be a string, not undefined
 *     ...
 *     Diagnostics:
 *       pulumi-nodejs:dynamic/atlas:OrgInvitation (dana):
 *         error: Preview failed: code must be a string, not undefined
 *
 *       pulumi:pulumi:Stack (atlas-org-invitations-import):
 *         Error: code must be a string, not undefined: Error: code must be a string, not undefined
 *             at requireFromString (.../node_modules/require-from-string/index.js:19:9)
 *             at getProvider (.../node_modules/@pulumi/cmd/dynamic-provider/index.ts:73:20)
 *             at ResourceProviderService.read (.../node_modules/@pulumi/cmd/dynamic-provider/index.ts:273:36)
 *             ...
 *         error: preview failed: step application failed: code must be a string, not undefined
 *
 *     Resources:
 *         + 1 to create
 *         2 errored
 *
 * `pulumi up` of `new OrgInvitation("dana", {...}, { import: "<invitation id>" })` exits 1:
 *
 *      =  pulumi-nodejs:dynamic/atlas:OrgInvitation dana importing (0s) error: code must be a string, not undefined
 *      =  pulumi-nodejs:dynamic/atlas:OrgInvitation dana **importing failed** error: code must be a string, not undefined
 *     ...
 *     Diagnostics:
 *       pulumi:pulumi:Stack (atlas-org-invitations-import):
 *         Error: code must be a string, not undefined: Error: code must be a string, not undefined
 *             (the same stack trace)
 *         error: update failed
 *
 *       pulumi-nodejs:dynamic/atlas:OrgInvitation (dana):
 *         error: code must be a string, not undefined
 *
 * `pulumi import` needs a language host even for a dynamic resource: it asks it for the program's
 * plugins. Pulumi's releases ship `pulumi-language-nodejs` beside `pulumi`; the CLI built from
 * pulumi-cli/go.mod does not, and without it `pulumi import` stops earlier, with exit 1 and
 * `error: failed to load language plugin nodejs: no language plugin 'pulumi-language-nodejs' found
 * in the workspace or on your $PATH`. So this suite puts a stand-in on PATH for that command: the
 * SDK's own Automation API language server (the one that serves inline programs), which answers
 * that the program needs no plugins, as pulumi-language-nodejs does for a project whose only Pulumi
 * package is @pulumi/pulumi. The CLI then warns `using pulumi-language-nodejs from $PATH at ...`.
 */
import { join } from "node:path";
import type { CliStack } from "../../host-harness/cli-stack";
import { INVITATION_TYPE } from "../../host-harness/cli-stack";
import { languageHostOnPath } from "../../host-harness/plugin-stack";
import { directApi } from "../provider/helpers";
import { expectConcurrentCalls, stepsOn, takeLog } from "../host/helpers";
import {
  expectExit,
  invitationOf,
  newStack,
  opsOf,
  useCli,
  useConsumer,
  useHostEmulator,
} from "./helpers";

const DANA = "dana@example.com";
const DYNAMIC_IMPORT_ERROR = "code must be a string, not undefined";

describe("an invitation made outside Pulumi, brought under a stack under the real pulumi CLI", () => {
  const consumer = useConsumer();
  const cli = useCli();
  const t = useHostEmulator({ prefix: "engine-import-" });
  let stack: CliStack;
  let danaId: string;
  let path: string;
  const pendingInAtlas = () => t.emulator.control.invitations(t.emulator.orgId);

  beforeAll(async () => {
    stack = await newStack({
      consumer: consumer(),
      cli: cli(),
      emulator: t.emulator,
      dir: t.dir,
      name: "import",
    });
    path = await languageHostOnPath(join(t.dir, "language-host"), stack.cliEnv()["PATH"] ?? "");
    // An admin invites dana in the Atlas UI: straight to the API, no Pulumi involved.
    await directApi(t.emulator).createOrgInvite(t.emulator.orgId, {
      username: DANA,
      roles: ["ORG_MEMBER"],
    });
    const [dana] = pendingInAtlas();
    if (!dana) throw new Error("the emulator holds no invitation for dana");
    danaId = dana.id;
    takeLog(t.emulator);
  }, 120_000);

  it("pulumi import of an OrgInvitation fails in the dynamic provider's read: exit 1, nothing sent to Atlas, nothing in the stack", async () => {
    const run = await stack.cli(["import", INVITATION_TYPE, "dana", danaId, "--yes"], {
      PATH: path,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`error: Preview failed: ${DYNAMIC_IMPORT_ERROR}`);
    expect(run.stdout).toContain(
      `error: preview failed: step application failed: ${DYNAMIC_IMPORT_ERROR}`,
    );
    // The dynamic-provider host found no __provider to load.
    expect(run.stdout).toMatch(/at getProvider \(.*dynamic-provider/);
    expect(takeLog(t.emulator)).toEqual([]);
    expect([...(await stack.invitationsInState()).keys()]).toEqual([]);
    expect(pendingInAtlas().map((i) => i.id)).toEqual([danaId]);
  }, 180_000);

  it("the import resource option fails the same way on up: exit 1, the import step failed, nothing sent to Atlas, nothing in the stack", async () => {
    const up = await stack.up([invitationOf("dana", t.emulator.orgId, {}, { import: danaId })]);
    expect(up.exitCode).toBe(1);
    expect(up.steps).toEqual([
      expect.objectContaining({
        name: "dana",
        op: "import",
        failed: true,
        errors: [DYNAMIC_IMPORT_ERROR],
      }),
    ]);
    expect(up.stdout).toContain("dana **importing failed**");
    expect(takeLog(t.emulator)).toEqual([]);
    expect([...(await stack.invitationsInState()).keys()]).toEqual([]);
    expect(pendingInAtlas().map((i) => i.id)).toEqual([danaId]);
  }, 180_000);

  it("declaring the invitation adopts the pending one on up: no POST, the existing invitation's id as the resource id, one invitation in Atlas", async () => {
    const up = await stack.up([invitationOf("dana", t.emulator.orgId)]);
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["dana: create"]);
    // The look-ups only: no POST, no update (the roles match).
    expectConcurrentCalls(t.emulator, [stepsOn("invites").adoptMatching]);
    takeLog(t.emulator);
    expect(up.stdout).toContain(
      `adopting the pending invitation ${danaId} for ${DANA} in organization ${t.emulator.orgId}`,
    );
    const state = await stack.invitationsInState();
    expect(state.get("dana")?.id).toBe(danaId);
    expect(state.get("dana")?.outputs).toMatchObject({
      invitationId: danaId,
      username: DANA,
      status: "PENDING",
    });
    expect(pendingInAtlas().map((i) => i.id)).toEqual([danaId]);
  }, 180_000);

  it("the next up with the same declaration is a no-op that sends nothing to Atlas", async () => {
    const up = await stack.up([invitationOf("dana", t.emulator.orgId)]);
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["dana: same"]);
    expect(takeLog(t.emulator)).toEqual([]);
    expect(pendingInAtlas().map((i) => i.id)).toEqual([danaId]);
  }, 180_000);
});

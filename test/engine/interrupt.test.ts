/**
 * Ctrl-C during a slow create, under the real Pulumi engine. The emulator holds the create's POST
 * (a fault with a delay) while the test sends SIGINT the way a terminal does: to the `pulumi`
 * process only (the CLI starts its plugins in process groups of their own, so the provider does
 * not get it). CliStack.up's signal reaches the CLI through stack-driver.js and the Automation
 * API's own `signal` option; each `abort` event on it is one Ctrl-C.
 *
 * What pulumi v3.276.0 did, for the README to quote:
 *
 * - One Ctrl-C: the CLI prints `^C received; cancelling. If you would like to terminate
 *   immediately, press ^C again.` and `Note that terminating immediately may lead to orphaned
 *   resources and other inconsistencies.`, waits for the create in flight, records it, and exits 1
 *   with `error: update canceled`. Nothing to repair.
 * - Two Ctrl-Cs: `^C received; terminating`, the resource shows `creating (interrupted)`, the CLI
 *   kills the provider and exits 8 with `error: update cancelled` on stderr. The state keeps a
 *   pending operation `{ type: "creating" }` for the resource and no resource; whether Atlas holds
 *   the invitation depends on whether the POST got there (both cases below).
 * - A plain `pulumi refresh` (non-interactive, as in a pipeline) exits 0 and keeps the pending
 *   create. (A plain `pulumi up` then adopts the invitation too, but the pending create stays and
 *   every later update warns `Attempting to deploy or update resources with 1 pending operations
 *   from previous deployment.` ... `Note that \`pulumi refresh\` will need to be run interactively
 *   to clear pending CREATE operations.`)
 * - `pulumi refresh --clear-pending-creates` drops it without a call to Atlas; the next `pulumi up`
 *   creates the resource, and the create adopts the invitation if it landed (no second POST) or
 *   sends it if it did not: either way one invitation, managed by the stack.
 * - `pulumi refresh --import-pending-creates <urn> --import-pending-creates <invitation id>` (one
 *   value per flag; `<urn>,<id>` in one is refused with `each URN must be followed by an ID: found
 *   an odd number of entries`) exits 0 and drops the pending create, but does not put the resource
 *   in the stack, and calls nothing in Atlas; the next `pulumi up` adopts, as after a clear.
 */
import type { LogEntry } from "../../emulator";
import type { CliStack, CommandResult, Deployment } from "../../host-harness/cli-stack";
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

/** How long the emulator holds each create's POST: far longer than two Ctrl-Cs take. */
const DELAY_MS = 15_000;
/** Between two Ctrl-Cs: the CLI reads one signal at a time. */
const BETWEEN_CTRL_C_MS = 2_000;
const TIMEOUT_MS = 180_000;
const steps = stepsOn("invites");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

const pendingOf = (deployment: Deployment): string[] =>
  (deployment.pending_operations ?? []).map(
    (op) => `${op.type} ${op.resource.urn.slice(op.resource.urn.lastIndexOf("::") + 2)}`,
  );

describe("Ctrl-C during a slow create, under the real pulumi CLI", () => {
  const consumer = useConsumer();
  const cli = useCli();
  const t = useHostEmulator({ prefix: "engine-interrupt-" });

  const inAtlas = (name: string) =>
    t.emulator.control
      .invitations(t.emulator.orgId)
      .filter((i) => i.username === `${name}@example.com`);
  const program = (name: string) => [invitationOf(name, t.emulator.orgId)];
  const posts = (log: readonly LogEntry[]) => log.filter((e) => e.method === "POST");

  /**
   * A stack of its own whose `up` of `name` is interrupted by `ctrlC` Ctrl-Cs once its POST reached
   * Atlas (the emulator holds it for DELAY_MS; with `commit` the invitation is made first). Returns
   * once the CLI exited AND the held POST was answered, so the log holds that POST (status 0 when
   * nobody was left to answer).
   */
  async function interruptedUp(
    name: string,
    ctrlC: 1 | 2,
    commit: boolean,
  ): Promise<{ stack: CliStack; up: CommandResult; log: LogEntry[] }> {
    const stack = await newStack({
      consumer: consumer(),
      cli: cli(),
      emulator: t.emulator,
      dir: t.dir,
      name,
    });
    takeLog(t.emulator);
    const fault = t.emulator.control.injectFault({
      match: { method: "POST", operationId: "createOrgInvite" },
      delayMs: DELAY_MS,
      commit,
    });
    const interrupt = new AbortController();
    const running = stack.up(program(name), {}, interrupt.signal);
    await until("the create's POST reached Atlas", () => fault.remaining() === 0);
    interrupt.abort();
    if (ctrlC === 2) {
      await sleep(BETWEEN_CTRL_C_MS);
      interrupt.signal.dispatchEvent(new Event("abort"));
    }
    const up = await running;
    await until(
      "the held POST was answered",
      () => t.emulator.log.entries({ operationId: "createOrgInvite" }).length > 0,
      DELAY_MS + 30_000,
    );
    return { stack, up, log: takeLog(t.emulator) };
  }

  describe("one Ctrl-C", () => {
    let stack: CliStack;

    it(
      "lets the create in flight finish and records it: the CLI says it is cancelling, exits 1 with `update canceled`, and leaves no pending operation",
      async () => {
        const run = await interruptedUp("gina", 1, true);
        stack = run.stack;
        expect(run.up.exitCode).toBe(1);
        expect(run.up.stdout).toContain(
          "^C received; cancelling. If you would like to terminate immediately, press ^C again.",
        );
        expect(run.up.stdout).toContain("error: update canceled");
        expect(run.up.stdout).not.toContain("^C received; terminating");
        const [gina] = inAtlas("gina");
        expect(run.up.steps).toEqual([
          expect.objectContaining({ name: "gina", op: "create", failed: false }),
        ]);
        expect(run.up.steps[0]?.outputs?.["invitationId"]).toBe(gina?.id);
        expect(posts(run.log).map((e) => e.status)).toEqual([200]);
        const deployment = await stack.exportState();
        expect(pendingOf(deployment)).toEqual([]);
        expect((await stack.invitationsInState()).get("gina")?.id).toBe(gina?.id);
        expect(inAtlas("gina")).toHaveLength(1);
      },
      TIMEOUT_MS,
    );

    it(
      "the next up is a no-op that sends nothing to Atlas",
      async () => {
        const up = await stack.up(program("gina"));
        expectExit(up, 0);
        expect(opsOf(up)).toEqual(["gina: same"]);
        expect(takeLog(t.emulator)).toEqual([]);
      },
      TIMEOUT_MS,
    );
  });

  describe("two Ctrl-Cs after Atlas made the invitation", () => {
    let stack: CliStack;

    it(
      "terminates the CLI with exit 8 and leaves a pending create in the state while Atlas holds the invitation",
      async () => {
        const run = await interruptedUp("hank", 2, true);
        stack = run.stack;
        expect(run.up.exitCode).toBe(8);
        expect(run.up.stdout).toContain("^C received; terminating");
        expect(run.up.stdout).toContain("hank creating (interrupted)");
        expect(run.up.stderr).toContain("error: update cancelled");
        // The provider was killed with the POST still held: nobody took the answer.
        expect(posts(run.log).map((e) => e.status)).toEqual([0]);
        const deployment = await stack.exportState();
        expect(pendingOf(deployment)).toEqual(["creating hank"]);
        expect([...(await stack.invitationsInState()).keys()]).toEqual([]);
        expect(inAtlas("hank")).toHaveLength(1);
      },
      TIMEOUT_MS,
    );

    it(
      "a plain refresh, as a pipeline runs it, keeps the pending create and calls nothing in Atlas",
      async () => {
        const refresh = await stack.refresh();
        expectExit(refresh, 0);
        expect(pendingOf(await stack.exportState())).toEqual(["creating hank"]);
        expect(takeLog(t.emulator)).toEqual([]);
      },
      TIMEOUT_MS,
    );

    it(
      "refresh --clear-pending-creates drops the pending create without a call to Atlas",
      async () => {
        const refresh = await stack.refresh({ clearPendingCreates: true });
        expectExit(refresh, 0);
        expect(pendingOf(await stack.exportState())).toEqual([]);
        expect([...(await stack.invitationsInState()).keys()]).toEqual([]);
        expect(takeLog(t.emulator)).toEqual([]);
        expect(inAtlas("hank")).toHaveLength(1);
      },
      TIMEOUT_MS,
    );

    it(
      "the next up adopts the invitation that landed: no POST, exactly one invitation in Atlas, managed by the stack",
      async () => {
        const [hank] = inAtlas("hank");
        const up = await stack.up(program("hank"));
        expectExit(up, 0);
        expect(opsOf(up)).toEqual(["hank: create"]);
        expectConcurrentCalls(t.emulator, [steps.adoptMatching]);
        takeLog(t.emulator);
        expect(up.stdout).toContain(`adopting the pending invitation ${hank?.id}`);
        expect((await stack.invitationsInState()).get("hank")?.id).toBe(hank?.id);
        expect(inAtlas("hank").map((i) => i.id)).toEqual([hank?.id]);
      },
      TIMEOUT_MS,
    );

    it(
      "a later up is a no-op with no request to Atlas and no pending operation left to warn about",
      async () => {
        const up = await stack.up(program("hank"));
        expectExit(up, 0);
        expect(opsOf(up)).toEqual(["hank: same"]);
        expect(up.stdout).not.toContain("pending operations");
        expect(takeLog(t.emulator)).toEqual([]);
        expect(inAtlas("hank")).toHaveLength(1);
      },
      TIMEOUT_MS,
    );
  });

  describe("two Ctrl-Cs before Atlas made the invitation", () => {
    let stack: CliStack;

    it(
      "terminates the CLI with exit 8, leaves a pending create, and Atlas holds nothing: the held POST was never carried out",
      async () => {
        const run = await interruptedUp("iris", 2, false);
        stack = run.stack;
        expect(run.up.exitCode).toBe(8);
        expect(posts(run.log).map((e) => e.status)).toEqual([0]);
        expect(pendingOf(await stack.exportState())).toEqual(["creating iris"]);
        expect(inAtlas("iris")).toEqual([]);
      },
      TIMEOUT_MS,
    );

    it(
      "refresh --clear-pending-creates, then up, sends the invitation once: exactly one invitation in Atlas, managed by the stack",
      async () => {
        expectExit(await stack.refresh({ clearPendingCreates: true }), 0);
        expect(pendingOf(await stack.exportState())).toEqual([]);
        expect(takeLog(t.emulator)).toEqual([]);
        const up = await stack.up(program("iris"));
        expectExit(up, 0);
        expect(opsOf(up)).toEqual(["iris: create"]);
        expectConcurrentCalls(t.emulator, [steps.createNew]);
        takeLog(t.emulator);
        const [iris] = inAtlas("iris");
        expect(inAtlas("iris")).toHaveLength(1);
        expect((await stack.invitationsInState()).get("iris")?.id).toBe(iris?.id);
      },
      TIMEOUT_MS,
    );

    it(
      "a later up is a no-op with no request to Atlas",
      async () => {
        const up = await stack.up(program("iris"));
        expectExit(up, 0);
        expect(opsOf(up)).toEqual(["iris: same"]);
        expect(takeLog(t.emulator)).toEqual([]);
      },
      TIMEOUT_MS,
    );
  });

  describe("two Ctrl-Cs, then refresh --import-pending-creates with the invitation's id", () => {
    let stack: CliStack;
    let urn: string;

    it(
      "leaves a pending create while Atlas holds the invitation",
      async () => {
        const run = await interruptedUp("jack", 2, true);
        stack = run.stack;
        expect(run.up.exitCode).toBe(8);
        const deployment = await stack.exportState();
        expect(pendingOf(deployment)).toEqual(["creating jack"]);
        urn = deployment.pending_operations?.[0]?.resource.urn ?? "";
        expect(inAtlas("jack")).toHaveLength(1);
      },
      TIMEOUT_MS,
    );

    it(
      "exits 0 and drops the pending create, yet puts nothing in the stack and calls nothing in Atlas",
      async () => {
        const [jack] = inAtlas("jack");
        const refresh = await stack.cli([
          "refresh",
          "--yes",
          "--import-pending-creates",
          urn,
          "--import-pending-creates",
          jack?.id ?? "",
        ]);
        expect(refresh.exitCode).toBe(0);
        expect(pendingOf(await stack.exportState())).toEqual([]);
        expect([...(await stack.invitationsInState()).keys()]).toEqual([]);
        expect(takeLog(t.emulator)).toEqual([]);
      },
      TIMEOUT_MS,
    );

    it(
      "the next up adopts the invitation (no POST), and the up after it is a no-op",
      async () => {
        const [jack] = inAtlas("jack");
        const up = await stack.up(program("jack"));
        expectExit(up, 0);
        expect(opsOf(up)).toEqual(["jack: create"]);
        expectConcurrentCalls(t.emulator, [steps.adoptMatching]);
        takeLog(t.emulator);
        expect((await stack.invitationsInState()).get("jack")?.id).toBe(jack?.id);
        const again = await stack.up(program("jack"));
        expectExit(again, 0);
        expect(opsOf(again)).toEqual(["jack: same"]);
        expect(takeLog(t.emulator)).toEqual([]);
        expect(inAtlas("jack").map((i) => i.id)).toEqual([jack?.id]);
      },
      TIMEOUT_MS,
    );
  });
});

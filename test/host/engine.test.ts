/**
 * The harness's engine on its own, with a scripted host: the engine behaviours the real
 * provider never triggers (delete-before-replace, DIFF_UNKNOWN, "created but failed to
 * initialize", a failed delete of a replaced resource) must still follow Pulumi's engine.
 */
import { Engine } from "../../host-harness";
import type { CheckResult, DiffResult, HostClient, Props, ReadResult } from "../../host-harness";
import { HostError } from "../../host-harness";

type Call = string;

/** A host whose answers the test scripts; it records every call as "Method name". */
class ScriptedHost {
  readonly calls: Call[] = [];
  diffResult: DiffResult = { changes: "none", replaces: [], deleteBeforeReplace: false };
  failures: CheckResult["failures"] = [];
  readResult?: (name: string) => ReadResult | undefined;
  createError?: unknown;
  deleteError?: unknown;
  private next = 0;

  private record(method: string, urn: string): void {
    this.calls.push(`${method} ${urn.slice(urn.lastIndexOf("::") + 2)}`);
  }

  client(): HostClient {
    const host = {
      check: async (urn: string, _olds: Props, news: Props): Promise<CheckResult> => {
        this.record("Check", urn);
        return { inputs: news, failures: this.failures };
      },
      diff: async (urn: string): Promise<DiffResult> => {
        this.record("Diff", urn);
        return this.diffResult;
      },
      create: async (urn: string, props: Props) => {
        this.record("Create", urn);
        if (this.createError) throw this.createError;
        return { id: `id-${++this.next}`, properties: { ...props, created: true } };
      },
      read: async (urn: string, id: string, props: Props): Promise<ReadResult> => {
        this.record("Read", urn);
        return this.readResult?.(urn.slice(urn.lastIndexOf("::") + 2)) ?? { id, properties: props };
      },
      update: async (urn: string, _id: string, _olds: Props, news: Props) => {
        this.record("Update", urn);
        return { properties: { ...news, updated: true } };
      },
      delete: async (urn: string) => {
        this.record("Delete", urn);
        if (this.deleteError) throw this.deleteError;
      },
      close: async () => 0,
      output: () => ({ stdout: "", stderr: "" }),
    };
    return host as unknown as HostClient;
  }
}

function setup() {
  const scripted = new ScriptedHost();
  const engine = new Engine({ startHost: async () => scripted.client() });
  return { scripted, engine };
}

const decl = (name: string, inputs: Props = {}) => ({ name, inputs: { v: 1, ...inputs } });

/** The engine's wire form of a provider error that carries an id (ErrorResourceInitFailed). */
function initFailed(id: string, properties: Props): HostError {
  const grpcError = Object.assign(new Error("boom"), { code: 2, details: "not ready yet" });
  return new HostError("Create", grpcError as never, { id, properties, reasons: [] });
}

describe("the harness engine", () => {
  it("replaces by creating the new resource first and deleting the old one after every create and update", async () => {
    const { scripted, engine } = setup();
    await engine.up([decl("a"), decl("b")]);
    const oldA = engine.state.resources["a"]?.id;
    scripted.calls.length = 0;
    scripted.diffResult = { changes: "some", replaces: ["username"], deleteBeforeReplace: false };
    expect(await engine.up([decl("a", { v: 2 }), decl("b", { v: 2 })])).toEqual([
      { name: "a", op: "replace" },
      { name: "b", op: "replace" },
    ]);
    const lastCreate = Math.max(...["Create a", "Create b"].map((c) => scripted.calls.indexOf(c)));
    expect(scripted.calls.indexOf("Delete a")).toBeGreaterThan(lastCreate);
    expect(engine.state.resources["a"]?.id).not.toBe(oldA);
  });

  it("deletes first when the provider asks for delete-before-replace", async () => {
    const { scripted, engine } = setup();
    await engine.up([decl("a")]);
    scripted.calls.length = 0;
    scripted.diffResult = { changes: "some", replaces: ["orgId"], deleteBeforeReplace: true };
    await engine.up([decl("a", { v: 2 })]);
    expect(scripted.calls).toEqual(["Check a", "Diff a", "Delete a", "Create a"]);
  });

  it("keeps a replaced resource whose delete failed as pending, and retries it on the next up", async () => {
    const { scripted, engine } = setup();
    await engine.up([decl("a")]);
    scripted.diffResult = { changes: "some", replaces: ["username"], deleteBeforeReplace: false };
    scripted.deleteError = new Error("refused");
    const reports = await engine.up([decl("a", { v: 2 })]);
    expect(reports).toEqual([{ name: "a", op: "failed", error: "refused", attempted: "delete" }]);
    expect(engine.state.pendingDeletes).toHaveLength(1);
    scripted.deleteError = undefined;
    scripted.diffResult = { changes: "none", replaces: [], deleteBeforeReplace: false };
    expect(await engine.up([decl("a", { v: 2 })])).toEqual([{ name: "a", op: "same" }]);
    expect(engine.state.pendingDeletes).toEqual([]);
  });

  it("compares old and new inputs itself when the provider's diff answers DIFF_UNKNOWN", async () => {
    const { scripted, engine } = setup();
    await engine.up([decl("a")]);
    scripted.diffResult = { changes: "unknown", replaces: [], deleteBeforeReplace: false };
    expect(await engine.up([decl("a")])).toEqual([{ name: "a", op: "same" }]);
    expect(await engine.up([decl("a", { v: 3 })])).toEqual([{ name: "a", op: "update" }]);
  });

  it("keeps the id of a resource created but not initialized, as the engine does", async () => {
    const { scripted, engine } = setup();
    scripted.createError = initFailed("half-made", { v: 1 });
    expect(await engine.up([decl("a")])).toEqual([
      { name: "a", op: "failed", error: "not ready yet", attempted: "create" },
    ]);
    expect(engine.state.resources["a"]).toMatchObject({ id: "half-made", outputs: { v: 1 } });
  });

  it("lists check failures and creates nothing", async () => {
    const { scripted, engine } = setup();
    scripted.failures = [{ property: "orgId", reason: "must be hex" }];
    expect(await engine.up([decl("a")])).toEqual([
      {
        name: "a",
        op: "failed",
        error: "orgId: must be hex",
        attempted: "create",
        failures: scripted.failures,
      },
    ]);
    expect(scripted.calls).toEqual(["Check a"]);
    expect(engine.state.resources).toEqual({});
  });

  it("refresh drops a resource read back with an empty id and stores returned props and inputs", async () => {
    const { scripted, engine } = setup();
    await engine.up([decl("a"), decl("b")]);
    scripted.readResult = (name) =>
      name === "a"
        ? { id: "", properties: {} }
        : { id: "kept", properties: { fresh: true }, inputs: { v: 9 } };
    const reports = await engine.refresh();
    expect(reports.map((r) => r.op).sort()).toEqual(["drop", "refresh"]);
    expect(Object.keys(engine.state.resources)).toEqual(["b"]);
    expect(engine.state.resources["b"]).toMatchObject({
      id: "kept",
      outputs: { fresh: true },
      inputs: { v: 9 },
    });
  });

  it("preview calls only check and diff, and changes no state", async () => {
    const { scripted, engine } = setup();
    await engine.up([decl("a"), decl("gone")]);
    const before = engine.state;
    scripted.calls.length = 0;
    scripted.diffResult = { changes: "some", replaces: [], deleteBeforeReplace: false };
    expect(await engine.preview([decl("a", { v: 2 }), decl("new")])).toEqual([
      { name: "a", op: "update" },
      { name: "new", op: "create" },
      { name: "gone", op: "delete" },
    ]);
    expect(scripted.calls.every((c) => c.startsWith("Check") || c.startsWith("Diff"))).toBe(true);
    expect(engine.state).toEqual(before);
  });

  it("destroy deletes newest first and keeps what failed to delete", async () => {
    const { scripted, engine } = setup();
    await engine.up([decl("a"), decl("b")]);
    scripted.calls.length = 0;
    scripted.deleteError = new Error("nope");
    const reports = await engine.destroy();
    expect(scripted.calls).toEqual(["Delete b", "Delete a"]);
    expect(reports.map((r) => r.op)).toEqual(["failed", "failed"]);
    expect(Object.keys(engine.state.resources)).toEqual(["a", "b"]);
  });
});

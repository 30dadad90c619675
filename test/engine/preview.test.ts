/**
 * Preview under the real engine with values unknown until apply: an org id and an address that
 * come from another resource's output (a resource created in the same update). The engine sends
 * `check` and `diff` unknowns; the preview must succeed, plan one create, and send nothing to
 * Atlas; the up that follows creates the invitation once, with the values that arrived.
 */
import type { CliStack, StackResource } from "../../host-harness/cli-stack";
import { takeLog } from "../host/helpers";
import { expectExit, opsOf, takeWrites, useEngineSuite } from "./helpers";

describe("preview with values unknown until apply, under the real CLI", () => {
  const suite = useEngineSuite("preview");
  const { t } = suite;
  let stack: CliStack;
  const program = (): StackResource[] => [
    {
      kind: "echo",
      name: "source",
      args: { echoId: "source", orgId: t.emulator.orgId, username: "dana@example.com" },
    },
    {
      name: "dana",
      args: {
        orgId: { $ref: "source", prop: "orgId" },
        username: { $ref: "source", prop: "username" },
        roles: ["ORG_MEMBER"],
      },
    },
  ];

  beforeAll(async () => {
    stack = await suite.stack();
    takeLog(t.emulator);
  }, 120_000);

  it("previews a create whose org id and address are another resource's outputs, sending nothing to Atlas", async () => {
    const preview = await stack.preview(program());
    expectExit(preview, 0);
    expect(opsOf(preview)).toEqual(["dana: create", "source: create"]);
    expect(takeLog(t.emulator)).toEqual([]);
  }, 120_000);

  it("creates the invitation once on up, for the values that arrived", async () => {
    const up = await stack.up(program());
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["dana: create", "source: create"]);
    const posts = takeWrites(t.emulator).filter((w) => w.startsWith("POST"));
    expect(posts).toHaveLength(1);
    const pending = t.emulator.control.invitations(t.emulator.orgId);
    expect(pending.map((i) => i.username)).toEqual(["dana@example.com"]);
    expect(up.steps.find((s) => s.name === "dana")?.outputs?.["orgId"]).toBe(t.emulator.orgId);
  }, 120_000);

  it("previews no change once the values are known", async () => {
    const preview = await stack.preview(program());
    expectExit(preview, 0);
    expect(opsOf(preview)).toEqual(["dana: same", "source: same"]);
    expect(takeLog(t.emulator).filter((e) => e.method !== "GET")).toEqual([]);
  }, 120_000);
});

/**
 * Who a resource is, under the real engine's own handling of names, parents, aliases and
 * replacement: the same person declared twice (with `--parallel 1` and the default parallelism),
 * a rename with and without an alias, a move into a component with and without an alias, and an
 * address change under `deleteBeforeReplace`. Each asserts what Atlas received and what the stack
 * holds afterwards: one pending invitation per person, managed by exactly one resource.
 */
import type { CliStack, StackResource } from "../../host-harness/cli-stack";
import { takeLog } from "../host/helpers";
import { expectExit, invitationOf, opsOf, takeWrites, useEngineSuite } from "./helpers";

describe("one person, one resource, under the real CLI", () => {
  const { t, stack } = useEngineSuite("identity");
  const writes = () => takeWrites(t.emulator);
  const pendingFor = (username: string) =>
    t.emulator.control.invitations(t.emulator.orgId).filter((i) => i.username === username);
  const managed = async (s: CliStack) => [...(await s.invitationsInState()).keys()].sort();

  describe.each([
    ["--parallel 1", { parallel: 1 }],
    ["the default parallelism", {}],
  ])("the same person declared twice, with %s", (_label, flags) => {
    // The engine ends the deployment at the first failed check ("Resource monitor is
    // terminating"), so the CLI shows one of the two refusals, whichever was checked first.
    it("fails preview and up on username, naming the other resource, and sends nothing to Atlas", async () => {
      const s = await stack();
      const program: StackResource[] = [
        invitationOf("gina", t.emulator.orgId),
        {
          ...invitationOf("gina-again", t.emulator.orgId),
          args: { orgId: t.emulator.orgId, username: "GINA@example.com", roles: ["ORG_MEMBER"] },
        },
      ];
      takeLog(t.emulator);
      const preview = await s.preview(program, flags);
      expect(preview.exitCode).not.toBe(0);
      const up = await s.up(program, flags);
      expect(up.exitCode).not.toBe(0);
      for (const result of [preview, up]) {
        const refused = result.steps.filter((x) => x.failed);
        expect(refused.length).toBeGreaterThanOrEqual(1);
        for (const step of refused) {
          const other = step.name === "gina" ? "gina-again" : "gina";
          expect(step.errors.join("\n")).toMatch(/property username/);
          expect(step.errors.join("\n")).toContain(`the other is "${other}"`);
        }
      }
      expect(writes()).toEqual([]);
      expect(pendingFor("gina@example.com")).toHaveLength(0);
      expect(await managed(s)).toEqual([]);
    }, 180_000);
  });

  it("keeps the invitation untouched when a resource is renamed with an alias", async () => {
    const s = await stack();
    expectExit(await s.up([invitationOf("hana", t.emulator.orgId)]), 0);
    const id = pendingFor("hana@example.com")[0]?.id;
    takeLog(t.emulator);
    const up = await s.up([
      invitationOf(
        "hana-renamed",
        t.emulator.orgId,
        { username: "hana@example.com" },
        { aliases: [{ name: "hana" }] },
      ),
    ]);
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["hana-renamed: same"]);
    expect(writes()).toEqual([]);
    expect(pendingFor("hana@example.com").map((i) => i.id)).toEqual([id]);
    expect(await managed(s)).toEqual(["hana-renamed"]);
  }, 180_000);

  it("leaves exactly one pending invitation, managed by the new name, when a resource is renamed without an alias", async () => {
    const s = await stack();
    expectExit(await s.up([invitationOf("ivan", t.emulator.orgId)]), 0);
    takeLog(t.emulator);
    const renamed = [
      invitationOf("ivan-renamed", t.emulator.orgId, { username: "ivan@example.com" }),
    ];
    const up = await s.up(renamed);
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["ivan-renamed: create", "ivan: delete"]);
    // The new resource adopts the pending invitation; the old one's delete leaves it pending.
    expect(writes()).toEqual([]);
    expect(pendingFor("ivan@example.com")).toHaveLength(1);
    expect(await managed(s)).toEqual(["ivan-renamed"]);
    const again = await s.up(renamed);
    expect(opsOf(again)).toEqual(["ivan-renamed: same"]);
  }, 180_000);

  it.each([
    ["with an alias to the stack's root", true],
    ["without an alias", false],
  ])(
    "leaves one pending invitation when a resource moves into a component %s",
    async (_label, alias) => {
      const s = await stack();
      const name = alias ? "jade" : "kim";
      expectExit(await s.up([invitationOf(name, t.emulator.orgId)]), 0);
      takeLog(t.emulator);
      const up = await s.up([
        { kind: "component", name: "team", type: "example:index:Team" },
        invitationOf(
          name,
          t.emulator.orgId,
          {},
          {
            parent: "team",
            ...(alias ? { aliases: [{ noParent: true }] } : {}),
          },
        ),
      ]);
      expectExit(up, 0);
      expect(writes()).toEqual([]);
      expect(pendingFor(`${name}@example.com`)).toHaveLength(1);
      const state = await s.invitationsInState();
      expect([...state.keys()]).toEqual([name]);
      expect([...state.values()][0]?.urn).toContain("example:index:Team$");
      if (alias) expect(up.steps.find((x) => x.name === name)?.op).toBe("same");
    },
    180_000,
  );

  it("cancels the old invitation before sending the new one when the address changes under deleteBeforeReplace", async () => {
    const s = await stack();
    const options = { deleteBeforeReplace: true };
    expectExit(await s.up([invitationOf("lena", t.emulator.orgId, {}, options)]), 0);
    takeLog(t.emulator);
    const up = await s.up([
      invitationOf("lena", t.emulator.orgId, { username: "lena.new@example.com" }, options),
    ]);
    expectExit(up, 0);
    const state = await s.invitationsInState();
    expect(state.get("lena")?.outputs?.["username"]).toBe("lena.new@example.com");
    const sent = writes();
    expect(sent.filter((w) => w.startsWith("DELETE"))).toHaveLength(1);
    expect(sent.filter((w) => w.startsWith("POST"))).toHaveLength(1);
    expect(sent[0]).toMatch(/^DELETE/);
    expect(pendingFor("lena@example.com")).toHaveLength(0);
    expect(pendingFor("lena.new@example.com")).toHaveLength(1);
  }, 180_000);
});

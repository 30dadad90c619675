/**
 * The program's side of "one person, one resource" (provider/program-claims.ts): within one run of
 * a Pulumi program, every OrgInvitation that shares its person with another is marked, and the
 * provider's check refuses it at preview. Runs here are real `runInPulumiStack` runs of the SDK
 * under its mocks, as the CLI's language host runs a program.
 */
import * as pulumi from "@pulumi/pulumi";
import { declaredTwiceMark } from "../../provider/program-claims";

const ORG = "5f2b0e1c9d3a4b6c7d8e9f01";
const OTHER_ORG = "5f2b0e1c9d3a4b6c7d8e9f02";

beforeAll(() =>
  pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    "program-claims",
    "test",
    false,
  ),
);

type Mark = ReturnType<typeof declaredTwiceMark>;

const valueOf = (mark: Mark): Promise<unknown> =>
  mark === undefined
    ? Promise.resolve("no mark at all")
    : new Promise((resolve) =>
        mark.apply((v) => void resolve(v === undefined ? undefined : JSON.parse(v))),
      );

/** One program run, as `pulumi up` runs the program: `body` declares, then every mark is read. */
async function run(body: () => Promise<Record<string, Mark>>): Promise<Record<string, unknown>> {
  let marks: Record<string, Mark> = {};
  await pulumi.runtime.runInPulumiStack(async () => {
    marks = await body();
  });
  const entries = await Promise.all(
    Object.entries(marks).map(async ([name, mark]) => [name, await valueOf(mark)] as const),
  );
  return Object.fromEntries(entries);
}

describe("declaredTwiceMark", () => {
  // First: the SDK remembers the last run's stack resource for the rest of the process.
  it("marks nothing outside a program run (a unit test of the program's resources under setMocks)", () => {
    expect(declaredTwiceMark("alice", ORG, "alice@example.com")).toBeUndefined();
  });

  it("marks both resources of one turn that declare one person, in any letter case, each naming the other", async () => {
    const marks = await run(async () => ({
      alice: declaredTwiceMark("alice", ORG, "alice@example.com"),
      shouted: declaredTwiceMark("shouted", ORG, "Alice@Example.COM"),
      bob: declaredTwiceMark("bob", ORG, "bob@example.com"),
    }));
    expect(marks).toEqual({
      alice: { resource: "shouted", username: "Alice@Example.COM" },
      shouted: { resource: "alice", username: "alice@example.com" },
      bob: undefined,
    });
  });

  it("leaves the same person in another organization unmarked", async () => {
    const marks = await run(async () => ({
      here: declaredTwiceMark("here", ORG, "alice@example.com"),
      there: declaredTwiceMark("there", OTHER_ORG, "alice@example.com"),
    }));
    expect(marks).toEqual({ here: undefined, there: undefined });
  });

  it("waits for values the program learns later: the duplicate whose value arrives last is marked", async () => {
    const later = (value: string, ms: number): pulumi.Output<string> =>
      pulumi.output(new Promise<string>((resolve) => setTimeout(() => resolve(value), ms)));
    const marks = await run(async () => ({
      first: declaredTwiceMark("first", later(ORG, 10), "alice@example.com"),
      second: declaredTwiceMark("second", ORG, later("ALICE@example.com", 40)),
    }));
    // The first was handed on before the second was known; the provider's own guard covers it.
    expect(marks).toEqual({
      first: undefined,
      second: { resource: "first", username: "alice@example.com" },
    });
  });

  it("marks a duplicate declared after the program awaited, alone: the first was handed on already", async () => {
    const marks = await run(async () => {
      const first = declaredTwiceMark("first", ORG, "alice@example.com");
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { first, second: declaredTwiceMark("second", ORG, "alice@example.com") };
    });
    expect(marks).toEqual({
      first: undefined,
      second: { resource: "first", username: "alice@example.com" },
    });
  });

  it("keeps program runs apart: one process running the same program twice (Automation API) marks nothing", async () => {
    const declare = async () => ({ alice: declaredTwiceMark("alice", ORG, "alice@example.com") });
    expect(await run(declare)).toEqual({ alice: undefined });
    expect(await run(declare)).toEqual({ alice: undefined });
  });

  it("shares one registry between two copies of the package in one program", async () => {
    let copy: typeof declaredTwiceMark = declaredTwiceMark;
    await jest.isolateModulesAsync(async () => {
      ({ declaredTwiceMark: copy } = await import("../../provider/program-claims"));
    });
    expect(copy).not.toBe(declaredTwiceMark);
    const marks = await run(async () => ({
      mine: declaredTwiceMark("mine", ORG, "alice@example.com"),
      theirs: copy("theirs", ORG, "alice@example.com"),
    }));
    expect(marks).toEqual({
      mine: { resource: "theirs", username: "alice@example.com" },
      theirs: { resource: "mine", username: "alice@example.com" },
    });
  });
});

/**
 * The example programs (examples/basic, stack, with-teams) run whole, with their modules replaced
 * by recorders: `@pulumi/pulumi`'s Config answers from a map, and `OrgInvitation` records its name
 * and inputs and answers outputs the way an invitation made on the org users API has them (a
 * resource id and a `userId`, no `invitationId`). So these tests see what each program declares
 * and exports; test/host/with-teams.test.ts runs with-teams through the real host.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import * as declarations from "../../examples/stack/declarations";
import { ROOT } from "./helpers";

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";

interface Declared {
  name: string;
  args: Record<string, unknown>;
}

/** Runs examples/<example>/index.ts with `config` as its stack config; returns what it declared and exported. */
function runExample(
  example: "basic" | "stack" | "with-teams",
  config: Record<string, unknown>,
): { declared: Declared[]; exported: Record<string, unknown> } {
  const source = readFileSync(join(ROOT, "examples", example, "index.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  const declared: Declared[] = [];
  class Config {
    require(key: string): unknown {
      if (!(key in config)) throw new Error(`Missing required configuration variable ${key}`);
      return config[key];
    }
    requireObject(key: string): unknown {
      return this.require(key);
    }
  }
  /** An invitation as the org users API makes it: its id is the pending org user's. */
  class OrgInvitation {
    readonly id: string;
    readonly userId: string;
    readonly invitationId = undefined;
    readonly status = "PENDING";
    readonly expiresAt = "2026-08-10T03:03:37Z";
    readonly username: unknown;
    readonly teamIds: unknown;
    readonly groupRoleAssignments: unknown;
    constructor(name: string, args: Record<string, unknown>) {
      declared.push({ name, args });
      this.id = this.userId = `user-of-${name}`;
      this.username = args["username"];
      this.teamIds = args["teamIds"] ?? [];
      this.groupRoleAssignments = args["groupRoleAssignments"] ?? [];
    }
  }
  const modules: Record<string, unknown> = {
    "@pulumi/pulumi": { Config },
    "pulumi-atlas-org-invitations": { OrgInvitation },
    "./declarations": declarations,
    "@pulumi/mongodbatlas": {
      Project: class {
        id = "project-id";
      },
      Team: class {
        teamId = "team-id";
      },
    },
  };
  const fakeRequire = (id: string): unknown => {
    if (!(id in modules)) throw new Error(`unexpected require ${id}`);
    return modules[id];
  };
  const exported: Record<string, unknown> = {};
  new Function("require", "exports", outputText)(fakeRequire, exported);
  return { declared, exported };
}

/** Every invitation the program exports, as a list. */
function exportedInvitations(example: string, exported: Record<string, unknown>): unknown[] {
  const value = example === "with-teams" ? exported["invited"] : exported["invitations"];
  return Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
}

const STACK_CONFIG = {
  orgId: ORG,
  invitations: [
    { username: "alice@example.com", roles: ["ORG_MEMBER"], teamIds: ["64b7f1e2a3c4d5e6f7a8b9d1"] },
    { username: "bob@example.com", roles: ["ORG_MEMBER"], onAccepted: "retain" },
  ],
};

describe.each(["basic", "stack", "with-teams"] as const)("examples/%s", (example) => {
  it("exports each invitation's resource id, which an invitation made on the org users API has, and no output it lacks", () => {
    const { declared, exported } = runExample(
      example,
      example === "stack" ? STACK_CONFIG : { orgId: ORG },
    );
    const invitations = exportedInvitations(example, exported) as Record<string, unknown>[];
    expect(invitations).toHaveLength(2);
    expect(invitations.map((i) => i["id"])).toEqual(declared.map((d) => `user-of-${d.name}`));
    for (const invitation of invitations) {
      expect(Object.entries(invitation).filter(([, v]) => v === undefined)).toEqual([]);
    }
  });
});

describe("examples/stack", () => {
  it("names each resource as parseDeclaration does: from the address, or the entry's name, which is no input", () => {
    const { declared } = runExample("stack", {
      orgId: ORG,
      invitations: [
        { username: "a.b@example.com", roles: ["ORG_MEMBER"] },
        { username: "a-b@example.com", name: "invite-a-b-example-com-2", roles: ["ORG_MEMBER"] },
      ],
    });
    expect(declared).toEqual([
      {
        name: "invite-a-b-example-com",
        args: { orgId: ORG, username: "a.b@example.com", roles: ["ORG_MEMBER"] },
      },
      {
        name: "invite-a-b-example-com-2",
        args: { orgId: ORG, username: "a-b@example.com", roles: ["ORG_MEMBER"] },
      },
    ]);
  });

  it.each([
    {
      problem: "two addresses make one name",
      invitations: [
        { username: "a.b@example.com", roles: ["ORG_MEMBER"] },
        { username: "a+b@example.com", roles: ["ORG_MEMBER"] },
      ],
      message: /both get the resource name invite-a-b-example-com;/,
    },
    {
      problem: "a key is misspelt",
      invitations: [{ username: "alice@example.com", roles: ["ORG_MEMBER"], teamID: ["x"] }],
      message: /invitations\[0\]\.teamID \(alice@example\.com\) .*did you mean teamIds\?/,
    },
  ])("fails, naming the entry, when $problem", ({ invitations, message }) => {
    expect(() => runExample("stack", { orgId: ORG, invitations })).toThrow(message);
  });
});

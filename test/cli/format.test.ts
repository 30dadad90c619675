/**
 * The two output formats as pure functions: names like the stack program's, YAML that no reader
 * misreads, TypeScript whose literals no value from Atlas can break out of.
 */
import { parse } from "yaml";
import ts from "typescript";
import {
  parseDeclaration,
  resourceName as stackResourceName,
} from "../../examples/stack/declarations";
import {
  renderTypeScript,
  renderYaml,
  resourceName,
  uniqueResourceNames,
} from "../../provider/cli/format";
import type { GeneratedDeclaration } from "../../provider/cli/format";
import { typeCheck } from "./helpers";

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";

/** Values a YAML 1.1 or 1.2 reader would take for something else, or that end a TS literal. */
const HOSTILE: GeneratedDeclaration[] = [
  {
    username: "yes",
    roles: ["on", "null", "~"],
    teamIds: ["0123", "1e5", "1:20"],
    groupRoleAssignments: [],
  },
  {
    username: 'o"brien\\\n${x}`@example.com',
    roles: ["ORG_MEMBER", "#comment", "- dash", "a: b"],
    teamIds: [],
    groupRoleAssignments: [{ groupId: "'; process.exit(1); '", roles: ["GROUP_READ_ONLY"] }],
  },
  {
    username: "ünïcödé\u2028@example.com",
    roles: ["ORG_MEMBER"],
    teamIds: [],
    groupRoleAssignments: [],
  },
];

describe("resource names", () => {
  it("are the names of the stack program (examples/stack resourceName)", () => {
    for (const username of [
      "alice@example.com",
      "Bob@Example.COM",
      "erin.o'neil+x@ex.org",
      "ünï@x",
      "--",
    ]) {
      expect(resourceName(username)).toBe(stackResourceName(username));
    }
  });

  it("get a suffix when two addresses share one, and the clash is reported with the person who keeps it", () => {
    expect(uniqueResourceNames(["a.b@x.com", "a-b@x.com", "A_B@x.com", "c@x.com"])).toEqual({
      names: ["invite-a-b-x-com", "invite-a-b-x-com-2", "invite-a-b-x-com-3", "invite-c-x-com"],
      clashes: [
        {
          username: "a-b@x.com",
          name: "invite-a-b-x-com-2",
          base: "invite-a-b-x-com",
          holder: "a.b@x.com",
        },
        {
          username: "A_B@x.com",
          name: "invite-a-b-x-com-3",
          base: "invite-a-b-x-com",
          holder: "a.b@x.com",
        },
      ],
    });
  });

  it("never give a renamed person the name of someone whose name is theirs alone, so that person keeps it", () => {
    // a-b@x.com.2 is named invite-a-b-x-com-2 by the stack program; the suffix must skip it.
    const { names } = uniqueResourceNames(["a.b@x.com", "a+b@x.com", "a-b@x.com.2"]);
    expect(names).toEqual(["invite-a-b-x-com", "invite-a-b-x-com-3", "invite-a-b-x-com-2"]);
  });
});

describe("clashing names in the two formats", () => {
  const clashing: GeneratedDeclaration[] = [
    "a+b@example.com",
    "a-b@example.com",
    "a.b@example.com",
    "c@example.com",
  ].map((username) => ({ username, roles: ["ORG_MEMBER"], teamIds: [], groupRoleAssignments: [] }));

  it("the YAML gives a name only to the renamed people, and the stack program reads it with the names of the TypeScript form", () => {
    const yaml = parse(renderYaml({ orgId: ORG, declarations: clashing })) as {
      config: Record<string, { name?: string }[]>;
    };
    const entries = yaml.config["atlas-org-invitations:invitations"] ?? [];
    expect(entries.map((e) => e.name)).toEqual([
      undefined,
      "invite-a-b-example-com-2",
      "invite-a-b-example-com-3",
      undefined,
    ]);
    const declared = parseDeclaration(ORG, entries);
    const tsNames = [
      ...renderTypeScript({ orgId: ORG, declarations: clashing }).matchAll(
        /new OrgInvitation\("([^"]+)"/g,
      ),
    ].map((m) => m[1]);
    expect(declared.resources.map((r) => r.name)).toEqual(tsNames);
    expect(new Set(tsNames).size).toBe(4);
    // The name is no input of the invitation: what the program passes to OrgInvitation is unchanged.
    expect(declared.invitations.map((i) => Object.keys(i))).toEqual(
      clashing.map(() => ["username", "roles"]),
    );
  });

  it("the YAML without those names is refused by the stack program (a control for the test above)", () => {
    const yaml = parse(renderYaml({ orgId: ORG, declarations: clashing })) as {
      config: Record<string, Record<string, unknown>[]>;
    };
    const entries = (yaml.config["atlas-org-invitations:invitations"] ?? []).map(
      ({ name: _name, ...rest }) => rest,
    );
    expect(() => parseDeclaration(ORG, entries)).toThrow(/both get the resource name/);
  });
});

describe("YAML", () => {
  it("quotes whatever a YAML 1.1 or 1.2 reader would misread, so every value reads back as the same string", () => {
    const text = renderYaml({
      orgId: "012345678901234567890123",
      declarations: HOSTILE,
      onAccepted: "retain",
    });
    const expected = {
      config: {
        "atlas-org-invitations:orgId": "012345678901234567890123",
        "atlas-org-invitations:invitations": HOSTILE.map((d) => ({
          username: d.username,
          roles: d.roles,
          ...(d.teamIds.length > 0 && { teamIds: d.teamIds }),
          ...(d.groupRoleAssignments.length > 0 && {
            groupRoleAssignments: d.groupRoleAssignments,
          }),
          onAccepted: "retain",
        })),
      },
    };
    expect(parse(text)).toEqual(expected);
    expect(parse(text, { version: "1.1" })).toEqual(expected);
  });

  it("leaves out teamIds and onAccepted when there are none", () => {
    const text = renderYaml({
      orgId: ORG,
      declarations: [
        { username: "a@x.com", roles: ["ORG_MEMBER"], teamIds: [], groupRoleAssignments: [] },
      ],
    });
    expect(text).toContain("    - username: a@x.com\n      roles: [ORG_MEMBER]\n");
    expect(text).not.toContain("teamIds");
    expect(text).not.toContain("onAccepted");
  });
});

describe("TypeScript", () => {
  it("escapes every literal: hostile values type-check and evaluate to themselves", () => {
    const source = renderTypeScript({ orgId: ORG, declarations: HOSTILE, onAccepted: "fail" });
    expect(typeCheck(source)).toEqual([]);
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    const seen: unknown[] = [];
    class OrgInvitation {
      constructor(_name: string, args: unknown) {
        seen.push(args);
      }
    }
    new Function("require", "exports", outputText)(() => ({ OrgInvitation }), {});
    expect(seen).toEqual(
      HOSTILE.map((d) => ({
        orgId: ORG,
        username: d.username,
        roles: d.roles,
        ...(d.teamIds.length > 0 && { teamIds: d.teamIds }),
        ...(d.groupRoleAssignments.length > 0 && { groupRoleAssignments: d.groupRoleAssignments }),
        onAccepted: "fail",
      })),
    );
  }, 60_000);

  it("is a valid module with no invitations too", () => {
    const source = renderTypeScript({ orgId: ORG, declarations: [] });
    expect(source).not.toContain("new OrgInvitation");
    expect(typeCheck(source)).toEqual([]);
  }, 60_000);

  it("the type-check catches a wrong declaration (a control for the checks above)", () => {
    const source = renderTypeScript({
      orgId: ORG,
      declarations: [
        { username: "a@x.com", roles: ["ORG_MEMBER"], teamIds: [], groupRoleAssignments: [] },
      ],
    }).replace("roles:", "rolez:");
    expect(typeCheck(source).join("\n")).toMatch(/rolez/);
  }, 60_000);
});

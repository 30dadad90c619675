/**
 * How `generate` writes the declarations: the stack config the root project's program reads
 * (examples/stack), a TypeScript snippet, or the resource file of `pulumi import --file` for the
 * provider plugin. Pure functions of the declarations, so the YAML and TypeScript are the same for
 * the same pending invitations, whichever Atlas API they were read from (the import file names
 * each invitation by that API's id).
 */
import { Document, isScalar, visit } from "yaml";
import type { OnAcceptedPolicy } from "../model";
import { ORG_INVITATION_TYPE } from "../properties";

/** The output formats of `generate`. */
export type OutputFormat = "yaml" | "ts" | "import";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["yaml", "ts", "import"];

/** One person's pending invitation, as it will be declared. Lists are sorted and without repeats. */
export interface GeneratedDeclaration {
  /**
   * The id Atlas gives the invitation in the API it was read from: the invitation id (invites
   * API) or the pending org user's id (org users API), 24 lower-case hex characters. Only the
   * import file uses it; absent where Atlas's answer had none.
   */
  id?: string | undefined;
  username: string;
  roles: string[];
  teamIds: string[];
  /** Project roles, one entry per project. */
  groupRoleAssignments: { groupId: string; roles: string[] }[];
}

/** What every format needs besides the declarations. */
export interface RenderInput {
  orgId: string;
  /** Sorted by username (see `generate`). */
  declarations: readonly GeneratedDeclaration[];
  /** Written into every declaration when set; left out otherwise (the provider's default, "fail"). */
  onAccepted?: OnAcceptedPolicy | undefined;
}

/**
 * The Pulumi config namespace of the root project (Pulumi.yaml `name`), which examples/stack
 * reads with `new pulumi.Config()`.
 */
export const STACK_NAMESPACE = "atlas-org-invitations";

/**
 * A stable Pulumi resource name per person. The same function as `resourceName` in
 * examples/stack/declarations.ts (the package cannot import from examples/, which is not built;
 * a test keeps the two equal), so a TypeScript program and the stack program name people alike.
 *
 * Letter case is folded but the Unicode form is deliberately not normalised (unlike identity.ts
 * `comparableUsername`, which decides who is the same person): the name is a resource's identity
 * in a stack, and a changed name replaces the resource (a new invitation sent, the old one
 * cancelled), so this function must keep giving existing addresses the names it always gave.
 * Two forms of one address never both reach it from `generate`, which keeps one invitation per
 * person (`onePerPerson`).
 */
export function resourceName(username: string): string {
  return `invite-${username.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

/** A person whose `resourceName` an earlier person already has, and the name they get instead. */
export interface NameClash {
  username: string;
  /** The name given instead: `base-2`, `base-3`... */
  name: string;
  /** `resourceName(username)`, which an earlier person keeps. */
  base: string;
  /** That earlier person. */
  holder: string;
}

/**
 * Resource names for the declarations, in order, all different. Two addresses can map to one name
 * (`a.b@x.com`, `a-b@x.com`, `a+b@x.com`); Pulumi refuses two resources with one name, and the
 * stack program refuses two entries with one. The first person keeps it; each later one gets the
 * first of `-2`, `-3`... that is nobody's name, so every person whose name is theirs alone keeps
 * `resourceName(username)` (the name their resource may already have in a stack). `clashes` lists
 * the renamed, so the caller can say so.
 */
export function uniqueResourceNames(usernames: readonly string[]): {
  names: string[];
  clashes: NameClash[];
} {
  const bases = usernames.map(resourceName);
  const taken = new Set(bases);
  const holders = new Map<string, string>();
  const clashes: NameClash[] = [];
  const names = usernames.map((username, i) => {
    const base = bases[i] ?? resourceName(username);
    const holder = holders.get(base);
    if (holder === undefined) {
      holders.set(base, username);
      return base;
    }
    let n = 2;
    while (taken.has(`${base}-${n}`)) n++;
    const name = `${base}-${n}`;
    taken.add(name);
    clashes.push({ username, name, base, holder });
    return name;
  });
  return { names, clashes };
}

function count(n: number): string {
  return n === 1 ? "1 pending invitation" : `${n} pending invitations`;
}

/**
 * The stack config of examples/stack (`atlas-org-invitations:orgId` and
 * `atlas-org-invitations:invitations`) under a top-level `config:` key, so the output is a
 * complete stack settings file (`Pulumi.<stack>.yaml`); to merge it into an existing one, copy the
 * two keys under its `config:`. A person whose address makes another's resource name gets a
 * `name:` (`uniqueResourceNames`), the same name the TypeScript form gives them.
 *
 * Written with the `yaml` package and the YAML 1.1 schema, so every value that a YAML 1.1 reader
 * would take for something else (`yes`, `0123`, `1e5`...) is quoted; Pulumi reads the file as
 * YAML, and a quoted string is a string under 1.1 and 1.2 alike.
 */
export function renderYaml(input: RenderInput): string {
  const { names } = uniqueResourceNames(input.declarations.map((d) => d.username));
  const invitations = input.declarations.map((d, i) => ({
    username: d.username,
    // Only where the stack program's own name (resourceName) is another person's: everyone else
    // keeps the name the program gives them, and the file stays as short as before.
    ...(names[i] !== undefined && names[i] !== resourceName(d.username) && { name: names[i] }),
    roles: [...d.roles],
    ...(d.teamIds.length > 0 && { teamIds: [...d.teamIds] }),
    ...(d.groupRoleAssignments.length > 0 && {
      groupRoleAssignments: d.groupRoleAssignments.map((g) => ({
        groupId: g.groupId,
        roles: [...g.roles],
      })),
    }),
    ...(input.onAccepted !== undefined && { onAccepted: input.onAccepted }),
  }));
  const doc = new Document(
    {
      config: {
        [`${STACK_NAMESPACE}:orgId`]: input.orgId,
        [`${STACK_NAMESPACE}:invitations`]: invitations,
      },
    },
    { version: "1.1" },
  );
  // Lists of scalars on one line (`roles: [ORG_MEMBER]`), as the README and Pulumi.emulator.yaml
  // write them: one line per person's list reads better in a review of the generated file.
  visit(doc, {
    Seq(_key, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  doc.commentBefore =
    ` ${count(input.declarations.length)} of Atlas organization ${input.orgId}, written by\n` +
    ` \`pulumi-atlas-org-invitations generate\` for the stack program of examples/stack.\n` +
    " The first `pulumi up` adopts each of them: no new invitation is sent.";
  // lineWidth 0: never fold a long value onto a second line.
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** A TypeScript string literal: JSON's escaping is valid TypeScript. */
const str = (value: string): string => JSON.stringify(value);
const strList = (values: readonly string[]): string => `[${values.map(str).join(", ")}]`;

/**
 * A TypeScript module: one `new OrgInvitation(...)` per person, named like the stack program
 * names its resources (`uniqueResourceNames`). Every string is written with `JSON.stringify`, so
 * no value from Atlas can end a literal early.
 */
export function renderTypeScript(input: RenderInput): string {
  const header = [
    `// ${count(input.declarations.length)} of Atlas organization ${input.orgId}, written by`,
    "// `pulumi-atlas-org-invitations generate`. The first `pulumi up` adopts each of them:",
    "// no new invitation is sent.",
  ];
  if (input.declarations.length === 0) return `${header.join("\n")}\nexport {};\n`;
  const { names } = uniqueResourceNames(input.declarations.map((d) => d.username));
  const blocks = input.declarations.map((d, i) => {
    const lines = [
      `new OrgInvitation(${str(names[i] ?? resourceName(d.username))}, {`,
      "  orgId,",
      `  username: ${str(d.username)},`,
      `  roles: ${strList(d.roles)},`,
    ];
    if (d.teamIds.length > 0) lines.push(`  teamIds: ${strList(d.teamIds)},`);
    if (d.groupRoleAssignments.length > 0) {
      lines.push("  groupRoleAssignments: [");
      for (const g of d.groupRoleAssignments) {
        lines.push(`    { groupId: ${str(g.groupId)}, roles: ${strList(g.roles)} },`);
      }
      lines.push("  ],");
    }
    if (input.onAccepted !== undefined) lines.push(`  onAccepted: ${str(input.onAccepted)},`);
    lines.push("});");
    return lines.join("\n");
  });
  return [
    ...header,
    "",
    'import { OrgInvitation } from "pulumi-atlas-org-invitations";',
    "",
    `const orgId = ${str(input.orgId)};`,
    "",
    blocks.join("\n\n"),
    "",
  ].join("\n");
}

/**
 * The file `pulumi import --file <file>` reads: one entry per invitation, with the plugin's type
 * token, the resource name the other formats give the person (`uniqueResourceNames`), and the
 * import id `<orgId>/<id>`. The fields are those of the Pulumi CLI's `importFile`/`importSpec`
 * (pkg/cmd/pulumi/operations/import.go, v3.276.0: `type`, `name`, `id`), which also makes `name`
 * the resource's name in the code the command writes.
 */
export interface ImportFile {
  resources: { type: string; name: string; id: string }[];
}

/**
 * The import file as JSON. A declaration without an id is left out (`generate` warns about it
 * first); `onAccepted` is not written, because `pulumi import` takes every input from the
 * provider's read (a supplied input only fills one the read leaves out), so the imported
 * invitation has the default, `fail`.
 */
export function renderImport(input: RenderInput): string {
  const { names } = uniqueResourceNames(input.declarations.map((d) => d.username));
  const file: ImportFile = {
    resources: input.declarations.flatMap((d, i) =>
      d.id === undefined
        ? []
        : [
            {
              type: ORG_INVITATION_TYPE,
              name: names[i] ?? resourceName(d.username),
              id: `${input.orgId}/${d.id}`,
            },
          ],
    ),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The output in `format`. */
export function render(format: OutputFormat, input: RenderInput): string {
  switch (format) {
    case "yaml":
      return renderYaml(input);
    case "ts":
      return renderTypeScript(input);
    case "import":
      return renderImport(input);
  }
}

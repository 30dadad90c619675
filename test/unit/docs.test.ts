/**
 * The registry pages in docs/ (issue 21, item 7) against what they document: every example's
 * property names are the schema's (schema/schema.json, derived from provider/properties.ts), every
 * SDK name an example uses is one the generated SDKs (sdk/) define, every token, config key and
 * environment variable is real, the configuration table is the settings table's, the import file
 * shown is what `generate --format import` writes, and the dynamic-provider example type-checks
 * against the package. Reads files only: no Go, Python or network.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { renderImport } from "../../provider/cli/format";
import { ORG_INVITATION_TYPE, PLUGIN_PACKAGE } from "../../provider/properties";
import { PLUGIN_SETTINGS, packageSchema } from "../../provider/schema";
import { SETTINGS, configKeyOf } from "../../provider/settings-table";
import { typeCheck } from "../cli/helpers";

const ROOT = join(__dirname, "..", "..");
const PAGES = ["docs/_index.md", "docs/installation-configuration.md", "docs/import.md"];
const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");
const schema = packageSchema();
const resource = schema.resources[ORG_INVITATION_TYPE];
const INPUTS = Object.keys(resource?.inputProperties ?? {}).sort();
const GROUP_FIELDS = Object.keys(
  schema.types[`${PLUGIN_PACKAGE}:index:GroupRoleAssignment`]?.properties ?? {},
).sort();
const POLICIES = (schema.types[`${PLUGIN_PACKAGE}:index:OnAcceptedPolicy`]?.enum ?? []).map(
  (e) => e.value,
);

interface Block {
  page: string;
  lang: string;
  code: string;
}

function blocks(page: string): Block[] {
  return [...read(page).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    page,
    lang: m[1] ?? "",
    code: m[2] ?? "",
  }));
}

const ALL = PAGES.flatMap(blocks);

function only(page: string, lang: string, contains: string): Block {
  const found = blocks(page).filter((b) => b.lang === lang && b.code.includes(contains));
  if (found.length !== 1)
    throw new Error(`${page}: ${found.length} ${lang} blocks with ${contains}`);
  return found[0] as Block;
}

const unique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
const camel = (snake: string): string =>
  snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** Every input is used, and every property named is an input or a GroupRoleAssignment field. */
function expectSchemaProperties(names: string[]): void {
  const used = unique(names);
  expect(used.filter((n) => !INPUTS.includes(n) && !GROUP_FIELDS.includes(n))).toEqual([]);
  expect(INPUTS.filter((n) => !used.includes(n))).toEqual([]);
}

describe("docs/: names that must exist", () => {
  it("every type token named is a resource or type of the schema", () => {
    const tokens = unique(
      PAGES.flatMap((p) => read(p).match(/atlasorginvitations:index:\w+/g) ?? []),
    );
    expect(tokens).toContain(ORG_INVITATION_TYPE);
    const known = [...Object.keys(schema.resources), ...Object.keys(schema.types)];
    expect(tokens.filter((t) => !known.includes(t))).toEqual([]);
  });

  it("every atlasorginvitations: config key named is a config variable of the schema", () => {
    const keys = unique(
      PAGES.flatMap((p) =>
        [...read(p).matchAll(/atlasorginvitations:(\w+)/g)].map((m) => m[1] ?? ""),
      ),
    ).filter((k) => k !== "index");
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.filter((k) => !(k in schema.config.variables))).toEqual([]);
  });

  it("every environment variable named is one the settings table reads", () => {
    const known = Object.values(SETTINGS).flatMap((s) => [...s.env]);
    const named = unique(
      PAGES.flatMap((p) => read(p).match(/\b(?:MONGODB_ATLAS|ATLAS_INVITATIONS)_[A-Z_]+/g) ?? []),
    );
    expect(named.filter((n) => !known.includes(n))).toEqual([]);
  });
});

describe("docs/_index.md: one example per language, each with the schema's properties", () => {
  it("TypeScript (generated SDK): every input, and SDK names the generated package exports", () => {
    const { code } = only("docs/_index.md", "typescript", "@pulumi-atlas-org-invitations/sdk");
    expect(code).toContain(`from "${schema.language.nodejs.packageName}"`);
    expectSchemaProperties([...code.matchAll(/^\s+(?:\{ )?(\w+):/gm)].map((m) => m[1] ?? ""));
    const index = read("sdk/nodejs/index.ts");
    const enums = read("sdk/nodejs/types/enums/index.ts");
    expect(index).toMatch(/export const OrgInvitation\b/);
    expect(index).toContain('export * from "./types/enums"');
    for (const [, type, member] of code.matchAll(
      /atlasorginvitations\.(OnAcceptedPolicy)\.(\w+)/g,
    )) {
      expect(enums).toContain(`export const ${type} = {`);
      expect(enums).toMatch(new RegExp(`^\\s+${member}: "`, "m"));
    }
  });

  it("Python: every input as a keyword, and classes the generated package defines", () => {
    const { code } = only("docs/_index.md", "python", "OrgInvitation(");
    expect(code).toContain(`import ${schema.language.python.packageName} as`);
    expectSchemaProperties([...code.matchAll(/^\s+(\w+)=/gm)].map((m) => camel(m[1] ?? "")));
    const dir = `sdk/python/${schema.language.python.packageName}`;
    expect(read(`${dir}/org_invitation.py`)).toContain("class OrgInvitation(");
    expect(read(`${dir}/_inputs.py`)).toContain("class GroupRoleAssignmentArgs:");
    const policy = /OnAcceptedPolicy\.(\w+)/.exec(code)?.[1];
    expect(read(`${dir}/_enums.py`)).toContain(`    ${policy} = "`);
  });

  it("Go: every input as a field, and names the generated package defines", () => {
    const { code } = only("docs/_index.md", "go", "NewOrgInvitation");
    expect(code).toContain(`"${schema.language.go.importBasePath}"`);
    expectSchemaProperties(
      [...code.matchAll(/^\s+([A-Z]\w*):/gm)].map((m) => lowerFirst(m[1] ?? "")),
    );
    const dir = "sdk/go/atlasorginvitations";
    const go = ["orgInvitation.go", "pulumiTypes.go", "pulumiEnums.go"]
      .map((f) => read(`${dir}/${f}`))
      .join("\n");
    for (const name of unique(
      [...code.matchAll(/atlasorginvitations\.(\w+)/g)].map((m) => m[1] ?? ""),
    )) {
      expect(go).toMatch(new RegExp(`^(?:func ${name}\\(|type ${name} |\\s+${name}\\s+= )`, "m"));
    }
  });

  it("YAML: the type token, every input, and an onAccepted value of the enum", () => {
    const { code } = only("docs/_index.md", "yaml", "runtime: yaml");
    const program = parse(code) as {
      resources: Record<string, { type: string; properties: Record<string, unknown> }>;
    };
    const alice = program.resources["alice"];
    expect(alice?.type).toBe(ORG_INVITATION_TYPE);
    const props = alice?.properties ?? {};
    const groups = (props["groupRoleAssignments"] ?? []) as Record<string, unknown>[];
    expectSchemaProperties([...Object.keys(props), ...groups.flatMap((g) => Object.keys(g))]);
    expect(POLICIES).toContain(props["onAccepted"]);
  });

  it("the dynamic provider's TypeScript type-checks against this package", () => {
    const { code } = only("docs/_index.md", "typescript", 'from "pulumi-atlas-org-invitations"');
    expect(typeCheck(code)).toEqual([]);
  }, 60_000);
});

describe("docs/installation-configuration.md: the configuration table is the settings table's", () => {
  const rows = new Map(
    read("docs/installation-configuration.md")
      .split("\n")
      .filter((l) => /^\| `\w+` +\|/.test(l))
      .map((l) => {
        const cells = l
          .split("|")
          .slice(1, -1)
          .map((c) => c.trim());
        return [cells[0]?.replaceAll("`", "") ?? "", cells] as const;
      }),
  );

  it("has one row per setting, the plugin's settings and the environment-only one", () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(SETTINGS).sort());
  });

  it.each([...PLUGIN_SETTINGS, "onAccepted" as const])(
    "%s: config key, variables in order, default and range, secrecy",
    (name) => {
      const [, key, env, def, secret] = rows.get(name) ?? [];
      const spec = SETTINGS[name];
      const configKey = configKeyOf(name, "plugin");
      expect(key).toBe(configKey === undefined ? "(environment only)" : `\`${configKey}\``);
      expect(env).toBe(spec.env.map((v) => `\`${v}\``).join(", "));
      const range = spec.range ? ` (${spec.range.min}-${spec.range.max})` : "";
      expect(def).toBe(spec.default === undefined ? "" : `\`${spec.default}\`${range}`);
      expect(secret).toBe(spec.secret ? "yes" : "");
    },
  );
});

describe("docs/import.md", () => {
  it("shows the import file exactly as generate --format import writes it", () => {
    const { code } = only("docs/import.md", "json", '"resources"');
    const orgId = "5f1e2d3c4b5a69788776655a";
    const person = (id: string, username: string) => ({
      id,
      username,
      roles: ["ORG_MEMBER"],
      teamIds: [],
      groupRoleAssignments: [],
    });
    expect(code).toBe(
      renderImport({
        orgId,
        declarations: [
          person("6a1e2d3c4b5a69788776655a", "alice@example.com"),
          person("6a1e2d3c4b5a69788776655b", "bob@example.com"),
        ],
      }),
    );
  });

  it("the single import command names the type token and an id of the documented form", () => {
    const { code } = only("docs/import.md", "sh", "pulumi import atlasorginvitations");
    expect(code.trim()).toMatch(
      new RegExp(`^pulumi import ${ORG_INVITATION_TYPE} [a-z][\\w-]* [0-9a-f]{24}/[0-9a-f]{24}$`),
    );
  });

  it("names every other page it links to, and they exist", () => {
    for (const page of PAGES) {
      for (const [, target] of read(page).matchAll(/\]\(([\w-]+\.md)\)/g)) {
        expect(() => read(`docs/${target}`)).not.toThrow();
      }
    }
    expect(ALL.length).toBeGreaterThan(8);
  });
});

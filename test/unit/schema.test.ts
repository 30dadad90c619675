/**
 * The package schema (schema/schema.json) and the SDKs generated from it (sdk/), issue 21 items 2
 * and 3. The schema is derived, never hand-written: the file must be what provider/schema.ts
 * derives from the property table (provider/properties.ts) and the settings table. And it must say
 * what the provider code does: its resource's inputs and outputs are compared with the property
 * codec, `check` and `diff`, its configuration with the settings table.
 * The generated SDKs must be what the generator makes of this schema: sdk/MANIFEST.sha256, which
 * `npm run gen-sdk` writes, holds the hash of the schema and of every generated file, and this
 * test recomputes them (without Go; `npm run gen-sdk -- --check` regenerates and compares).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { changedProperties } from "../../provider/diff";
import type { InvitationState } from "../../provider/model";
import { DEFAULT_ON_ACCEPTED, ON_ACCEPTED_POLICIES, UNKNOWN } from "../../provider/model";
import { ORG_INVITATION_TYPE, PLUGIN_PACKAGE } from "../../provider/properties";
import { parseDeclared, toInputs, toOutputs } from "../../provider/property-codec";
import { packageSchema } from "../../provider/schema";
import { SETTINGS } from "../../provider/settings-table";
import type { SettingName } from "../../provider/settings-table";
import { validateInputs } from "../../provider/validate";
import {
  LANGUAGES,
  MANIFEST_PATH,
  ROOT,
  SCHEMA_PATH,
  generatedFiles,
  readManifest,
  sha256,
} from "../../scripts/gen-sdk";

interface PropertySpec {
  type?: string;
  $ref?: string;
  items?: PropertySpec;
  description?: string;
  default?: unknown;
  defaultInfo?: { environment?: string[] };
  secret?: boolean;
  willReplaceOnChanges?: boolean;
}

interface ResourceSpec {
  inputProperties: Record<string, PropertySpec>;
  requiredInputs: string[];
  properties: Record<string, PropertySpec>;
  required: string[];
}

interface TypeSpec {
  type: string;
  properties?: Record<string, PropertySpec>;
  required?: string[];
  enum?: { name: string; value: string }[];
}

interface PackageSpec {
  name: string;
  version: string;
  license: string;
  repository?: string;
  config: { variables: Record<string, PropertySpec> };
  provider: { inputProperties: Record<string, PropertySpec> };
  resources: Record<string, ResourceSpec>;
  types: Record<string, TypeSpec>;
  language: {
    nodejs: { packageName: string };
    python: { packageName: string };
    go: { importBasePath: string };
    csharp: { rootNamespace: string };
  };
}

const schema = JSON.parse(readFileSync(join(ROOT, SCHEMA_PATH), "utf8")) as PackageSpec;
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  license: string;
  repository?: string | { url: string };
};
const TOKEN = "atlasorginvitations:index:OrgInvitation";
const GROUP_TYPE = "atlasorginvitations:index:GroupRoleAssignment";
const POLICY_TYPE = "atlasorginvitations:index:OnAcceptedPolicy";

function resource(): ResourceSpec {
  const spec = schema.resources[TOKEN];
  if (!spec) throw new Error(`schema/schema.json has no resource ${TOKEN}`);
  return spec;
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

/** A state with every field the provider can report: its outputs are every output. */
const FULL: InvitationState = {
  id: "6a1e2d3c4b5a69788776655a",
  declared: {
    orgId: "5f1e2d3c4b5a69788776655a",
    username: "alice@example.com",
    roles: ["ORG_MEMBER"],
    teamIds: ["5f1e2d3c4b5a69788776655b"],
    groupRoleAssignments: [{ groupId: "5f1e2d3c4b5a69788776655c", roles: ["GROUP_READ_ONLY"] }],
    onAccepted: "retain",
  },
  invitationId: "6a1e2d3c4b5a69788776655a",
  userId: "6b1e2d3c4b5a69788776655a",
  orgName: "Example",
  createdAt: "2026-08-10T03:03:37Z",
  expiresAt: "2026-09-09T03:03:37Z",
  inviterUsername: "mdb_sa_id_example",
  status: "PENDING",
};

/** A state with only what is always there: its outputs are the required outputs. */
const MINIMAL: InvitationState = {
  id: "",
  declared: parseDeclared({ orgId: "5f1e2d3c4b5a69788776655a", username: "bob@example.com" }),
  status: "PENDING",
};

/** The input names `check` knows, from its own refusal of an unknown one ("Inputs are: ..."). */
function checkInputNames(): string[] {
  const reason = validateInputs({ notAnInput: true }).find((f) => f.property === "notAnInput");
  const list = /Inputs are: (.+)\.$/.exec(reason?.reason ?? "")?.[1];
  if (list === undefined) throw new Error(`check named no inputs: ${reason?.reason}`);
  return list.split(", ");
}

describe("schema/schema.json: the package", () => {
  it("is exactly what provider/schema.ts derives: edit the definitions and run `npm run gen-sdk`, never the file", () => {
    // JSON round trip: the file holds no `undefined`, and key order is not compared here (prettier
    // --check in lint keeps the file's formatting; `npm run gen-sdk -- --check` compares the text).
    expect(schema).toEqual(JSON.parse(JSON.stringify(packageSchema())));
  });

  it("is atlasorginvitations at the package's version and license", () => {
    expect(schema.name).toBe("atlasorginvitations");
    expect(PLUGIN_PACKAGE).toBe(schema.name);
    expect(ORG_INVITATION_TYPE).toBe(TOKEN);
    expect(schema.version).toBe(pkg.version);
    expect(schema.license).toBe(pkg.license);
    // package.json has no repository field yet; once it has one, the schema must name the same.
    if (pkg.repository !== undefined) {
      const url = typeof pkg.repository === "string" ? pkg.repository : pkg.repository.url;
      expect(url.replace(/^git\+/, "").replace(/\.git$/, "")).toBe(schema.repository);
    }
  });

  it("names the package in every language", () => {
    expect(schema.language.nodejs.packageName).toBe("@pulumi-atlas-org-invitations/sdk");
    expect(schema.language.python.packageName).toBe("pulumi_atlasorginvitations");
    expect(schema.language.go.importBasePath).toBe(
      "github.com/pulumi-atlas-org-invitations/sdk/go/atlasorginvitations",
    );
    expect(schema.language.csharp.rootNamespace).toBe("PulumiAtlas");
  });
});

describe("schema/schema.json: OrgInvitation is the dynamic resource's", () => {
  it("inputs are the ones check validates and the codec reads back", () => {
    const inputs = sorted(Object.keys(resource().inputProperties));
    expect(inputs).toEqual(sorted(checkInputNames()));
    expect(inputs).toEqual(sorted(Object.keys(toInputs(FULL))));
    expect(inputs).toEqual(sorted(Object.keys(parseDeclared({ orgId: "o", username: "u" }))));
  });

  it("required inputs are the ones check refuses to go without", () => {
    const missing = validateInputs({}).map((f) => f.property);
    expect(sorted(resource().requiredInputs)).toEqual(sorted(missing));
  });

  it("outputs are every field the codec writes, and the required ones those always written", () => {
    expect(sorted(Object.keys(resource().properties))).toEqual(
      sorted(Object.keys(toOutputs(FULL))),
    );
    expect(sorted(resource().required)).toEqual(sorted(Object.keys(toOutputs(MINIMAL))));
  });

  it("marks as replacing exactly the inputs diff replaces on", () => {
    const allUnknown = Object.fromEntries(checkInputNames().map((k) => [k, UNKNOWN]));
    const { replaces } = changedProperties(FULL, allUnknown);
    const marked = (props: Record<string, PropertySpec>): string[] =>
      Object.entries(props).flatMap(([k, p]) => (p.willReplaceOnChanges === true ? [k] : []));
    expect(sorted(marked(resource().inputProperties))).toEqual(sorted(replaces));
    expect(sorted(marked(resource().properties))).toEqual(sorted(replaces));
    for (const name of replaces) {
      expect(resource().inputProperties[name]?.description).toMatch(/replaces the invitation/);
    }
  });

  it("types groupRoleAssignments as the codec writes them and onAccepted as its policies", () => {
    const group = schema.types[GROUP_TYPE];
    const written = toOutputs(FULL).groupRoleAssignments[0] ?? {};
    expect(sorted(Object.keys(group?.properties ?? {}))).toEqual(sorted(Object.keys(written)));
    expect(sorted(group?.required ?? [])).toEqual(sorted(Object.keys(written)));
    for (const props of [resource().inputProperties, resource().properties]) {
      expect(props["groupRoleAssignments"]?.items?.$ref).toBe(`#/types/${GROUP_TYPE}`);
      expect(props["onAccepted"]?.$ref).toBe(`#/types/${POLICY_TYPE}`);
    }
    expect(schema.types[POLICY_TYPE]?.enum?.map((e) => e.value)).toEqual([...ON_ACCEPTED_POLICIES]);
    expect(resource().inputProperties["onAccepted"]?.default).toBe(DEFAULT_ON_ACCEPTED);
  });

  it("documents every property", () => {
    const all = [
      ...Object.values(resource().inputProperties),
      ...Object.values(resource().properties),
      ...Object.values(schema.types[GROUP_TYPE]?.properties ?? {}),
    ];
    for (const p of all) expect(p.description?.length ?? 0).toBeGreaterThan(20);
  });
});

describe("schema/schema.json: configuration is the settings table's", () => {
  const names = (Object.keys(SETTINGS) as SettingName[]).filter((n) => n !== "onAccepted");
  const variables = schema.config.variables;

  it("has one config variable per setting Pulumi config can set, under the same name", () => {
    expect(sorted(Object.keys(variables))).toEqual(sorted(names));
    // The plugin's key is the dynamic provider's key in the plugin's own namespace:
    // `mongodbatlas:privateKey` -> `atlasorginvitations:privateKey` (schema/README.md).
    for (const name of names) {
      expect(SETTINGS[name].config?.split(":")[1]).toBe(name);
      expect(variables[name]?.description).toContain(`Config \`atlasorginvitations:${name}\``);
    }
    expect(SETTINGS.onAccepted.config).toBeUndefined();
  });

  it.each(names)("%s: same environment variables, secrecy, default and range", (name) => {
    const spec = SETTINGS[name];
    const variable = variables[name];
    expect(variable?.defaultInfo?.environment).toEqual([...spec.env]);
    expect(variable?.secret === true).toBe(spec.secret);
    expect(variable?.default === undefined ? undefined : String(variable.default)).toBe(
      spec.default,
    );
    expect(variable?.type).toBe(spec.range ? "integer" : "string");
    const description = variable?.description ?? "";
    for (const env of spec.env) expect(description).toContain(`\`${env}\``);
    if (spec.range) expect(description).toContain(`(${spec.range.min}-${spec.range.max})`);
    if (spec.default !== undefined) {
      const shown = /^\d+$/.test(spec.default) ? spec.default : `\`${spec.default}\``;
      expect(description).toContain(`Default ${shown}.`);
    }
    for (const value of spec.values ?? []) expect(description).toContain(`\`${value}\``);
  });

  it("gives an explicit provider the same settings, secret alike, and leaves the environment to the plugin", () => {
    const inputs = schema.provider.inputProperties;
    expect(sorted(Object.keys(inputs))).toEqual(sorted(names));
    for (const name of names) {
      expect(inputs[name]?.secret === true).toBe(SETTINGS[name].secret);
      expect(inputs[name]?.type).toBe(variables[name]?.type);
      // An SDK default or environment fallback here would copy the variables into the provider's
      // inputs (and state), and make config win over the environment where neither was set.
      expect(inputs[name]?.default).toBeUndefined();
      expect(inputs[name]?.defaultInfo).toBeUndefined();
      for (const env of SETTINGS[name].env) expect(inputs[name]?.description).toContain(env);
    }
  });
});

describe("sdk/: generated from this schema (sdk/MANIFEST.sha256)", () => {
  const manifest = readManifest();

  it("lists the schema and exactly the generated files on disk", () => {
    expect([...manifest.keys()]).toEqual([SCHEMA_PATH, ...generatedFiles()]);
    for (const language of LANGUAGES) {
      expect(
        generatedFiles().filter((p) => p.startsWith(`sdk/${language}/`)).length,
      ).toBeGreaterThan(5);
    }
  });

  it("leaves out what installing and building an SDK writes: package-manager lock files, node_modules, bin", () => {
    const dir = join(ROOT, ".tmp", `gen-sdk-byproducts-${process.pid}`);
    const file = (path: string): void => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), "{}\n");
    };
    try {
      file("nodejs/index.ts");
      file("nodejs/types/input.ts");
      for (const byproduct of [
        "nodejs/package-lock.json",
        "nodejs/yarn.lock",
        "nodejs/pnpm-lock.yaml",
        "nodejs/node_modules/@pulumi/pulumi/package.json",
        "nodejs/bin/index.js",
        "python/build/lib/x.py",
        "go/go.sum",
      ])
        file(byproduct);
      const base = relative(ROOT, dir).split(sep).join("/");
      expect(generatedFiles(dir)).toEqual([
        `${base}/nodejs/index.ts`,
        `${base}/nodejs/types/input.ts`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("holds the schema's hash: an edited schema fails until `npm run gen-sdk`", () => {
    expect(sha256(SCHEMA_PATH)).toBe(manifest.get(SCHEMA_PATH));
  });

  it("holds every generated file's hash: a hand edit fails until `npm run gen-sdk`", () => {
    const differing = [...manifest].filter(([path, hash]) => sha256(path) !== hash);
    expect(differing.map(([path]) => path)).toEqual([]);
  });

  it("carries the schema's package name and version into the generated packages", () => {
    const nodejs = JSON.parse(readFileSync(join(ROOT, "sdk/nodejs/package.json"), "utf8")) as {
      name: string;
      version: string;
      pulumi: { name: string; version: string };
    };
    expect(nodejs.name).toBe(schema.language.nodejs.packageName);
    expect(nodejs.version).toBe(schema.version);
    expect(nodejs.pulumi).toMatchObject({ name: schema.name, version: schema.version });
    const pyproject = readFileSync(join(ROOT, "sdk/python/pyproject.toml"), "utf8");
    expect(pyproject).toContain(`version = "${schema.version}"`);
    const gomod = readFileSync(join(ROOT, "sdk/go/go.mod"), "utf8");
    expect(gomod).toContain(`module ${schema.language.go.importBasePath.replace(/\/[^/]+$/, "")}`);
    expect(MANIFEST_PATH).toBe("sdk/MANIFEST.sha256");
  });
});

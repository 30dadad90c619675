/**
 * The package's public face: the root exports only what a Pulumi program needs (the resource, its
 * types, its provider, the error family and its guards), the Atlas client lives behind the
 * `./atlas` subpath, and every exported symbol (and every input and output of `OrgInvitation`)
 * carries TSDoc. Read from the sources with the TypeScript compiler, as `tsc` emits the `.d.ts`
 * files of the packed package from them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const ROOT = join(__dirname, "..", "..");
const program = ts.createProgram(
  [join(ROOT, "provider/index.ts"), join(ROOT, "provider/atlas/index.ts")],
  {
    strict: true,
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    esModuleInterop: true,
  },
);
const checker = program.getTypeChecker();

function exportsOf(file: string): ts.Symbol[] {
  const source = program.getSourceFile(join(ROOT, file));
  if (!source) throw new Error(`no source ${file}`);
  const module = checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${file} is not a module`);
  return checker.getExportsOfModule(module);
}

const resolved = (s: ts.Symbol): ts.Symbol =>
  s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;

function documented(s: ts.Symbol): boolean {
  const target = resolved(s);
  if (ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== "") return true;
  // A variable holding a documented function (a guard made by a factory) reads its doc there.
  return (target.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
}

const ROOT_API = [
  // The resource, its types and its provider.
  "OrgInvitation",
  "OrgInvitationArgs",
  "GroupRoleAssignmentArgs",
  "OrgInvitationOutputs",
  "GroupRoleAssignment",
  "InvitationStatus",
  "OnAcceptedPolicy",
  "OrgInvitationProvider",
  "OrgInvitationProviderOptions",
  "ClientHooks",
  "Logger",
  // The error family and its guards.
  "AtlasError",
  "AtlasErrorKind",
  "AtlasApiError",
  "AtlasAuthenticationError",
  "AtlasConfigurationError",
  "AtlasDeadlineError",
  "AtlasNetworkError",
  "AtlasProtocolError",
  "AtlasProxyError",
  "AtlasRequestError",
  "AtlasTimeoutError",
  "AtlasTlsError",
  "InvitationAcceptedError",
  "InvitationConflictError",
  "InvitationDeclaredTwiceError",
  "InvitationGoneError",
  "InvitationInputRejectedError",
  "InvitationStateError",
  "UserAlreadyMemberError",
  "isAtlasError",
  "isAtlasApiError",
  "isAtlasAuthenticationError",
  "isAtlasConfigurationError",
  "isAtlasDeadlineError",
  "isAtlasNetworkError",
  "isAtlasProtocolError",
  "isAtlasProxyError",
  "isAtlasTimeoutError",
  "isAtlasTlsError",
  "isInvitationAcceptedError",
  "isInvitationDeclaredTwiceError",
  "isInvitationGoneError",
  "isInvitationInputRejectedError",
  "isInvitationStateError",
  "isUserAlreadyMemberError",
];

describe("the public API", () => {
  it("exports from the package root exactly what a Pulumi program needs", () => {
    expect(
      exportsOf("provider/index.ts")
        .map((s) => s.name)
        .sort(),
    ).toEqual([...ROOT_API].sort());
  });

  it("keeps the Atlas client out of the root, behind the ./atlas subpath of package.json", () => {
    const root = exportsOf("provider/index.ts").map((s) => s.name);
    expect(root).not.toContain("createAtlasClient");
    const atlas = exportsOf("provider/atlas/index.ts").map((s) => s.name);
    expect(atlas).toEqual(
      expect.arrayContaining(["createAtlasClient", "AtlasClient", "Budget", "AtlasApiError"]),
    );
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      exports: Record<string, { types: string; default: string }>;
    };
    expect(pkg.exports["./atlas"]).toEqual({
      types: "./dist/atlas/index.d.ts",
      default: "./dist/atlas/index.js",
    });
  });

  it("exports from ./atlas its API only: no formatting helpers, no provider-level errors", () => {
    const atlas = exportsOf("provider/atlas/index.ts").map((s) => s.name);
    for (const name of [
      "answered",
      "formatMs",
      "isTlsFailureCode",
      "explainApiError",
      "InvitationAcceptedError",
      "InvitationStateError",
    ]) {
      expect(atlas).not.toContain(name);
    }
  });

  it.each(["provider/index.ts", "provider/atlas/index.ts"])(
    "documents every symbol %s exports",
    (file) => {
      const missing = exportsOf(file)
        .filter((s) => !documented(s))
        .map((s) => s.name);
      expect(missing).toEqual([]);
    },
  );

  it("documents every input and output of OrgInvitation", () => {
    const exported = Object.fromEntries(
      exportsOf("provider/index.ts").map((s) => [s.name, resolved(s)]),
    );
    const members = (name: string): ts.Symbol[] => {
      const symbol = exported[name];
      if (!symbol) throw new Error(`${name} is not exported`);
      const type = checker.getDeclaredTypeOfSymbol(symbol);
      return type
        .getProperties()
        .filter((p) =>
          (p.declarations ?? []).some((d) => d.getSourceFile().fileName.includes("/provider/")),
        );
    };
    const undocumented = [
      "OrgInvitation",
      "OrgInvitationArgs",
      "OrgInvitationOutputs",
      "GroupRoleAssignmentArgs",
    ].flatMap((n) =>
      members(n)
        .filter((p) => ts.displayPartsToString(p.getDocumentationComment(checker)).trim() === "")
        .map((p) => `${n}.${p.name}`),
    );
    expect(undocumented).toEqual([]);
  });

  it("says in OrgInvitation's TSDoc what each step can throw, with an example", () => {
    const symbol = exportsOf("provider/index.ts").find((s) => s.name === "OrgInvitation");
    const tags = resolved(symbol as ts.Symbol)
      .getJsDocTags(checker)
      .map((t) => t.name);
    expect(tags).toContain("example");
    const doc = ts.displayPartsToString(
      resolved(symbol as ts.Symbol).getDocumentationComment(checker),
    );
    for (const error of [
      "UserAlreadyMemberError",
      "InvitationDeclaredTwiceError",
      "InvitationAcceptedError",
      "InvitationGoneError",
      "AtlasDeadlineError",
    ]) {
      expect(doc).toContain(error);
    }
  });
});

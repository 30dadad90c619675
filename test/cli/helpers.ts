/**
 * Shared set-up for the CLI tests: runs the command line in-process with captured stdout and
 * stderr, and type-checks generated TypeScript the way the repo's tsconfig.json does.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { run } from "../../provider/cli/run";

export const ROOT = resolve(__dirname, "../..");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` as the command line, with `env` as the whole environment. */
export async function runCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
  });
  return { code, stdout, stderr };
}

let compiled = 0;

/**
 * Type-checks `source` as a module of this repo: the compiler options of tsconfig.json, whose
 * `paths` map `pulumi-atlas-org-invitations` to provider/index.ts. Returns the diagnostics of that
 * file (and of the options), formatted; only the generated file's are asked for, so a file another
 * change has broken elsewhere in the tree does not fail this check.
 */
export function typeCheck(source: string): string[] {
  const dir = join(ROOT, ".tmp", "cli-tests");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `generated-${process.pid}-${++compiled}.ts`);
  writeFileSync(file, source);
  try {
    const configPath = join(ROOT, "tsconfig.json");
    const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
    const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT);
    const program = ts.createProgram({ rootNames: [file], options });
    const sourceFile = program.getSourceFile(file);
    if (!sourceFile) throw new Error(`the program does not hold ${file}`);
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile),
    ];
    return diagnostics.map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (!d.file || d.start === undefined) return text;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${d.file.fileName}:${line + 1}:${character + 1}: ${text}`;
    });
  } finally {
    rmSync(file, { force: true });
  }
}

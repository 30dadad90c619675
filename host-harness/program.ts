/**
 * The `__provider` text exactly as a user's program produces it: a small Pulumi program runs in
 * the consumer folder (so the package and `@pulumi/pulumi` come from its node_modules) under
 * `pulumi.runtime.setMocks`, declares `OrgInvitation`s inside `runInPulumiStack` (as the language
 * host runs a program), and prints what was registered. Mocks
 * never call the provider, but they do receive the serialized provider in the inputs
 * (Pulumi's unit-testing guide, https://www.pulumi.com/docs/iac/concepts/testing/unit/).
 */
import { randomUUID } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Consumer } from "./consumer";
import { PACKAGE_NAME } from "./consumer";
import { childEnv, run } from "./exec";

export interface Declaration {
  name: string;
  /** `OrgInvitationArgs` as plain JSON. */
  args: Record<string, unknown>;
}

export interface Registration {
  name: string;
  /** `pulumi-nodejs:dynamic:Resource` for every dynamic resource. */
  type: string;
  /** What the engine would receive as the resource's inputs, `__provider` included. */
  inputs: Record<string, unknown>;
}

const MARKER = "@@host-harness-registrations@@";
const PROGRAM_FILE = "serialize-declarations.js";

/** Plain CommonJS: the consumer has no TypeScript, like a user's compiled program. */
const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");

async function main() {
  const decls = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
  const registered = new Map();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.set(args.name, { name: args.name, type: args.type, inputs: args.inputs });
        return { id: args.name + "-id", state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "host-harness",
    "test",
    false,
  );
  const { OrgInvitation } = require(${JSON.stringify(PACKAGE_NAME)});
  // Inside a stack, as the language host runs every program: the run the package keys by.
  await pulumi.runtime.runInPulumiStack(async () => {
    const resources = decls.map((d) => new OrgInvitation(d.name, d.args));
    await new Promise((resolve) => pulumi.all(resources.map((r) => r.urn)).apply(resolve));
  });
  const out = decls.map((d) => registered.get(d.name));
  process.stdout.write(${JSON.stringify(MARKER)} + JSON.stringify(out) + "\\n");
}

main().catch((error) => {
  console.error((error && error.stack) || String(error));
  process.exit(1);
});
`;

/** Runs the declarations through the consumer's program and returns each resource's registration. */
export async function serializeDeclarations(
  consumer: Consumer,
  decls: readonly Declaration[],
  options: { nodeBinary?: string; env?: Record<string, string> } = {},
): Promise<Registration[]> {
  const file = join(consumer.dir, PROGRAM_FILE);
  // Write-then-rename: concurrent runs sharing the consumer never run a half-written file.
  const temp = `${file}.${randomUUID()}.tmp`;
  await writeFile(temp, PROGRAM);
  await rename(temp, file);
  const { stdout } = await run(options.nodeBinary ?? process.execPath, [file], {
    cwd: consumer.dir,
    env: childEnv(options.env),
    input: JSON.stringify(decls),
  });
  const line = stdout.split("\n").find((l) => l.startsWith(MARKER));
  if (line === undefined) throw new Error(`the program printed no registrations:\n${stdout}`);
  const registrations = JSON.parse(line.slice(MARKER.length)) as (Registration | null)[];
  return registrations.map((r, i) => {
    if (!r) throw new Error(`${decls[i]?.name} was never registered`);
    return r;
  });
}

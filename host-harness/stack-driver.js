"use strict";
/**
 * One Pulumi CLI command on one stack, run by the real `pulumi` CLI through the Automation API of
 * the consumer's own `@pulumi/pulumi` (host-harness/cli-stack.ts starts it, one process per
 * command, as a pipeline runs one `pulumi` per step). The program is an inline program: the CLI
 * talks to this process's language server (`pulumi up --client=...`), so no `pulumi-language-nodejs`
 * is needed. Plain CommonJS, run with the consumer folder as cwd: `@pulumi/pulumi` and the package
 * resolve from its node_modules, exactly as a user's compiled program resolves them.
 *
 * stdin: one JSON request (see cli-stack.ts, `DriverRequest`). stdout: the CLI's own output, then
 * one line `<MARKER><JSON result>`.
 */
const { createRequire } = require("node:module");
const { join } = require("node:path");

const MARKER = "@@stack-driver-result@@";
const requireHere = createRequire(join(process.cwd(), "program.js"));
const pulumi = requireHere("@pulumi/pulumi");
const automation = requireHere("@pulumi/pulumi/automation");

/** A resource whose provider only echoes its inputs: the engine's own floor, and a source of outputs. */
class EchoProvider {
  async create(inputs) {
    if (inputs.delayMs) await new Promise((r) => setTimeout(r, inputs.delayMs));
    return { id: String(inputs.echoId ?? "echo"), outs: inputs };
  }
  async diff(_id, olds, news) {
    const changes = JSON.stringify(olds) !== JSON.stringify(news);
    return { changes };
  }
  async update(_id, _olds, news) {
    return { outs: news };
  }
}

/**
 * Turns `{ "$ref": name, "prop": key }` into another resource's output and `{ "$secret": value }`
 * into `pulumi.secret(value)` (what a generated SDK does to a secret input), recursively.
 */
function resolveRefs(value, declared) {
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, declared));
  if (value && typeof value === "object") {
    if ("$secret" in value) return pulumi.secret(resolveRefs(value.$secret, declared));
    if (typeof value.$ref === "string") {
      const target = declared.get(value.$ref);
      if (!target) throw new Error(`$ref ${value.$ref}: no such resource declared before it`);
      return target[value.prop ?? "id"];
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, declared)]));
  }
  return value;
}

function resourceOptions(options, declared) {
  if (!options) return {};
  const out = {};
  for (const key of [
    "ignoreChanges",
    "deleteBeforeReplace",
    "protect",
    "retainOnDelete",
    "import",
    "replaceOnChanges",
  ]) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  if (options.parent) out.parent = declared.get(options.parent);
  if (options.provider) out.provider = declared.get(options.provider);
  if (options.dependsOn) out.dependsOn = options.dependsOn.map((n) => declared.get(n));
  if (options.aliases) {
    out.aliases = options.aliases.map((a) => {
      const alias = {};
      if (a.name) alias.name = a.name;
      if (a.noParent) alias.parent = pulumi.rootStackResource;
      if (a.parent) alias.parent = declared.get(a.parent);
      return alias;
    });
  }
  return out;
}

/** The inline program: the declarations in order, each kind as a user's program writes it. */
function programOf(resources) {
  return async () => {
    // Only a program that declares one loads the package: a plugin's program needs only the SDK.
    const { OrgInvitation } = resources.some((d) => (d.kind ?? "invitation") === "invitation")
      ? requireHere("pulumi-atlas-org-invitations")
      : {};
    const declared = new Map();
    for (const d of resources) {
      const opts = resourceOptions(d.options, declared);
      const args = resolveRefs(d.args ?? {}, declared);
      let resource;
      if (d.kind === "component") {
        resource = new pulumi.ComponentResource(d.type ?? "example:index:Group", d.name, {}, opts);
      } else if (d.kind === "custom") {
        // What a generated SDK's resource class does: a custom resource of the plugin's type token.
        resource = new pulumi.CustomResource(d.type, d.name, args, opts);
      } else if (d.kind === "provider") {
        // The generated SDK's `Provider` class: an explicit provider of package `d.type`.
        resource = new pulumi.ProviderResource(d.type, d.name, args, opts);
      } else if (d.kind === "echo") {
        // The SDK gives a resource an output of the same name for each of its inputs.
        resource = new pulumi.dynamic.Resource(new EchoProvider(), d.name, args, opts);
      } else {
        resource = new OrgInvitation(d.name, args, opts);
      }
      declared.set(d.name, resource);
    }
    return {};
  };
}

/**
 * A user's compiled program (cli-stack.ts, `programModule`): required inside the inline program,
 * as the Node language host requires a project's main module, its exports the stack's outputs.
 */
function moduleProgram(file) {
  return async () => ({ ...requireHere(file) });
}

async function main() {
  const request = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
  const events = [];
  const onEvent = (event) => events.push(event);
  let stdout = "";
  const onOutput = (text) => {
    stdout += text;
    process.stdout.write(text);
  };
  const workspace = await automation.LocalWorkspace.create({
    workDir: request.workDir,
    program: request.programModule
      ? moduleProgram(request.programModule)
      : programOf(request.resources ?? []),
    projectSettings: {
      name: request.project,
      runtime: "nodejs",
      backend: { url: request.backendUrl },
      ...(request.plugins ? { plugins: request.plugins } : {}),
    },
    pulumiCommand: await automation.PulumiCommand.get({
      root: request.cliRoot,
      skipVersionCheck: true,
    }),
    envVars: request.env,
  });
  const stack = await automation.Stack.createOrSelect(request.stack, workspace);
  const flags = request.flags ?? {};
  // Ctrl-C: cli-stack.ts sends this process SIGINT; pass it on to the CLI through the Automation
  // API's own `signal` option (which sends the `pulumi` process SIGINT) and stay alive to report
  // what the CLI did. A second SIGINT is passed on again, as a second Ctrl-C (the CLI terminates).
  const interrupt = new AbortController();
  process.on("SIGINT", () => {
    if (interrupt.signal.aborted) interrupt.signal.dispatchEvent(new Event("abort"));
    else interrupt.abort();
  });
  const common = { onOutput, onEvent, color: "never", signal: interrupt.signal, ...flags };
  let summary;
  let exitCode = 0;
  let failure;
  try {
    switch (request.op) {
      case "config":
        await stack.setAllConfig(request.config ?? {});
        break;
      case "preview":
        summary = (await stack.preview(common)).changeSummary;
        break;
      case "up":
        summary = (await stack.up(common)).summary.resourceChanges;
        break;
      case "refresh":
        summary = (await stack.refresh(common)).summary.resourceChanges;
        break;
      case "destroy":
        summary = (await stack.destroy(common)).summary.resourceChanges;
        break;
      default:
        throw new Error(`unknown op ${request.op}`);
    }
  } catch (error) {
    const result = error && error.commandResult;
    if (!result) throw error;
    // A CLI that exits non-zero reaches here as execa's error (result.err), which keeps the real
    // exit code and output; result.code is then the SDK's "unknown" (-2).
    const cause = result.err;
    exitCode = cause && typeof cause.exitCode === "number" ? cause.exitCode : result.code;
    failure = {
      stdout: cause && typeof cause.stdout === "string" ? cause.stdout : result.stdout,
      stderr: cause && typeof cause.stderr === "string" ? cause.stderr : result.stderr,
    };
  }
  const result = {
    exitCode,
    summary,
    stdout: failure ? failure.stdout : stdout,
    stderr: failure ? failure.stderr : "",
    events,
  };
  process.stdout.write(`\n${MARKER}${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  console.error((error && error.stack) || String(error));
  process.exit(1);
});

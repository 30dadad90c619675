/**
 * The plugin's executable, `plugin/pulumi-resource-atlasorginvitations`, the one POSIX wrapper of
 * both layouts (the repository's `plugins:` path and the packed plugin, which scripts/pack-plugin.ts
 * copies it into): without `node` on PATH, or without the build it runs, it says which and how to
 * fix it and exits 1, instead of the shell's `exec: node: not found` (exit 127, which the engine
 * calls a bug in the provider) or Node's `Cannot find module`. Each case runs a temp copy of the
 * wrapper beside a temp folder, so no build of the repository is needed or touched.
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { SH_WRAPPER_SOURCE } from "../../scripts/pack-plugin";
import { WRAPPER } from "./helpers";

const EXECUTABLE = "pulumi-resource-atlasorginvitations";
/** A PATH with node on it (this test's own) and the shell's usual folders. */
const WITH_NODE = `${dirname(process.execPath)}:/usr/bin:/bin`;

let dir: string;

beforeEach(() => {
  // realpath: on some systems the temp folder is behind a symlink, and the wrapper prints real paths.
  dir = realpathSync(mkdtempSync(join(tmpdir(), "plugin-wrapper-")));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of the wrapper at `<dir>/<at>`, executable. */
function copyWrapper(at: string): string {
  const path = join(dir, at, EXECUTABLE);
  mkdirSync(dirname(path), { recursive: true });
  copyFileSync(WRAPPER, path);
  return path;
}

/** Runs `path` as the engine does (an executable, the engine address its argument). */
function run(path: string, PATH: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(path, ["127.0.0.1:1"], { env: { PATH }, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the plugin's executable", () => {
  it("is the one the packed plugin ships: pack-plugin copies it", () => {
    expect(SH_WRAPPER_SOURCE).toBe(WRAPPER);
  });

  it("says node is not on PATH and exits 1, rather than the shell's exit 127", () => {
    const wrapper = copyWrapper("plugin");
    const empty = join(dir, "empty-bin");
    mkdirSync(empty);
    const result = run(wrapper, empty);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `${EXECUTABLE}: node (Node.js 20 or later) is not on PATH; install Node.js or add it to ` +
        "the PATH that pulumi runs with\n",
    });
  });

  it("in a repository without a build, names the missing dist/plugin/main.js and the commands to run in the repository", () => {
    const wrapper = copyWrapper("plugin");
    const result = run(wrapper, WITH_NODE);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `${EXECUTABLE}: ${dir}/dist/plugin/main.js is missing: ` +
        `run \`npm ci && npm run build\` in ${dir}\n`,
    });
  });

  it("follows a symbolic link to itself (a link on PATH) to find the repository", () => {
    const wrapper = copyWrapper("plugin");
    const bin = join(dir, "bin");
    mkdirSync(bin);
    symlinkSync(wrapper, join(bin, EXECUTABLE));
    const result = run(join(bin, EXECUTABLE), WITH_NODE);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`run \`npm ci && npm run build\` in ${dir}\n`);
  });

  it("in a packed plugin (a package.json beside it) without its dist, says to reinstall the plugin", () => {
    const wrapper = copyWrapper("resource-atlasorginvitations-v0.1.0");
    const root = dirname(wrapper);
    writeFileSync(join(root, "package.json"), "{}\n");
    const result = run(wrapper, WITH_NODE);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `${EXECUTABLE}: ${root}/dist/plugin/main.js is missing: reinstall the plugin ` +
        "(pulumi plugin install resource atlasorginvitations <version> --file <tarball>)\n",
    );
  });

  it("runs the build beside it with the engine's arguments when node and the build are there", () => {
    const wrapper = copyWrapper("plugin");
    mkdirSync(join(dir, "dist", "plugin"), { recursive: true });
    writeFileSync(
      join(dir, "dist", "plugin", "main.js"),
      "process.stdout.write(JSON.stringify(process.argv.slice(2)));\n",
    );
    expect(run(wrapper, WITH_NODE)).toEqual({ code: 0, stdout: '["127.0.0.1:1"]', stderr: "" });
  });
});

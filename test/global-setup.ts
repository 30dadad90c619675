/**
 * Before any suite: the real `pulumi` CLI that the engine suites, the demo and the bench run
 * (pulumi-cli/index.ts). On a cold machine this is the Go build, with a progress line; later it
 * returns at once. Done here, once, so that no suite's timeout has to cover a four-minute build.
 */
import { ensurePulumiCli } from "../pulumi-cli";

export default async function globalSetup(): Promise<void> {
  const cli = await ensurePulumiCli({
    onProgress: (line) => console.error(`[pulumi-cli] ${line}`),
  });
  console.error(`[pulumi-cli] pulumi v${cli.version} (${cli.source}): ${cli.binary}`);
}

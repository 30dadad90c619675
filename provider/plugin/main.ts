/**
 * Entry point of `pulumi-resource-atlasorginvitations` (the `plugin/` wrapper runs `node` on the
 * compiled `dist/plugin/main.js`). The engine starts the plugin with its own address as the first
 * argument (after flags such as `--logtostderr` and `-v=N`, which the SDK skips); the SDK's
 * `main` serves the ResourceProvider service on 127.0.0.1 and prints the port on stdout, the one
 * line the engine reads there. Everything the plugin says goes to the engine (engine-log.ts) or,
 * failing that, to stderr.
 */
import { main } from "@pulumi/pulumi/provider";
import { checkProviderConfig } from "./check-config";
import { withConfigHandlers } from "./configure-hook";
import { OrgInvitationPlugin } from "./plugin-provider";

/** The engine's address among the plugin's arguments, skipped as the SDK skips its flags. */
export function engineAddressOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--tracing") i++;
    else if (arg !== "--logtostderr" && !arg.startsWith("-v=")) return arg;
  }
  return undefined;
}

/**
 * Serves the plugin until the engine stops it.
 * @throws Error when the SDK's server cannot answer Configure and CheckConfig through this plugin
 * (configure-hook.ts)
 */
export async function serve(args: readonly string[]): Promise<void> {
  const engine = engineAddressOf(args);
  // `@pulumi/pulumi/log` reaches the engine at this address (the variable the Node language host
  // sets for programs); the SDK's provider `main` keeps the address to itself.
  if (engine !== undefined) process.env["PULUMI_NODEJS_ENGINE"] = engine;
  const plugin = new OrgInvitationPlugin();
  await withConfigHandlers(
    { configure: (request) => plugin.configure(request), checkConfig: checkProviderConfig },
    () => main(plugin, [...args]),
  );
}

if (require.main === module) {
  serve(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}

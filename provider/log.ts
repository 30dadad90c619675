/**
 * The package's one logger interface (atlas/log.ts): the Atlas client reports retries and waits
 * through it, the provider its notes and warnings. Every method is optional, so `{}` silences
 * everything.
 *
 * Inside the dynamic-provider host `pulumi.log` has no engine connection and falls back to the
 * console (the SDK's dynamic provider host, `cmd/dynamic-provider`), so the default writes to
 * stderr, which keeps stdout clean for the host's handshake line.
 */
import type { Logger } from "./atlas/log";

export type { Logger } from "./atlas/log";

/** The provider's default voice: notes and warnings on stderr, debug dropped. */
export const stderrLogger: Logger = {
  info: (message) => console.warn(`info: ${message}`),
  warn: (message) => console.warn(`warning: ${message}`),
};

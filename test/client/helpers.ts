/** Shared set-up for client tests against the emulator. */
import { clearAuthSessions } from "../../provider/atlas/auth";
import { createAtlasClient } from "../../provider/atlas/client";
import type { AtlasClientOptions } from "../../provider/atlas/client";
import { Secret } from "../../provider/atlas/secret";
import type { AtlasSettings } from "../../provider/atlas/settings";
import type { TestEmulator } from "../support/emulator";

export type Kind = "digest" | "serviceAccount";
export const KINDS: Kind[] = ["digest", "serviceAccount"];

export function settingsFor(
  emu: TestEmulator,
  kind: Kind,
  secrets: { privateKey?: string; clientSecret?: string } = {},
): AtlasSettings {
  const c = emu.credentials;
  return {
    baseUrl: emu.baseUrl,
    credentials:
      kind === "digest"
        ? {
            kind,
            publicKey: c.publicKey,
            privateKey: new Secret(secrets.privateKey ?? c.privateKey),
          }
        : {
            kind,
            clientId: c.clientId,
            clientSecret: new Secret(secrets.clientSecret ?? c.clientSecret),
          },
  };
}

/** Records waits instead of sleeping: retry tests assert what was asked, in milliseconds of real time. */
export function fastOptions(
  extra: AtlasClientOptions = {},
): AtlasClientOptions & { waits: number[]; logs: string[] } {
  const waits: number[] = [];
  const logs: string[] = [];
  return {
    sleep: async (ms: number) => void waits.push(ms),
    logger: {
      debug: (m: string) => void logs.push(m),
      info: (m: string) => void logs.push(m),
      warn: (m: string) => void logs.push(m),
    },
    ...extra,
    waits,
    logs,
  };
}

export function clientFor(emu: TestEmulator, kind: Kind, options: AtlasClientOptions = {}) {
  return createAtlasClient(settingsFor(emu, kind), options);
}

/** Each test starts with no cached challenge or token, so request counts are its own. */
export function freshAuthSessions(): void {
  beforeEach(() => clearAuthSessions());
}

/** Requests the emulator served, as "METHOD path status auth". */
export function wire(emu: TestEmulator): string[] {
  return emu.log.entries().map((e) => `${e.method} ${e.path} ${e.status} ${e.auth}`);
}

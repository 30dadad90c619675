/** Shared set-up for provider tests: a provider wired to the test emulator, and call counting. */
import { createAtlasClient } from "../../provider/atlas/client";
import type { AtlasApi } from "../../provider/atlas/api";
import type { AtlasSettings } from "../../provider/atlas/settings";
import { OrgInvitationProvider } from "../../provider/invitation-provider";
import type { ProviderLogger } from "../../provider/log";
import type { OrgInvitationOutputs } from "../../provider/model";
import { Secret } from "../../provider/atlas/secret";
import type { TestEmulator } from "../support/emulator";

export interface Captured {
  info: string[];
  warn: string[];
}

function logFns(info: string[], warn: string[]): ProviderLogger {
  return { info: (m) => void info.push(m), warn: (m) => void warn.push(m) };
}

/** Fast retries: these tests assert outcomes and call counts, not real waiting. */
export const FAST_RETRY = { baseDelayMs: 1, backoffLimitMs: 5, maxRetryAfterMs: 5 };

export function envFor(
  emu: TestEmulator,
  kind: "digest" | "serviceAccount" = "digest",
): Record<string, string> {
  return kind === "digest"
    ? {
        MONGODB_ATLAS_BASE_URL: emu.baseUrl,
        MONGODB_ATLAS_PUBLIC_KEY: emu.credentials.publicKey,
        MONGODB_ATLAS_PRIVATE_KEY: emu.credentials.privateKey,
      }
    : {
        MONGODB_ATLAS_BASE_URL: emu.baseUrl,
        MONGODB_ATLAS_CLIENT_ID: emu.credentials.clientId,
        MONGODB_ATLAS_CLIENT_SECRET: emu.credentials.clientSecret,
      };
}

export function makeProvider(
  emu: TestEmulator,
  options: { kind?: "digest" | "serviceAccount"; env?: Record<string, string> } = {},
): { provider: OrgInvitationProvider; log: Captured } {
  const log = { info: [] as string[], warn: [] as string[] };
  const provider = new OrgInvitationProvider({
    env: options.env ?? envFor(emu, options.kind),
    createApi: (settings: AtlasSettings): AtlasApi =>
      createAtlasClient(settings, { retry: FAST_RETRY }),
    logger: logFns(log.info, log.warn),
  });
  return { provider, log };
}

/** A client of our own, to arrange state through the real API (as another Atlas user would). */
export function directApi(emu: TestEmulator): AtlasApi {
  return createAtlasClient(
    {
      baseUrl: emu.baseUrl,
      credentials: {
        kind: "digest",
        publicKey: emu.credentials.publicKey,
        privateKey: new Secret(emu.credentials.privateKey),
      },
    },
    { retry: FAST_RETRY },
  );
}

/**
 * The API operations the emulator served, in order, as `operationId` or `operationId:status`
 * for non-2xx answers. Digest challenges (401 without credentials) and token requests are left
 * out: they are transport, not what the provider decided to do.
 */
export function calls(emu: TestEmulator): string[] {
  return emu.log
    .entries()
    .filter((e) => e.operationId !== undefined && !(e.status === 401 && e.auth === "none"))
    .map((e) =>
      e.status >= 200 && e.status < 300 ? String(e.operationId) : `${e.operationId}:${e.status}`,
    );
}

/** Outputs as the engine hands them back: with the serialized provider beside them. */
export function asProps(outputs: OrgInvitationOutputs): OrgInvitationOutputs {
  return { ...outputs, __provider: "exports.handler = () => provider;" } as OrgInvitationOutputs;
}

export const ALICE = "alice@example.com";

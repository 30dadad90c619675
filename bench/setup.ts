/**
 * Shared bench plumbing: one emulator on loopback, providers wired the way the runtime wires them
 * (one shared client per settings), and API calls counted from the emulator's request log.
 */
import { resetProcessState } from "../provider/process-state";
import { startEmulator } from "../emulator";
import type { LogEntry, RunningEmulator } from "../emulator";
import { createAtlasClient } from "../provider/atlas/client";
import type { AtlasClient } from "../provider/atlas/api";
import { Secret } from "../provider/atlas/secret";
import { OrgInvitationProvider } from "../provider/provider";
import type { OrgInvitationOutputs } from "../provider/model";

export type Emulator = RunningEmulator;

/**
 * An emulator without the default token bucket: sections that are not about rate limits (round
 * trips, sizes, host overhead and memory) must not be slowed by Atlas's 250 requests a minute;
 * the bulk runs set the limits they measure.
 */
export async function startBenchEmulator(): Promise<Emulator> {
  const emu = await startEmulator();
  emu.control.setTokenBucket(null);
  return emu;
}

export function envFor(emu: Emulator): Record<string, string> {
  return {
    MONGODB_ATLAS_BASE_URL: emu.baseUrl,
    MONGODB_ATLAS_PUBLIC_KEY: emu.credentials.publicKey,
    MONGODB_ATLAS_PRIVATE_KEY: emu.credentials.privateKey,
  };
}

export type Backend = "invites" | "users";

/**
 * A provider exactly as runtime.ts builds it: the process-wide shared client, default retries,
 * on the given backend. Each call starts a new process, as far as the package can tell: no shared
 * client, rate-limit view or sunset decision carries over.
 */
export async function runtimeProvider(
  emu: Emulator,
  api: Backend = "invites",
): Promise<OrgInvitationProvider> {
  return runtimeProviderWith(envFor(emu), api);
}

/** {@link runtimeProvider} for an emulator given by its variables (one in another process). */
export async function runtimeProviderWith(
  env: Record<string, string>,
  api: Backend = "invites",
): Promise<OrgInvitationProvider> {
  resetProcessState();
  const provider = new OrgInvitationProvider({ env, logger: {} });
  await provider.configure({
    config: {
      get: (k: string) => (k === "atlasInvitations:api" ? api : undefined),
      require: () => "",
    },
  });
  return provider;
}

/** A separate client, to arrange state as another Atlas user would. */
export function arrangeApi(emu: Emulator): AtlasClient {
  return createAtlasClient({
    baseUrl: emu.baseUrl,
    credentials: {
      kind: "digest",
      publicKey: emu.credentials.publicKey,
      privateKey: new Secret(emu.credentials.privateKey),
    },
  });
}

/** API calls (operations, challenges left out) the emulator logged. */
export function apiCalls(entries: readonly LogEntry[]): LogEntry[] {
  return entries.filter(
    (e) => e.operationId !== undefined && !(e.status === 401 && e.auth === "none"),
  );
}

export function countCalls(emu: Emulator): number {
  return apiCalls(emu.log.entries()).length;
}

export const user = (prefix: string, i: number): string => `${prefix}${i}@example.com`;

export function declared(emu: Emulator, username: string): Record<string, unknown> {
  return { orgId: emu.orgId, username, roles: ["ORG_MEMBER"], onAccepted: "retain" };
}

export type Outs = OrgInvitationOutputs;

export const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

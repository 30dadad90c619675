/**
 * Shared set-up for provider tests: a provider wired to the test emulator on either backend, the
 * calls it made, and the expected calls per backend.
 */
import { resetProcessState } from "../../provider/process-state";
import { createAtlasClient } from "../../provider/atlas/client";
import type { AtlasClient } from "../../provider/atlas/api";
import type { RetryOverrides } from "../../provider/atlas/retry";
import { Secret } from "../../provider/atlas/secret";
import type { AtlasSettings } from "../../provider/atlas/settings";
import { OrgInvitationProvider } from "../../provider/provider";
import type { OrgInvitationOutputs } from "../../provider/model";
import type { TestEmulator } from "../support/emulator";
import type { AtlasVariant, Backend } from "../support/variants";
import { knob } from "../support/variants";

export interface Captured {
  info: string[];
  warn: string[];
}

/** Fast retries: these tests assert outcomes and call counts, not real waiting. */
export const FAST_RETRY: RetryOverrides = { baseDelayMs: 1, backoffLimitMs: 5, maxRetryAfterMs: 5 };

/** Each test starts with no cached challenge, token, rate-limit view or sunset decision. */
export function freshProcessState(): void {
  beforeEach(() => {
    resetProcessState();
  });
}

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

/** A Pulumi `ConfigureRequest` over a plain map. */
export function configRequest(config: Record<string, string>) {
  return {
    config: { get: (k: string) => config[k], require: (k: string) => config[k] as string },
  };
}

export async function makeProvider(
  emu: TestEmulator,
  options: {
    kind?: "digest" | "serviceAccount";
    env?: Record<string, string>;
    api?: Backend | "auto";
    retry?: RetryOverrides;
  } = {},
): Promise<{ provider: OrgInvitationProvider; log: Captured }> {
  const log: Captured = { info: [], warn: [] };
  const provider = new OrgInvitationProvider({
    env: options.env ?? envFor(emu, options.kind),
    createClient: (settings: AtlasSettings, retry: RetryOverrides, hooks): AtlasClient =>
      createAtlasClient(settings, {
        retry: { ...retry, ...FAST_RETRY, ...options.retry },
        onAnswer: hooks.onAnswer,
      }),
    logger: { info: (m) => void log.info.push(m), warn: (m) => void log.warn.push(m) },
  });
  await provider.configure(
    configRequest(options.api ? { "atlasInvitations:api": options.api } : {}),
  );
  return { provider, log };
}

/** A client of our own, to arrange state through the real API (as another Atlas user would). */
export function directApi(emu: TestEmulator): AtlasClient {
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
 * The API operations the emulator served, in order, as `operationId` or `operationId:status` for
 * non-2xx answers. Digest challenges (401 without credentials) and token requests are left out:
 * they are transport, not what the provider decided to do.
 */
export function calls(emu: TestEmulator): string[] {
  return emu.log
    .entries()
    .filter((e) => e.operationId !== undefined && !(e.status === 401 && e.auth === "none"))
    .map((e) =>
      e.status >= 200 && e.status < 300 ? String(e.operationId) : `${e.operationId}:${e.status}`,
    );
}

/**
 * An expected call sequence: a string is one call in that place; an array is calls made
 * concurrently, in any order.
 */
export type Expected = (string | string[])[];

/** Asserts the calls made, letting concurrent calls come in any order. */
export function expectCalls(emu: TestEmulator, expected: Expected): void {
  const actual = calls(emu);
  const normalized: string[] = [];
  let at = 0;
  for (const step of expected) {
    if (typeof step === "string") {
      normalized.push(step);
      at += 1;
    } else {
      const slice = actual.slice(at, at + step.length);
      const sorted = [...step].sort();
      normalized.push(
        ...(JSON.stringify([...slice].sort()) === JSON.stringify(sorted) ? slice : sorted),
      );
      at += step.length;
    }
  }
  expect(actual).toEqual(normalized);
}

/** Outputs as the engine hands them back: with the serialized provider beside them. */
export function asProps(outputs: OrgInvitationOutputs): OrgInvitationOutputs {
  return { ...outputs, __provider: "exports.handler = () => provider;" } as OrgInvitationOutputs;
}

/** The emulator's answer for an invitation id that is not pending, in this variant. */
export function missing(v: AtlasVariant): number {
  return Number(knob(v, "missingInvitationAnswer"));
}

/** The calls each backend makes for one step; `v` supplies the status of a missing invitation. */
export function plan(backend: Backend, v: AtlasVariant) {
  const gone = missing(v);
  const invites = backend === "invites";
  return {
    /** create: the person's pending invitations and membership, looked up together, then the POST. */
    createNew: invites
      ? [["listOrgInvites", "listOrgUsers"], "createOrgInvite"]
      : ["listOrgUsers", "createOrgUser"],
    /** create that adopts a matching pending invitation: the look-ups only. */
    adoptMatching: invites ? [["listOrgInvites", "listOrgUsers"]] : ["listOrgUsers"],
    /** create that adopts a pending invitation with other roles: the look-ups, then its update. */
    adoptDiffering: invites
      ? [["listOrgInvites", "listOrgUsers"], "updateOrgInviteById"]
      : ["listOrgUsers", "getOrgUser", "updateOrgUser"],
    /** create for an active member: the look-ups, then the error. */
    createMember: invites ? [["listOrgInvites", "listOrgUsers"]] : ["listOrgUsers"],
    readPending: invites ? ["getOrgInvite"] : ["getOrgUser"],
    /** read of an invitation that is not pending any more (accepted, expired, cancelled). */
    readNotPending: (acceptedUserStillFound: boolean): Expected =>
      invites
        ? [`getOrgInvite:${gone}`, "listOrgUsers"]
        : acceptedUserStillFound
          ? ["getOrgUser", "listOrgUsers"]
          : ["getOrgUser:404", "listOrgUsers"],
    updatePending: invites ? ["updateOrgInviteById"] : ["getOrgUser", "updateOrgUser"],
    updateNotPending: (acceptedUserStillFound: boolean): Expected =>
      invites
        ? [`updateOrgInviteById:${gone}`, "listOrgUsers"]
        : acceptedUserStillFound
          ? ["getOrgUser", "listOrgUsers"]
          : ["getOrgUser:404", "listOrgUsers"],
    deletePending: invites ? ["deleteOrgInvite"] : ["getOrgUser", "removeOrgUser"],
    /** delete with no pending invitation: the cancel attempt, then membership. */
    deleteNotPending: (acceptedUserStillFound: boolean): Expected =>
      invites
        ? [`deleteOrgInvite:${gone}`, "listOrgUsers"]
        : acceptedUserStillFound
          ? ["getOrgUser"]
          : ["getOrgUser:404", "listOrgUsers"],
  };
}

export const ALICE = "alice@example.com";

/**
 * The declared properties of outputs, as `read` hands them back to the engine as inputs
 * (provider/state.ts, toInputs).
 */
export function declaredOf(outputs: OrgInvitationOutputs): Record<string, unknown> {
  const { orgId, username, roles, teamIds, groupRoleAssignments, onAccepted } = outputs;
  return { orgId, username, roles, teamIds, groupRoleAssignments, onAccepted };
}

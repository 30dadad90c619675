/** The programmatic control API: test setup and out-of-band Atlas events (acceptance, expiry...). */
import type { Core } from "./core";
import { parseSunsetDate } from "./core";
import { ControlError } from "./errors";
import { DEFAULT_TOKEN_BUCKET } from "./limits";
import {
  acceptInvitation,
  addMember,
  endInvitation,
  isLapsed,
  lapseInvitation,
  sweepExpired,
  updateInvitation,
} from "./lifecycle";
import type { FaultSummary } from "./faults";
import type { OrgState } from "./state";
import { findInvitation, isoSeconds, pendingInvitationsFor } from "./state";
import type { EmulatorControl, InvitationRecord, KnobSettings, SunsetInfo } from "./types";

/** Extra methods the HTTP control API needs besides EmulatorControl. */
export interface FullControl extends EmulatorControl {
  faults(): FaultSummary[];
  removeFault(id: string): boolean;
}

/** Every knob's allowed values; the first is the default (the least favourable answer). */
export const KNOB_VALUES = {
  duplicateInvitePolicy: ["duplicate", "replace", "reject"],
  missingInvitationAnswer: ["400", "404"],
  usernameCase: ["exact", "insensitive"],
  usernameNormalization: ["none", "nfc"],
  usernameStorage: ["as-sent", "lower-case"],
  invitationLimitCode: ["INVITATIONS_RATE_LIMITED_IP", "RATE_LIMITED_IP"],
  acceptedUserId: ["new", "same"],
  reinvitedUserId: ["new", "same"],
  lapsedInvitations: ["listed", "dropped"],
} as const satisfies {
  [K in keyof KnobSettings]?: readonly KnobSettings[K][];
};

const KNOB_NAMES: readonly (keyof KnobSettings)[] = [
  ...(Object.keys(KNOB_VALUES) as (keyof typeof KNOB_VALUES)[]),
  "invitationLimit",
  "tokenBucket",
];

export function createControl(core: Core): FullControl {
  const { state } = core;

  const orgFor = (orgId: string): OrgState => {
    sweepExpired(state);
    return state.requireOrg(orgId);
  };
  const invitationFor = (org: OrgState, idOrUsername: string): InvitationRecord => {
    const inv = findInvitation(state, org, idOrUsername);
    if (!inv) throw new ControlError(`no pending invitation ${idOrUsername} in org ${org.id}`);
    return inv;
  };

  const control: FullControl = {
    reset() {
      state.reset();
      core.faults.clear();
      core.invitationLimiter.set(null);
      core.bucket.set(DEFAULT_TOKEN_BUCKET, core.now());
      core.log.restart();
      core.digest.challenges = 0;
      core.tokens.issued = 0;
      core.removals.active = 0;
      core.removals.pending = 0;
      core.sunsetMs = core.options.sunsetDate;
    },
    addOrg: (input) => state.addOrg(input),
    addTeam: (orgId, input) => state.addTeam(orgId, input),
    addProject: (orgId, input) => state.addProject(orgId, input),
    addMember(orgId, input) {
      const org = orgFor(orgId);
      const user = addMember(state, org, {
        username: input.username,
        roles: input.roles ?? ["ORG_MEMBER"],
        teamIds: input.teamIds ?? [],
      });
      return structuredClone(user);
    },
    acceptInvitation(orgId, idOrUsername, options = {}) {
      const org = orgFor(orgId);
      const { accountUsername } = options;
      if (accountUsername !== undefined && typeof accountUsername !== "string") {
        throw new ControlError("accountUsername must be a string", 400);
      }
      // By username: the person's newest invitation still running. A person cannot accept a
      // lapsed invitation, even one Atlas still lists (lapsedInvitations "listed").
      const running = org.invitations.has(idOrUsername)
        ? undefined
        : pendingInvitationsFor(state, org, idOrUsername, "control")
            .filter((i) => !isLapsed(state, i))
            .at(-1);
      const inv = running ?? invitationFor(org, idOrUsername);
      if (isLapsed(state, inv)) {
        throw new ControlError(
          `invitation ${inv.id} of ${inv.username} lapsed at ${inv.expiresAt}: it cannot be accepted`,
          409,
        );
      }
      return structuredClone(acceptInvitation(state, org, inv, accountUsername));
    },
    expireInvitation(orgId, idOrUsername) {
      const org = orgFor(orgId);
      endInvitation(
        state,
        org,
        invitationFor(org, idOrUsername),
        "INVITATION_EXPIRED",
        isoSeconds(core.now()),
      );
    },
    lapseInvitation(orgId, idOrUsername) {
      const org = orgFor(orgId);
      const inv = invitationFor(org, idOrUsername);
      lapseInvitation(state, org, inv);
      return structuredClone(inv);
    },
    rejectInvitation(orgId, idOrUsername) {
      const org = orgFor(orgId);
      endInvitation(
        state,
        org,
        invitationFor(org, idOrUsername),
        "INVITATION_REJECTED",
        isoSeconds(core.now()),
      );
    },
    setInvitation(orgId, invitationId, patch) {
      const org = orgFor(orgId);
      const inv = org.invitations.get(invitationId);
      if (!inv) throw new ControlError(`no pending invitation ${invitationId} in org ${orgId}`);
      updateInvitation(org, inv, patch);
    },
    invitations: (orgId) => structuredClone([...orgFor(orgId).invitations.values()]),
    users: (orgId) => structuredClone([...orgFor(orgId).users.values()]),
    setDuplicateInvitePolicy(policy) {
      control.setKnobs({ duplicateInvitePolicy: policy });
    },
    setMissingInvitationAnswer(answer) {
      control.setKnobs({ missingInvitationAnswer: answer });
    },
    setDomainAllowList(orgId, domains) {
      orgFor(orgId).domainAllowList = domains ? [...domains] : null;
    },
    setInvitationLimit(limit) {
      control.setKnobs({ invitationLimit: limit });
    },
    setTokenBucket(bucket) {
      control.setKnobs({ tokenBucket: bucket });
    },
    injectFault: (fault) => core.faults.add(fault),
    clearFaults: () => core.faults.clear(),
    knobs: () => ({
      ...state.knobs,
      invitationLimit: core.invitationLimiter.current,
      tokenBucket: core.bucket.current,
    }),
    setKnobs(patch) {
      checkKnobs(patch);
      const { invitationLimit, tokenBucket, ...data } = patch;
      for (const [name, value] of Object.entries(data)) {
        if (value !== undefined) Object.assign(state.knobs, { [name]: value });
      }
      if (invitationLimit !== undefined) core.invitationLimiter.set(invitationLimit);
      if (tokenBucket !== undefined) core.bucket.set(tokenBucket, core.now());
      return control.knobs();
    },
    sunset: (): SunsetInfo => ({
      sunsetDate: new Date(core.sunsetMs).toISOString(),
      passed: core.sunsetPassed(),
    }),
    setSunsetDate(date) {
      if (date === null) {
        core.sunsetMs = core.options.sunsetDate;
        return control.sunset();
      }
      if (!(date instanceof Date) && typeof date !== "string") {
        throw new ControlError("sunset date must be a Date, an ISO-8601 string or null", 400);
      }
      try {
        core.sunsetMs = parseSunsetDate(date);
      } catch (error) {
        throw new ControlError(error instanceof Error ? error.message : String(error), 400);
      }
      return control.sunset();
    },
    sunsetNow() {
      core.sunsetMs = core.now();
      return control.sunset();
    },
    faults: () => core.faults.list(),
    removeFault: (id) => core.faults.remove(id),
  };
  return control;
}

/** Knobs also arrive as JSON over HTTP: refuse bad values with a plain message. */
function checkKnobs(patch: Partial<KnobSettings>): void {
  const bad = (what: string): never => {
    throw new ControlError(`invalid knob ${what}`, 400);
  };
  if (typeof patch !== "object" || patch === null) bad(": the knobs must be an object");
  for (const name of Object.keys(patch)) {
    if (!KNOB_NAMES.includes(name as keyof KnobSettings)) {
      bad(`${name}: no such knob (knobs: ${KNOB_NAMES.join(", ")})`);
    }
  }
  for (const [name, allowed] of Object.entries(KNOB_VALUES) as [string, readonly string[]][]) {
    const value = (patch as Record<string, unknown>)[name];
    if (value !== undefined && !allowed.includes(value as string)) {
      bad(
        `${name} ${JSON.stringify(value)}: use one of ${allowed.map((a) => `"${a}"`).join(", ")}`,
      );
    }
  }
  const { invitationLimit: lim, tokenBucket: tb } = patch;
  if (lim !== undefined && lim !== null) {
    if (!(isPositive(lim.count) && isPositive(lim.windowMs))) {
      bad("invitationLimit: {count, windowMs} must be positive numbers, or null for no limit");
    }
  }
  if (tb !== undefined && tb !== null) {
    if (!(
      isPositive(tb.capacity) &&
      typeof tb.refillPerSecond === "number" &&
      tb.refillPerSecond >= 0
    )) {
      bad(
        "tokenBucket: {capacity > 0, refillPerSecond >= 0}, or null for no bucket and no headers",
      );
    }
  }
}

function isPositive(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

/**
 * The programmatic control API: test setup and out-of-band Atlas events (acceptance, expiry...),
 * knobs, faults and the sunset. Knob values are checked in knobs.ts.
 */
import { ControlError } from "./errors";
import type { FaultRegistry, FaultSummary } from "./faults";
import { checkKnobs } from "./knobs";
import {
  acceptInvitation,
  addMember,
  endInvitation,
  isLapsed,
  lapseInvitation,
  sweepExpired,
  updateInvitation,
} from "./lifecycle";
import type { InvitationLimiter, TokenBucket } from "./limits";
import type { AtlasState, OrgState } from "./state";
import { findInvitation, isoSeconds, pendingInvitationsFor } from "./state";
import type { SunsetClock } from "./sunset";
import { parseSunsetDate } from "./sunset";
import type { EmulatorControl, InvitationRecord, SunsetInfo } from "./types";

/**
 * What the control API needs from the emulator: the state it sets up, the faults, the two limits
 * behind the `invitationLimit` and `tokenBucket` knobs, the sunset, the clock, and a reset of
 * everything the emulator owns.
 */
export interface ControlHost {
  readonly state: AtlasState;
  readonly faults: Pick<FaultRegistry, "add" | "clear" | "list" | "remove">;
  readonly invitationLimiter: Pick<InvitationLimiter, "set" | "current">;
  readonly bucket: Pick<TokenBucket, "set" | "current">;
  readonly sunset: SunsetClock;
  now(): number;
  /** Back to start-up: state, faults, limits, log, counters and sunset. */
  reset(): void;
}

/** Extra methods the HTTP control API needs besides EmulatorControl. */
export interface FullControl extends EmulatorControl {
  faults(): FaultSummary[];
  removeFault(id: string): boolean;
}

export function createControl(host: ControlHost): FullControl {
  const { state } = host;

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
      host.reset();
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
        isoSeconds(host.now()),
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
        isoSeconds(host.now()),
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
    injectFault: (fault) => host.faults.add(fault),
    clearFaults: () => host.faults.clear(),
    knobs: () => ({
      ...state.knobs,
      invitationLimit: host.invitationLimiter.current,
      tokenBucket: host.bucket.current,
    }),
    setKnobs(patch) {
      checkKnobs(patch);
      const { invitationLimit, tokenBucket, ...data } = patch;
      for (const [name, value] of Object.entries(data)) {
        if (value !== undefined) Object.assign(state.knobs, { [name]: value });
      }
      if (invitationLimit !== undefined) host.invitationLimiter.set(invitationLimit);
      if (tokenBucket !== undefined) host.bucket.set(tokenBucket, host.now());
      return control.knobs();
    },
    sunset: (): SunsetInfo => ({
      sunsetDate: new Date(host.sunset.ms).toISOString(),
      passed: host.sunset.passed(),
    }),
    setSunsetDate(date) {
      if (date === null) {
        host.sunset.restore();
        return control.sunset();
      }
      if (!(date instanceof Date) && typeof date !== "string") {
        throw new ControlError("sunset date must be a Date, an ISO-8601 string or null", 400);
      }
      try {
        host.sunset.ms = parseSunsetDate(date);
      } catch (error) {
        throw new ControlError(error instanceof Error ? error.message : String(error), 400);
      }
      return control.sunset();
    },
    sunsetNow() {
      host.sunset.ms = host.now();
      return control.sunset();
    },
    faults: () => host.faults.list(),
    removeFault: (id) => host.faults.remove(id),
  };
  return control;
}

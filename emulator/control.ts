/** The programmatic control API: test setup and out-of-band Atlas events (acceptance, expiry...). */
import type { Core } from "./core";
import { ControlError } from "./errors";
import { isoSeconds } from "./ids";
import {
  acceptInvitation,
  addMember,
  endInvitation,
  sweepExpired,
  updateInvitation,
} from "./lifecycle";
import type { FaultSummary } from "./faults";
import type { OrgState } from "./state";
import { findInvitation } from "./state";
import type {
  DeleteMissingAnswer,
  DuplicateInvitePolicy,
  EmulatorControl,
  InvitationLimit,
  InvitationRecord,
  TokenBucketSpec,
} from "./types";

export interface KnobSettings {
  duplicateInvitePolicy: DuplicateInvitePolicy;
  deleteMissingAnswer: DeleteMissingAnswer;
  pendingUserIdEqualsInvitationId: boolean;
  invitationLimit: InvitationLimit | null;
  tokenBucket: TokenBucketSpec | null;
}

/** Extra methods the HTTP control API needs besides EmulatorControl. */
export interface FullControl extends EmulatorControl {
  knobs(): KnobSettings;
  setKnobs(patch: Partial<KnobSettings>): KnobSettings;
  faults(): FaultSummary[];
  removeFault(id: string): boolean;
}

export function createControl(core: Core): FullControl {
  const { state } = core;

  const orgFor = (orgId: string): OrgState => {
    sweepExpired(state);
    return state.requireOrg(orgId);
  };
  const invitationFor = (org: OrgState, idOrUsername: string): InvitationRecord => {
    const inv = findInvitation(org, idOrUsername);
    if (!inv) throw new ControlError(`no pending invitation ${idOrUsername} in org ${org.id}`);
    return inv;
  };

  const control: FullControl = {
    reset() {
      state.reset();
      core.faults.clear();
      core.invitationLimiter.set(null);
      core.bucket.set(null, core.now());
      core.log.restart();
      core.digest.challenges = 0;
      core.tokens.issued = 0;
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
    acceptInvitation(orgId, idOrUsername) {
      const org = orgFor(orgId);
      return structuredClone(acceptInvitation(state, org, invitationFor(org, idOrUsername)));
    },
    expireInvitation(orgId, idOrUsername) {
      const org = orgFor(orgId);
      endInvitation(
        org,
        invitationFor(org, idOrUsername),
        "INVITATION_EXPIRED",
        isoSeconds(core.now()),
      );
    },
    rejectInvitation(orgId, idOrUsername) {
      const org = orgFor(orgId);
      endInvitation(
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
    setDeleteMissingAnswer(answer) {
      control.setKnobs({ deleteMissingAnswer: answer });
    },
    setPendingUserIdEqualsInvitationId(same) {
      control.setKnobs({ pendingUserIdEqualsInvitationId: same });
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
      if (patch.duplicateInvitePolicy !== undefined)
        state.knobs.duplicateInvitePolicy = patch.duplicateInvitePolicy;
      if (patch.deleteMissingAnswer !== undefined)
        state.knobs.deleteMissingAnswer = patch.deleteMissingAnswer;
      if (patch.pendingUserIdEqualsInvitationId !== undefined) {
        state.knobs.pendingUserIdEqualsInvitationId = patch.pendingUserIdEqualsInvitationId;
      }
      if (patch.invitationLimit !== undefined) core.invitationLimiter.set(patch.invitationLimit);
      if (patch.tokenBucket !== undefined) core.bucket.set(patch.tokenBucket, core.now());
      return control.knobs();
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
  const {
    duplicateInvitePolicy: dup,
    deleteMissingAnswer: del,
    invitationLimit: lim,
    tokenBucket: tb,
  } = patch;
  if (dup !== undefined && !["replace", "reject", "duplicate"].includes(dup))
    bad(`duplicateInvitePolicy ${String(dup)}`);
  if (del !== undefined && del !== "404" && del !== "400")
    bad(`deleteMissingAnswer ${String(del)}`);
  if (lim && !(lim.count > 0 && lim.windowMs > 0))
    bad("invitationLimit: count and windowMs must be positive");
  if (tb && !(tb.capacity > 0 && tb.refillPerSecond >= 0))
    bad("tokenBucket: capacity > 0, refillPerSecond >= 0");
}

/**
 * The emulator's Atlas-side data: orgs with their teams, projects, pending invitations and org
 * users, plus the behaviour knobs for what Atlas leaves unconfirmed. Pure data, lookups and the
 * stamps records carry (random ids, Atlas timestamps); the invitation lifecycle lives in
 * lifecycle.ts.
 */
import { randomBytes } from "node:crypto";
import { ControlError } from "./errors";
import type { InvitationRecord, KnobSettings, OrgUserRecord } from "./types";

/** A fresh random Atlas id: 24 lowercase hex digits. */
export function newId(): string {
  return randomBytes(12).toString("hex");
}

/** ISO-8601 UTC without milliseconds, the way Atlas prints timestamps. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Atlas org names may contain spaces (recordings: "Atlas CLI E2E"). */
export const DEFAULT_ORG = { id: "64b7f1e2a3c4d5e6f7a8b9c0", name: "Emulated Org" } as const;
export const DEFAULT_TEAMS = [
  { id: "64b7f1e2a3c4d5e6f7a8b9d1", name: "platform" },
  { id: "64b7f1e2a3c4d5e6f7a8b9d2", name: "data" },
] as const;
export const DEFAULT_PROJECT = {
  id: "64b7f1e2a3c4d5e6f7a8b9e1",
  name: "emulated-project",
} as const;

interface Named {
  id: string;
  name: string;
}

export interface OrgState extends Named {
  teams: Map<string, Named>;
  projects: Map<string, Named>;
  /**
   * Pending invitations only: accepted, expired, rejected and cancelled ones are gone. Under
   * `lapsedInvitations: "listed"` this includes those past their `expiresAt` (lifecycle.ts
   * `isLapsed`), which Atlas would still list.
   */
  invitations: Map<string, InvitationRecord>;
  users: Map<string, OrgUserRecord>;
  domainAllowList: string[] | null;
}

/** The knobs that live with the data (the limits live in core: invitationLimit, tokenBucket). */
type Knobs = Omit<KnobSettings, "invitationLimit" | "tokenBucket">;

/** Least favourable plausible answers: see README "Unconfirmed Atlas behaviours". */
function defaultKnobs(): Knobs {
  return {
    duplicateInvitePolicy: "duplicate",
    missingInvitationAnswer: "400",
    usernameCase: "exact",
    usernameNormalization: "none",
    usernameStorage: "as-sent",
    invitationLimitCode: "INVITATIONS_RATE_LIMITED_IP",
    acceptedUserId: "new",
    reinvitedUserId: "new",
    lapsedInvitations: "listed",
  };
}

export class AtlasState {
  readonly orgs = new Map<string, OrgState>();
  knobs: Knobs = defaultKnobs();

  constructor(readonly now: () => number) {
    this.reset();
  }

  reset(): void {
    this.orgs.clear();
    this.knobs = defaultKnobs();
    const org = this.addOrg({ ...DEFAULT_ORG });
    for (const team of DEFAULT_TEAMS) this.addTeam(org.id, { ...team });
    this.addProject(org.id, { ...DEFAULT_PROJECT });
  }

  addOrg(input: { id?: string; name: string }): Named {
    const id = input.id ?? newId();
    if (this.orgs.has(id)) throw new ControlError(`org ${id} already exists`, 409);
    this.orgs.set(id, {
      id,
      name: input.name,
      teams: new Map(),
      projects: new Map(),
      invitations: new Map(),
      users: new Map(),
      domainAllowList: null,
    });
    return { id, name: input.name };
  }

  addTeam(orgId: string, input: { id?: string; name: string }): Named {
    const team = { id: input.id ?? newId(), name: input.name };
    this.requireOrg(orgId).teams.set(team.id, team);
    return { ...team };
  }

  addProject(orgId: string, input: { id?: string; name: string }): Named {
    const project = { id: input.id ?? newId(), name: input.name };
    this.requireOrg(orgId).projects.set(project.id, project);
    return { ...project };
  }

  /** For the control API: an unknown org is a broken test setup. */
  requireOrg(orgId: string): OrgState {
    const org = this.orgs.get(orgId);
    if (!org) throw new ControlError(`no org ${orgId}`);
    return org;
  }
}

/**
 * How usernames are matched. "api" follows the knobs (usernameCase, usernameNormalization, and
 * usernameStorage: with "lower-case" Atlas lower-cases every address it receives before
 * comparing); "control" is the test-side lookup, always case-insensitive and in NFC, so tests can
 * address people in any case and either Unicode form.
 */
type Match = "api" | "control";

/** The address as Atlas stores and returns it. */
export function stored(state: AtlasState, username: string): string {
  return state.knobs.usernameStorage === "lower-case" ? username.toLowerCase() : username;
}

/**
 * Is `candidate` (a stored username) the person `wanted` names (as received)? Under
 * usernameNormalization "nfc" both are compared in Unicode Normalization Form C (UAX #15), so
 * "ren\u00e9@x" and "rene\u0301@x" are one person; under "none" (the default) they are two.
 */
export function samePerson(
  state: AtlasState,
  candidate: string,
  wanted: string,
  match: Match,
): boolean {
  const nfc = match === "control" || state.knobs.usernameNormalization === "nfc";
  const form = (s: string): string => (nfc ? s.normalize("NFC") : s);
  if (match === "control" || state.knobs.usernameCase === "insensitive") {
    return form(candidate).toLowerCase() === form(wanted).toLowerCase();
  }
  return form(candidate) === form(stored(state, wanted));
}

/** Every user record of that person, by the knobs (several only when they changed in between). */
export function usersByUsername(
  state: AtlasState,
  org: OrgState,
  username: string,
): OrgUserRecord[] {
  return [...org.users.values()].filter((u) => samePerson(state, u.username, username, "api"));
}

export function findUserByUsername(
  state: AtlasState,
  org: OrgState,
  username: string,
  match: Match,
): OrgUserRecord | undefined {
  for (const user of org.users.values()) {
    if (samePerson(state, user.username, username, match)) return user;
  }
  return undefined;
}

/** Oldest first (Map insertion order). */
export function pendingInvitationsFor(
  state: AtlasState,
  org: OrgState,
  username: string,
  match: Match,
): InvitationRecord[] {
  return [...org.invitations.values()].filter((inv) =>
    samePerson(state, inv.username, username, match),
  );
}

/** The org user an invitation made PENDING (linked by id, else the same person's). */
export function userOfInvitation(
  state: AtlasState,
  org: OrgState,
  invitation: InvitationRecord,
): OrgUserRecord | undefined {
  for (const user of org.users.values()) if (user.invitationId === invitation.id) return user;
  return findUserByUsername(state, org, invitation.username, "api");
}

/** Control API: by id, or by username in any case (the newest pending invitation). */
export function findInvitation(
  state: AtlasState,
  org: OrgState,
  idOrUsername: string,
): InvitationRecord | undefined {
  return (
    org.invitations.get(idOrUsername) ??
    pendingInvitationsFor(state, org, idOrUsername, "control").at(-1)
  );
}

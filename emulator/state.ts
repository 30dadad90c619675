/**
 * The emulator's Atlas-side data: orgs with their teams, projects, pending invitations and org
 * users, plus the behaviour knobs for what Atlas leaves unconfirmed. Pure data and lookups; the
 * invitation lifecycle lives in lifecycle.ts.
 */
import { ControlError } from "./errors";
import { newId } from "./ids";
import type {
  DeleteMissingAnswer,
  DuplicateInvitePolicy,
  InvitationRecord,
  OrgUserRecord,
} from "./types";

export const DEFAULT_ORG = { id: "64b7f1e2a3c4d5e6f7a8b9c0", name: "Emulated-Org" } as const;
export const DEFAULT_TEAMS = [
  { id: "64b7f1e2a3c4d5e6f7a8b9d1", name: "platform" },
  { id: "64b7f1e2a3c4d5e6f7a8b9d2", name: "data" },
] as const;
export const DEFAULT_PROJECT = {
  id: "64b7f1e2a3c4d5e6f7a8b9e1",
  name: "emulated-project",
} as const;
/** The API keys' owner: Atlas reports it as `inviterUsername`. */
export const OWNER_USERNAME = "owner@emulator.local";

export interface Named {
  id: string;
  name: string;
}

export interface OrgState extends Named {
  teams: Map<string, Named>;
  projects: Map<string, Named>;
  /** Pending invitations only: accepted, expired, rejected and cancelled ones are gone. */
  invitations: Map<string, InvitationRecord>;
  users: Map<string, OrgUserRecord>;
  domainAllowList: string[] | null;
}

export interface Knobs {
  duplicateInvitePolicy: DuplicateInvitePolicy;
  deleteMissingAnswer: DeleteMissingAnswer;
  pendingUserIdEqualsInvitationId: boolean;
}

export function defaultKnobs(): Knobs {
  return {
    duplicateInvitePolicy: "replace",
    deleteMissingAnswer: "404",
    pendingUserIdEqualsInvitationId: false,
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

export function sameUsername(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function findUserByUsername(org: OrgState, username: string): OrgUserRecord | undefined {
  for (const user of org.users.values()) if (sameUsername(user.username, username)) return user;
  return undefined;
}

/** Oldest first (Map insertion order). */
export function pendingInvitationsFor(org: OrgState, username: string): InvitationRecord[] {
  return [...org.invitations.values()].filter((inv) => sameUsername(inv.username, username));
}

/** By id, or by username (the newest pending invitation of that user). */
export function findInvitation(org: OrgState, idOrUsername: string): InvitationRecord | undefined {
  return org.invitations.get(idOrUsername) ?? pendingInvitationsFor(org, idOrUsername).at(-1);
}

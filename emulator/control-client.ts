/**
 * A tiny typed client for the HTTP control API (/__emulator/...), for out-of-process users: the
 * demo and the Pulumi host tests. Uses Node's built-in fetch.
 */
import type {
  EmulatorStats,
  FaultMatch,
  FaultSpec,
  InvitationRecord,
  KnobSettings,
  LogEntry,
  LogFilter,
  OrgUserRecord,
  SunsetInfo,
} from "./types";

interface EmulatorInfo {
  baseUrl: string;
  orgId: string;
  teamIds: string[];
  projectId: string;
  publicKey: string;
  clientId: string;
}

/** Knobs as sent over HTTP; `domainAllowList.orgId` defaults to the default org. */
type KnobsPatch = Partial<KnobSettings> & {
  domainAllowList?: { orgId?: string; domains: string[] | null };
};

interface RemoteFaultHandle {
  id: string;
  remaining(): Promise<number>;
  clear(): Promise<void>;
}

export interface ControlClient {
  info(): Promise<EmulatorInfo>;
  reset(): Promise<void>;
  addOrg(input: { id?: string; name: string }): Promise<{ id: string; name: string }>;
  addTeam(
    orgId: string,
    input: { id?: string; name: string },
  ): Promise<{ id: string; name: string }>;
  addProject(
    orgId: string,
    input: { id?: string; name: string },
  ): Promise<{ id: string; name: string }>;
  addMember(
    orgId: string,
    input: { username: string; roles?: string[]; teamIds?: string[] },
  ): Promise<OrgUserRecord>;
  acceptInvitation(
    orgId: string,
    invitationIdOrUsername: string,
    options?: { accountUsername?: string },
  ): Promise<OrgUserRecord>;
  expireInvitation(orgId: string, invitationIdOrUsername: string): Promise<void>;
  /** Its `expiresAt` becomes a second before the emulator's now; answers the invitation. */
  lapseInvitation(orgId: string, invitationIdOrUsername: string): Promise<InvitationRecord>;
  rejectInvitation(orgId: string, invitationIdOrUsername: string): Promise<void>;
  setInvitation(
    orgId: string,
    invitationId: string,
    patch: { roles?: string[]; teamIds?: string[] },
  ): Promise<void>;
  invitations(orgId: string): Promise<InvitationRecord[]>;
  users(orgId: string): Promise<OrgUserRecord[]>;
  injectFault(fault: FaultSpec): Promise<RemoteFaultHandle>;
  clearFaults(): Promise<void>;
  setKnobs(patch: KnobsPatch): Promise<KnobSettings>;
  knobs(): Promise<KnobSettings>;
  log(filter?: LogFilter): Promise<LogEntry[]>;
  clearLog(): Promise<void>;
  /** {digestChallenges, tokensIssued, activeUserRemovals, pendingUserRemovals} */
  stats(): Promise<EmulatorStats>;
  sunset(): Promise<SunsetInfo>;
  /** null: back to the emulator's start-up sunset (default 2027-07-01). */
  setSunsetDate(date: Date | string | null): Promise<SunsetInfo>;
  /** The invites API is gone from now on (by the emulator's clock). */
  sunsetNow(): Promise<SunsetInfo>;
}

class ControlClientError extends Error {
  override readonly name = "ControlClientError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function faultToJson(fault: FaultSpec): Record<string, unknown> {
  const { match, ...rest } = fault;
  const json: Record<string, unknown> = { ...rest };
  // JSON has no Infinity: `times: "Infinity"`. Other non-finite numbers go as text too, since
  // JSON.stringify would make them null (which means Infinity times): the server refuses them.
  for (const [key, value] of Object.entries(json)) {
    if (typeof value === "number" && !Number.isFinite(value)) json[key] = String(value);
  }
  if (match) {
    const { path, ...m }: FaultMatch = match;
    json["match"] =
      path instanceof RegExp
        ? { ...m, pathRegex: path.source }
        : { ...m, ...(path === undefined ? {} : { path }) };
  }
  return json;
}

function count(value: number | "Infinity"): number {
  return value === "Infinity" ? Infinity : value;
}

export function connectControl(baseUrl: string): ControlClient {
  const root = baseUrl.replace(/\/+$/, "");
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const init: RequestInit = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { Accept: "application/json", "Content-Type": "application/json" };
    }
    const res = await fetch(`${root}/__emulator${path}`, init);
    const text = await res.text();
    const parsed = text === "" ? undefined : (JSON.parse(text) as unknown);
    if (!res.ok) {
      const detail = (parsed as { detail?: string } | undefined)?.detail ?? text;
      throw new ControlClientError(
        res.status,
        `emulator control ${method} ${path} answered ${res.status}: ${detail}`,
      );
    }
    return parsed as T;
  };
  const org = (orgId: string): string => `/orgs/${encodeURIComponent(orgId)}`;
  const inv = (orgId: string, id: string, action: string): string =>
    `${org(orgId)}/invitations/${encodeURIComponent(id)}/${action}`;

  return {
    info: () => call("GET", "/info"),
    reset: async () => void (await call("POST", "/reset")),
    addOrg: (input) => call("POST", "/orgs", input),
    addTeam: (orgId, input) => call("POST", `${org(orgId)}/teams`, input),
    addProject: (orgId, input) => call("POST", `${org(orgId)}/projects`, input),
    addMember: (orgId, input) => call("POST", `${org(orgId)}/members`, input),
    acceptInvitation: (orgId, id, options) => call("POST", inv(orgId, id, "accept"), options),
    expireInvitation: async (orgId, id) => void (await call("POST", inv(orgId, id, "expire"))),
    lapseInvitation: (orgId, id) => call("POST", inv(orgId, id, "lapse")),
    rejectInvitation: async (orgId, id) => void (await call("POST", inv(orgId, id, "reject"))),
    setInvitation: async (orgId, id, patch) =>
      void (await call("PATCH", `${org(orgId)}/invitations/${encodeURIComponent(id)}`, patch)),
    invitations: (orgId) => call("GET", `${org(orgId)}/invitations`),
    users: (orgId) => call("GET", `${org(orgId)}/users`),
    async injectFault(fault) {
      const { id } = await call<{ id: string }>("POST", "/faults", faultToJson(fault));
      return {
        id,
        remaining: async () =>
          count((await call<{ remaining: number | "Infinity" }>("GET", `/faults/${id}`)).remaining),
        clear: async () => void (await call("DELETE", `/faults/${id}`)),
      };
    },
    clearFaults: async () => void (await call("DELETE", "/faults")),
    setKnobs: (patch) => call("PUT", "/knobs", patch),
    knobs: () => call("GET", "/knobs"),
    log(filter = {}) {
      const q = new URLSearchParams();
      if (filter.method) q.set("method", filter.method);
      if (filter.operationId) q.set("operationId", filter.operationId);
      if (filter.status !== undefined) q.set("status", String(filter.status));
      const qs = q.toString();
      return call("GET", `/log${qs ? `?${qs}` : ""}`);
    },
    clearLog: async () => void (await call("DELETE", "/log")),
    stats: () => call("GET", "/stats"),
    sunset: () => call("GET", "/sunset"),
    setSunsetDate: (date) =>
      call("PUT", "/sunset", { date: date instanceof Date ? date.toISOString() : date }),
    sunsetNow: () => call("POST", "/sunset/now"),
  };
}

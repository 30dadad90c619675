/**
 * Public types of the emulator. Other parts of the project (client tests, contract tests, the
 * demo, host tests, benchmarks) code against exactly these names.
 */

export interface EmulatorOptions {
  /** TCP port; always bound on 127.0.0.1. @default 0 (ephemeral) */
  port?: number;
  /** Digest username. @default "emulator-public-key" */
  publicKey?: string;
  /** Digest password. @default "emulator-private-key" */
  privateKey?: string;
  /** Service-account client id. @default "mdb_sa_id_emulator" */
  clientId?: string;
  /** Service-account client secret. @default "mdb_sa_sk_emulator" */
  clientSecret?: string;
  /** Digest challenges offered; SHA-256 is offered first when both are. @default ["MD5"] (Atlas's) */
  digestAlgorithms?: DigestAlgorithm[];
  /** Nonces older than this answer 401 with `stale=true`. @default 300_000 */
  nonceTtlMs?: number;
  /** Lifetime of issued access tokens. @default 3600 */
  tokenTtlSeconds?: number;
  /** Injectable clock (ms since epoch). @default Date.now */
  now?: () => number;
  /** Called once per finished (non-control) request: contract tests hook in here. */
  onExchange?: (exchange: Exchange) => void;
}

export type DigestAlgorithm = "MD5" | "SHA-256";

export interface Exchange {
  method: string;
  /** Pathname only. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names, first value; `authorization` keeps only its scheme (secrets never leave). */
  requestHeaders: Record<string, string>;
  /** Parsed JSON, the raw string if not JSON, undefined if empty. */
  requestBody: unknown;
  /** 0 when the socket was destroyed by a reset fault. */
  status: number;
  responseHeaders: Record<string, string>;
  /** Parsed JSON, or undefined (empty or not JSON). */
  responseBody: unknown;
  /** Set when the route is one of the 11 slice operations. */
  operationId: string | undefined;
}

export type AuthKind = "none" | "digest" | "bearer" | "basic" | "invalid";

export interface LogEntry {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** 0 when the socket was destroyed by a reset fault. */
  status: number;
  operationId: string | undefined;
  auth: AuthKind;
  /** The response carried a Digest challenge. */
  challenged: boolean;
  /** An injected fault matched this request. */
  faulted: boolean;
}

export type LogFilter = Partial<Pick<LogEntry, "method" | "operationId" | "status">>;

export interface RequestLog {
  entries(filter?: LogFilter): LogEntry[];
  count(filter?: LogFilter): number;
  clear(): void;
}

export interface EmulatorStats {
  digestChallenges: number;
  tokensIssued: number;
}

export interface RunningEmulator {
  /** "http://127.0.0.1:PORT" */
  baseUrl: string;
  credentials: { publicKey: string; privateKey: string; clientId: string; clientSecret: string };
  /** The default org. */
  orgId: string;
  /** The default org's teams. */
  teamIds: string[];
  /** A default project (groupId) in the default org. */
  projectId: string;
  log: RequestLog;
  stats(): EmulatorStats;
  control: EmulatorControl;
  close(): Promise<void>;
}

export interface GroupRoleAssignmentRecord {
  groupId: string;
  roles: string[];
}

export interface InvitationRecord {
  id: string;
  orgId: string;
  username: string;
  roles: string[];
  teamIds: string[];
  groupRoleAssignments: GroupRoleAssignmentRecord[];
  createdAt: string;
  expiresAt: string;
  inviterUsername: string;
}

export type MembershipStatus = "PENDING" | "ACTIVE" | "INVITATION_EXPIRED" | "INVITATION_REJECTED";

export interface OrgUserRecord {
  id: string;
  username: string;
  orgMembershipStatus: MembershipStatus;
  /** Org roles. */
  roles: string[];
  teamIds: string[];
  groupRoleAssignments: GroupRoleAssignmentRecord[];
  invitationId?: string;
  invitationCreatedAt?: string;
  invitationExpiresAt?: string | null;
  inviterUsername?: string;
  firstName?: string;
  lastName?: string;
  createdAt?: string;
}

export type DuplicateInvitePolicy = "replace" | "reject" | "duplicate";
export type DeleteMissingAnswer = "404" | "400";

export interface InvitationLimit {
  count: number;
  windowMs: number;
}

export interface TokenBucketSpec {
  capacity: number;
  refillPerSecond: number;
}

export interface FaultMatch {
  method?: string;
  operationId?: string;
  /** Exact pathname, or a RegExp tested against the pathname. */
  path?: string | RegExp;
}

export interface FaultSpec {
  match?: FaultMatch;
  /** @default 1; Infinity allowed */
  times?: number;
  /** Answer this error (ApiError body) instead of the real one. */
  status?: number;
  errorCode?: string;
  detail?: string;
  /** Retry-After header value ("2" or an HTTP date). */
  retryAfter?: string;
  headers?: Record<string, string>;
  /** Wait before answering (after committing the change when commit is true). */
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
  /** Perform the real operation first (state changes), then apply the fault. */
  commit?: boolean;
  /** Answer the real status (the operation runs) with a truncated, invalid JSON body. */
  malformedBody?: boolean;
}

export interface FaultHandle {
  remaining(): number;
  clear(): void;
}

export interface EmulatorControl {
  reset(): void;
  addOrg(input: { id?: string; name: string }): { id: string; name: string };
  addTeam(orgId: string, input: { id?: string; name: string }): { id: string; name: string };
  addProject(orgId: string, input: { id?: string; name: string }): { id: string; name: string };
  addMember(
    orgId: string,
    input: { username: string; roles?: string[]; teamIds?: string[] },
  ): OrgUserRecord;
  acceptInvitation(orgId: string, invitationIdOrUsername: string): OrgUserRecord;
  expireInvitation(orgId: string, invitationIdOrUsername: string): void;
  rejectInvitation(orgId: string, invitationIdOrUsername: string): void;
  setInvitation(
    orgId: string,
    invitationId: string,
    patch: { roles?: string[]; teamIds?: string[] },
  ): void;
  invitations(orgId: string): InvitationRecord[];
  users(orgId: string): OrgUserRecord[];
  setDuplicateInvitePolicy(policy: DuplicateInvitePolicy): void;
  setDeleteMissingAnswer(answer: DeleteMissingAnswer): void;
  setPendingUserIdEqualsInvitationId(same: boolean): void;
  setDomainAllowList(orgId: string, domains: string[] | null): void;
  setInvitationLimit(limit: InvitationLimit | null): void;
  setTokenBucket(bucket: TokenBucketSpec | null): void;
  injectFault(fault: FaultSpec): FaultHandle;
  clearFaults(): void;
}

/**
 * The emulator's types: options, the RunningEmulator handle and its control API, the request log,
 * records, knobs and faults. index.ts re-exports the ones other parts of the project import.
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
  /**
   * The sunset of the deprecated 2023-01-01 invitation (and org-user) media type, sent as the
   * `Sunset` header (`Thu, 1 Jul 2027 00:00:00 GMT`, as Atlas formats it). From this instant on
   * (by `now`) every invites operation answers 410 VERSION_GONE, and so do listOrgUsers and
   * removeOrgUser with 2023-01-01. A Date or an ISO-8601 string. It is also the value
   * `control.reset()` and `control.setSunsetDate(null)` go back to.
   * @default "2027-07-01T00:00:00Z" (the slice's x-sunset, the recordings' Sunset header)
   */
  sunsetDate?: Date | string;
  /** Called once per finished (non-control) request: contract tests hook in here. */
  onExchange?: (exchange: Exchange) => void;
  /**
   * Serve HTTPS with a fresh throwaway CA and leaf certificate (emulator/tls.ts); the CA PEM is
   * written to a temp file (RunningEmulator.tls.caFile) removed by close(). @default false
   */
  tls?: boolean;
  /** Extra subjectAltName entries (DNS names or IPs); for "wrong-host", the only ones. */
  tlsHostnames?: string[];
  /** Which leaf to serve, to test client-side TLS failures. @default "valid" */
  tlsCertificate?: TlsCertificateKind;
}

/**
 * "valid": covers cloud.mongodb.com, localhost, 127.0.0.1, ::1 (+ tlsHostnames) for a few days;
 * "expired": the same names, validity ended yesterday; "wrong-host": only tlsHostnames (default
 * ["wrong.example"]).
 */
export type TlsCertificateKind = "valid" | "expired" | "wrong-host";

export interface EmulatorTlsInfo {
  /** A fresh temp file holding caPem: point NODE_EXTRA_CA_CERTS at it. Removed by close(). */
  caFile: string;
  caPem: string;
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
  /**
   * When the request arrived (before its body was read), in ms since the epoch with
   * sub-millisecond precision: `performance.timeOrigin + performance.now()`, real time even when
   * the emulator's `now` clock is faked.
   */
  receivedAt: number;
  /** When the answer was handed to the socket (or the socket destroyed), same clock; >= receivedAt. */
  answeredAt: number;
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
  /** removeOrgUser calls (any version) that removed an ACTIVE user: a member lost their access. */
  activeUserRemovals: number;
  /** removeOrgUser calls that removed a PENDING user (and so cancelled the invitation). */
  pendingUserRemovals: number;
}

/** The sunset of the deprecated 2023-01-01 media type, as the emulator plays it now. */
export interface SunsetInfo {
  /** ISO-8601 with milliseconds. */
  sunsetDate: string;
  /** By the emulator's clock: the invites API (and 2023-01-01 org-user calls) answer 410. */
  passed: boolean;
}

export interface RunningEmulator {
  /** "http://127.0.0.1:PORT", or "https://127.0.0.1:PORT" with the tls option */
  baseUrl: string;
  /** Present only when serving HTTPS (the tls option). */
  tls?: EmulatorTlsInfo;
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
  /** ACTIVE users: when the account last authenticated (acceptance or addMember time). */
  lastAuth?: string;
  /** ACTIVE users: ISO 3166-1 alpha-2. */
  country?: string;
}

/**
 * Atlas behaviours no recording or spec text settles: see emulator/README.md, "Unconfirmed Atlas
 * behaviours". Every default is the least favourable plausible answer for a client.
 */
/** What createOrgInvite does when the person already has a pending invitation. */
type DuplicateInvitePolicy = "replace" | "reject" | "duplicate";
/** getOrgInvite / updateOrgInviteById / deleteOrgInvite on an unknown or accepted invitation. */
type MissingInvitationAnswer = "404" | "400";
/** How Atlas compares usernames (filters, duplicate checks, PATCH by username). */
type UsernameCase = "exact" | "insensitive";
/**
 * Whether Atlas compares usernames in Unicode Normalization Form C (UAX #15) or code point by code
 * point: "none", an address in NFC and the same address in NFD are two people; "nfc", one person
 * (letter case still per UsernameCase). Storage is unaffected: Atlas keeps the address as sent.
 */
type UsernameNormalization = "none" | "nfc";
/** Whether Atlas keeps an address as sent or lower-cases it. */
type UsernameStorage = "as-sent" | "lower-case";
/** errorCode of the invitation limit's 400. */
export type InvitationLimitCode = "INVITATIONS_RATE_LIMITED_IP" | "RATE_LIMITED_IP";
/** Whether the ACTIVE user keeps the PENDING user's id after acceptance. */
type AcceptedUserId = "same" | "new";
/**
 * Whether re-inviting an INVITATION_EXPIRED / INVITATION_REJECTED user (createOrgUser or
 * createOrgInvite) keeps that record's id or replaces the record with a new one.
 */
type ReinvitedUserId = "same" | "new";
/**
 * What Atlas does with a pending invitation whose `expiresAt` has passed. "listed": it stays
 * listed and served, its org user stays PENDING, every write to it answers 400 ALREADY_EXPIRED,
 * and creates treat it as ended. "dropped": it disappears at once and its PENDING user becomes
 * INVITATION_EXPIRED.
 */
type LapsedInvitations = "listed" | "dropped";

export interface KnobSettings {
  duplicateInvitePolicy: DuplicateInvitePolicy;
  missingInvitationAnswer: MissingInvitationAnswer;
  usernameCase: UsernameCase;
  usernameNormalization: UsernameNormalization;
  usernameStorage: UsernameStorage;
  invitationLimitCode: InvitationLimitCode;
  acceptedUserId: AcceptedUserId;
  reinvitedUserId: ReinvitedUserId;
  lapsedInvitations: LapsedInvitations;
  invitationLimit: InvitationLimit | null;
  tokenBucket: TokenBucketSpec | null;
}

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
  /**
   * The invited person accepts. `accountUsername` is the spelling of the address their Atlas
   * account has (default: the invitation's): the ACTIVE user carries that one.
   */
  acceptInvitation(
    orgId: string,
    invitationIdOrUsername: string,
    options?: { accountUsername?: string },
  ): OrgUserRecord;
  /** The invitation ends at once: it disappears and its user becomes INVITATION_EXPIRED. */
  expireInvitation(orgId: string, invitationIdOrUsername: string): void;
  /**
   * The invitation's `expiresAt` (and its PENDING user's `invitationExpiresAt`) becomes one second
   * before the emulator's now, without moving the clock: what happens next is the
   * `lapsedInvitations` knob's ("dropped": the next request sweeps it; "listed": it stays listed,
   * and writes to it answer 400 ALREADY_EXPIRED). By id, or by username (the newest invitation).
   */
  lapseInvitation(orgId: string, invitationIdOrUsername: string): InvitationRecord;
  rejectInvitation(orgId: string, invitationIdOrUsername: string): void;
  setInvitation(
    orgId: string,
    invitationId: string,
    patch: { roles?: string[]; teamIds?: string[] },
  ): void;
  invitations(orgId: string): InvitationRecord[];
  users(orgId: string): OrgUserRecord[];
  /** The current knobs (see KnobSettings). */
  knobs(): KnobSettings;
  /** Sets any subset of the knobs; bad values throw with a plain message. Returns all knobs. */
  setKnobs(patch: Partial<KnobSettings>): KnobSettings;
  setDuplicateInvitePolicy(policy: DuplicateInvitePolicy): void;
  setMissingInvitationAnswer(answer: MissingInvitationAnswer): void;
  setDomainAllowList(orgId: string, domains: string[] | null): void;
  setInvitationLimit(limit: InvitationLimit | null): void;
  /** null: no bucket and no Ratelimit-* headers at all. */
  setTokenBucket(bucket: TokenBucketSpec | null): void;
  injectFault(fault: FaultSpec): FaultHandle;
  clearFaults(): void;
  /** The sunset currently played. */
  sunset(): SunsetInfo;
  /**
   * Moves the sunset of the 2023-01-01 media type (the `Sunset` header, and 410 from then on).
   * `null`: back to the start-up value (the `sunsetDate` option, default 2027-07-01). A bad date
   * throws. `reset()` restores the start-up value too.
   */
  setSunsetDate(date: Date | string | null): SunsetInfo;
  /** The sunset is now (by the emulator's clock): every invites call answers 410 from here on. */
  sunsetNow(): SunsetInfo;
}

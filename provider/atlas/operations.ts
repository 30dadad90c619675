/**
 * The Atlas Admin API v2 operations this client calls, described once, as data: the operationId
 * of the OpenAPI slice (openapi/), method, path template, API version, query parameters, request
 * body and answer, whether the call can send an invitation, and its rate-limit scope.
 * `callOperation` turns one entry and a call's parameters into one request through the one
 * request path (http.ts, request-loop.ts); invitations.ts and users.ts add only what is their own
 * (a `landed` look-up, a guard, a mapping of the answer). test/contract/operations-table.test.ts
 * holds every entry to the slice.
 */
import {
  invitationListProblem,
  invitationProblem,
  userProblem,
  usersPageProblem,
} from "./answer-shapes";
import type { Budget } from "./budget";
import { encodeSegment } from "./http";
import type { GuardRead, HttpMethod, Transport } from "./http";
import type { RateLimitScope } from "./pacing";
import { API_VERSIONS } from "./types";
import type {
  ApiVersion,
  OrgInvitation,
  OrgInvitationRequest,
  OrgInvitationUpdateRequest,
  OrgUser,
  OrgUserRequest,
  OrgUserUpdateRequest,
  OrgUsersPage,
} from "./types";

/** The parameter names of a path template: `"orgId" | "userId"` for `.../{orgId}/users/{userId}`. */
export type PathParams<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParams<Rest>
  : never;

/** Carries an operation's TypeScript types (request body, answer); never set at run time. */
declare const types: unique symbol;

/**
 * One operation of the slice as this client calls it. `Body` and `Answer` are the TypeScript
 * types of the request body (`undefined`: none) and of the parsed answer (`undefined`: none).
 */
export interface AtlasOperation<Path extends string, Query extends string, Body, Answer> {
  /** The operation's `operationId` in the OpenAPI slice. */
  readonly operationId: string;
  readonly method: HttpMethod;
  /** The slice's path template; each `{name}` is filled with one encoded segment. */
  readonly path: Path;
  /** The version of the media type sent as `Accept` (and `Content-Type` with a body). */
  readonly version: ApiVersion;
  /** The query parameters the client may send, in the order it sends them. */
  readonly query: readonly Query[];
  /** The request body's schema in the slice (`components/schemas`); undefined for none. */
  readonly requestBody: string | undefined;
  readonly answer: {
    /** The success status the slice declares (the transport takes any 2xx as success). */
    readonly status: 200 | 201 | 204;
    /** The answer's schema in the slice, `Name[]` for an array of them; undefined for none. */
    readonly schema: string | undefined;
    /** What is wrong with a parsed answer (answer-shapes.ts); undefined: the answer is not read. */
    readonly check: ((body: unknown) => string | undefined) | undefined;
  };
  /**
   * The call can send an invitation, so it passes Atlas's invitation limit too
   * (invitation-view.ts): creating an invitation or a pending user, and updating either.
   */
  readonly sendsInvitation: boolean;
  /**
   * The rate-limit scope (pacing.ts): invites and org users draw on their organization's token
   * bucket (Atlas docs, rate limits), named by this path parameter.
   */
  readonly scope: { readonly organization: PathParams<Path> };
  readonly [types]?: { readonly body: Body; readonly answer: Answer };
}

/** Defines one entry, with its request body and answer types: `operation<Body, Answer>()({...})`. */
function operation<Body, Answer>() {
  return <const Path extends string, const Query extends string = never>(
    entry: Omit<AtlasOperation<Path, Query, Body, Answer>, typeof types>,
  ): AtlasOperation<Path, Query, Body, Answer> => entry;
}

const INVITES = "/api/atlas/v2/orgs/{orgId}/invites";
const INVITE = "/api/atlas/v2/orgs/{orgId}/invites/{invitationId}";
const USERS = "/api/atlas/v2/orgs/{orgId}/users";
const USER = "/api/atlas/v2/orgs/{orgId}/users/{userId}";

/**
 * The operations, by operationId. The invitation operations are deprecated, with
 * `application/vnd.atlas.2023-01-01+json` only (and the sunset Atlas announces in its `Sunset`
 * header); the org user operations always use 2025-02-19, the only version whose listOrgUsers
 * honours filters and returns pending users. Not used: updateOrgInvites (PATCH by username).
 */
export const OPERATIONS = {
  /** A bare array of the pending invitations (not paginated), optionally of one username. */
  listOrgInvites: operation<undefined, OrgInvitation[]>()({
    operationId: "listOrgInvites",
    method: "GET",
    path: INVITES,
    version: API_VERSIONS.invitations,
    query: ["username"],
    requestBody: undefined,
    answer: { status: 200, schema: "OrganizationInvitation[]", check: invitationListProblem },
    sendsInvitation: false,
    scope: { organization: "orgId" },
  }),
  /** Atlas answers 200, not 201 (atlas-recorded/01-createOrgInvite-200.http). */
  createOrgInvite: operation<OrgInvitationRequest, OrgInvitation>()({
    operationId: "createOrgInvite",
    method: "POST",
    path: INVITES,
    version: API_VERSIONS.invitations,
    query: [],
    requestBody: "OrganizationInvitationRequest",
    answer: { status: 200, schema: "OrganizationInvitation", check: invitationProblem },
    sendsInvitation: true,
    scope: { organization: "orgId" },
  }),
  /** 404 (or 400) once the invitation is accepted, expired or cancelled. */
  getOrgInvite: operation<undefined, OrgInvitation>()({
    operationId: "getOrgInvite",
    method: "GET",
    path: INVITE,
    version: API_VERSIONS.invitations,
    query: [],
    requestBody: undefined,
    answer: { status: 200, schema: "OrganizationInvitation", check: invitationProblem },
    sendsInvitation: false,
    scope: { organization: "orgId" },
  }),
  /** The body carries no username. */
  updateOrgInviteById: operation<OrgInvitationUpdateRequest, OrgInvitation>()({
    operationId: "updateOrgInviteById",
    method: "PATCH",
    path: INVITE,
    version: API_VERSIONS.invitations,
    query: [],
    requestBody: "OrganizationInvitationUpdateRequest",
    answer: { status: 200, schema: "OrganizationInvitation", check: invitationProblem },
    sendsInvitation: true,
    scope: { organization: "orgId" },
  }),
  /** 204 with no body (atlas-recorded/10-deleteOrgInvite-204.http). */
  deleteOrgInvite: operation<undefined, undefined>()({
    operationId: "deleteOrgInvite",
    method: "DELETE",
    path: INVITE,
    version: API_VERSIONS.invitations,
    query: [],
    requestBody: undefined,
    answer: { status: 204, schema: undefined, check: undefined },
    sendsInvitation: false,
    scope: { organization: "orgId" },
  }),
  /** One page; without a status filter Atlas returns only ACTIVE and PENDING users. */
  listOrgUsers: operation<undefined, OrgUsersPage>()({
    operationId: "listOrgUsers",
    method: "GET",
    path: USERS,
    version: API_VERSIONS.users,
    query: ["username", "itemsPerPage", "pageNum"],
    requestBody: undefined,
    answer: { status: 200, schema: "PaginatedOrgUserView", check: usersPageProblem },
    sendsInvitation: false,
    scope: { organization: "orgId" },
  }),
  /** 201 with the PENDING user; 409 when a PENDING or ACTIVE user has that username. */
  createOrgUser: operation<OrgUserRequest, OrgUser>()({
    operationId: "createOrgUser",
    method: "POST",
    path: USERS,
    version: API_VERSIONS.users,
    query: [],
    requestBody: "OrgUserRequest",
    answer: { status: 201, schema: "OrgUserResponse", check: userProblem },
    sendsInvitation: true,
    scope: { organization: "orgId" },
  }),
  /** 404 for a user who is gone, expired or rejected (Atlas hides those by default). */
  getOrgUser: operation<undefined, OrgUser>()({
    operationId: "getOrgUser",
    method: "GET",
    path: USER,
    version: API_VERSIONS.users,
    query: [],
    requestBody: undefined,
    answer: { status: 200, schema: "OrgUserResponse", check: userProblem },
    sendsInvitation: false,
    scope: { organization: "orgId" },
  }),
  /**
   * `teamIds` replaces the set. A pending user's invitation changes too (unrecorded), so it is
   * counted towards the invitation limit, to be safe.
   */
  updateOrgUser: operation<OrgUserUpdateRequest, OrgUser>()({
    operationId: "updateOrgUser",
    method: "PATCH",
    path: USER,
    version: API_VERSIONS.users,
    query: [],
    requestBody: "OrgUserUpdateRequest",
    answer: { status: 200, schema: "OrgUserResponse", check: userProblem },
    sendsInvitation: true,
    scope: { organization: "orgId" },
  }),
  /** Removes a PENDING user (cancels the invitation) or an ACTIVE one: Atlas checks nothing. */
  removeOrgUser: operation<undefined, undefined>()({
    operationId: "removeOrgUser",
    method: "DELETE",
    path: USER,
    version: API_VERSIONS.users,
    query: [],
    requestBody: undefined,
    answer: { status: 204, schema: undefined, check: undefined },
    sendsInvitation: false,
    scope: { organization: "orgId" },
  }),
} as const;

/** The operationIds of the table. */
export type OperationId = keyof typeof OPERATIONS;

/** The path parameters of a call, as they are: each is encoded as one segment. */
export type PathValues<Path extends string> = Readonly<Record<PathParams<Path>, string>>;

/** What one call adds to its operation's description. */
export type OperationCall<
  Path extends string,
  Query extends string,
  Body,
  Answer,
  Result,
  Early,
> = {
  readonly params: PathValues<Path>;
  /** Query parameters, sent in this order; undefined values are left out. */
  readonly query?: Readonly<Partial<Record<Query, string | number | undefined>>> | undefined;
  /**
   * The budget of the operation this call belongs to, shared by all its calls.
   * @default a fresh budget of `deadlineMs` for this call alone
   */
  readonly budget?: Budget | undefined;
  /**
   * For a creating POST: after an ambiguous failure, finds what it created (request-loop.ts);
   * the POST is sent again only when this finds nothing.
   */
  readonly landed?: ((budget: Budget) => Promise<Result | undefined>) | undefined;
  /**
   * Part of every attempt, right before the request is sent (request-loop.ts): a result ends the
   * call unsent. `read` sends one GET within the attempt (see `readOperation`).
   */
  readonly guard?: ((read: GuardRead) => Promise<Early | undefined>) | undefined;
} & ([Body] extends [undefined] ? { readonly body?: undefined } : { readonly body: Body }) &
  ([Answer] extends [Result]
    ? {
        /** Turns the answer (undefined for none, a 204) into the result. @default as is */
        readonly map?: ((answer: Answer) => Result) | undefined;
      }
    : { readonly map: (answer: Answer) => Result });

/**
 * The path of one call: the template with each parameter encoded as one segment.
 * @throws RangeError for an empty, `.` or `..` parameter (`encodeSegment`); TypeError for a
 * parameter without a value (which the types already refuse)
 */
export function pathOf<Path extends string>(
  op: { readonly operationId: string; readonly path: Path },
  params: PathValues<NoInfer<Path>>,
): string {
  const values = params as Readonly<Record<string, string | undefined>>;
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new TypeError(`${op.operationId}: no value for the path parameter ${name}`);
    }
    return encodeSegment(value);
  });
}

/** The rate-limit scope of one call, from its parameters (never read back from its path). */
export function scopeOf<Path extends string>(
  op: { readonly path: Path; readonly scope: { readonly organization: PathParams<Path> } },
  params: PathValues<NoInfer<Path>>,
): RateLimitScope {
  return { organization: params[op.scope.organization] };
}

/**
 * Sends one call of `op` through the transport: paced in the operation's scope (and by the
 * invitation limit when it can send one), retried and bounded by the budget.
 * @throws this package's request errors (see `AtlasClient`); RangeError for a path parameter
 * that cannot be a segment
 */
export async function callOperation<
  Path extends string,
  Query extends string,
  Body,
  Answer,
  Result = Answer,
  Early = never,
>(
  http: Transport,
  op: AtlasOperation<Path, Query, Body, Answer>,
  call: OperationCall<NoInfer<Path>, NoInfer<Query>, NoInfer<Body>, NoInfer<Answer>, Result, Early>,
): Promise<Result | Early> {
  const map = call.map as ((answer: Answer) => Result) | undefined;
  return http.request<Result | Early>({
    method: op.method,
    path: pathOf(op, call.params),
    ...(call.query !== undefined && { query: call.query }),
    ...(call.body !== undefined && { body: call.body }),
    version: op.version,
    scope: scopeOf(op, call.params),
    expect: op.answer.check,
    budget: call.budget,
    sendsInvitation: op.sendsInvitation,
    landed: call.landed,
    guard: call.guard,
    map: map && ((body: unknown) => map(body as Answer)),
  });
}

/**
 * One GET of `op` inside a guard's attempt (`GuardRead`): sent within the attempt's timeout, with
 * no retry or pacing of its own, its answer checked like any other.
 */
export async function readOperation<Path extends string, Query extends string, Answer>(
  read: GuardRead,
  op: AtlasOperation<Path, Query, undefined, Answer>,
  params: PathValues<NoInfer<Path>>,
): Promise<Answer> {
  if (op.method !== "GET") throw new TypeError(`${op.operationId} is not a read`);
  return read<Answer>({ path: pathOf(op, params), version: op.version, expect: op.answer.check });
}

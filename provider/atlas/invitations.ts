/**
 * Organization invitation operations (Atlas Admin API v2, `2023-01-01`; deprecated with sunset
 * 2027-07-01, see openapi/README.md). One typed function per operation.
 */
import { isAtlasApiError } from "./errors";
import { encodeSegment } from "./http";
import type { Transport } from "./http";
import { describeLimit, formatWait, isInvitationRateLimited } from "./pacer";
import type { InvitationPacer, PacingTime } from "./pacer";
import { retryDelayMs } from "./retry";
import type { RetryPolicy } from "./retry";
import { API_VERSIONS } from "./types";
import type { OrgInvitation, OrgInvitationRequest, OrgInvitationUpdateRequest } from "./types";

const version = API_VERSIONS.invitations;

const invitesPath = (orgId: string): string => `/api/atlas/v2/orgs/${encodeSegment(orgId)}/invites`;
const invitePath = (orgId: string, invitationId: string): string =>
  `${invitesPath(orgId)}/${encodeSegment(invitationId)}`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The spec marks only `orgName` required, but an invitation without an id is useless to us. */
export function invitationProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "a body that is not an invitation object";
  return typeof value["id"] === "string" ? undefined : "an invitation without an id";
}

function invitationListProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return "a body that is not an array of invitations";
  for (const item of value) {
    const problem = invitationProblem(item);
    if (problem) return problem;
  }
  return undefined;
}

/** listOrgInvites: pending invitations only, a bare array (not paginated). */
export async function listOrgInvites(
  http: Transport,
  orgId: string,
  options: { username?: string } = {},
): Promise<OrgInvitation[]> {
  return http.request<OrgInvitation[]>({
    method: "GET",
    path: invitesPath(orgId),
    query: { username: options.username },
    version,
    expect: invitationListProblem,
  });
}

/** What pacing needs: the process's pacer for this origin, the clock and the retry policy. */
export interface InvitationPacing {
  pacer: InvitationPacer;
  time: PacingTime;
  policy: RetryPolicy;
  random: () => number;
}

/**
 * Sends one invitation-sending call through the pacer. `RATE_LIMITED_IP` and 429 are refusals
 * before Atlas acts (nothing was sent to the invitee), so repeating the call is safe, POST
 * included; every other outcome is the caller's to judge. Bounded by the policy's retry limit and
 * deadline.
 */
async function paced<T>(
  pacing: InvitationPacing | undefined,
  label: string,
  method: "POST" | "PATCH",
  send: () => Promise<T>,
): Promise<T> {
  if (!pacing) return send();
  const { pacer, time, policy } = pacing;
  const attempts = policy.limit + 1;
  const start = time.now();
  const left = () => policy.deadlineMs - (time.now() - start);
  for (let attempt = 1; ; attempt++) {
    const note = attempt > 1 ? ` (attempt ${attempt} of ${attempts})` : "";
    const stamp = await pacer.acquire(`${label}${note}`, { ...time, maxWaitMs: left() });
    try {
      const result = await send();
      pacer.settled(stamp, time.now());
      return result;
    } catch (error: unknown) {
      if (isInvitationRateLimited(error)) {
        pacer.refused(error, stamp, time.now());
        if (attempt >= attempts) throw error;
        const limit = pacer.learned;
        time.logger.info?.(
          `Atlas refused ${label}: invitation limit${limit ? ` (${describeLimit(limit)})` : ""} reached; ` +
            `it was not sent and will be sent again once a slot frees.`,
        );
        continue;
      }
      if (isAtlasApiError(error) && error.status < 500) pacer.notCounted(stamp);
      // The transport never repeats a POST once sent; a 429 means Atlas did not act on it.
      if (method === "POST" && isAtlasApiError(error) && error.status === 429) {
        const wait = retryDelayMs(policy, attempt, error, pacing.random);
        if (attempt >= attempts || wait >= left()) throw error;
        time.logger.info?.(
          `rate limited by Atlas while ${label}, waiting ${formatWait(wait)} (attempt ${attempt + 1} of ${attempts})`,
        );
        await time.sleep(wait);
        continue;
      }
      throw error;
    }
  }
}

/** createOrgInvite: Atlas answers 200, not 201. */
export async function createOrgInvite(
  http: Transport,
  orgId: string,
  body: OrgInvitationRequest,
  pacing?: InvitationPacing,
): Promise<OrgInvitation> {
  return paced(pacing, `inviting ${body.username}`, "POST", () =>
    http.request<OrgInvitation>({
      method: "POST",
      path: invitesPath(orgId),
      body,
      version,
      expect: invitationProblem,
    }),
  );
}

export async function getOrgInvite(
  http: Transport,
  orgId: string,
  invitationId: string,
): Promise<OrgInvitation> {
  return http.request<OrgInvitation>({
    method: "GET",
    path: invitePath(orgId, invitationId),
    version,
    expect: invitationProblem,
  });
}

/** updateOrgInviteById: the body carries no username. */
export async function updateOrgInviteById(
  http: Transport,
  orgId: string,
  invitationId: string,
  body: OrgInvitationUpdateRequest,
  pacing?: InvitationPacing,
): Promise<OrgInvitation> {
  return paced(pacing, `updating invitation ${invitationId}`, "PATCH", () =>
    http.request<OrgInvitation>({
      method: "PATCH",
      path: invitePath(orgId, invitationId),
      body,
      version,
      expect: invitationProblem,
    }),
  );
}

/** deleteOrgInvite: 204 No Content. */
export async function deleteOrgInvite(
  http: Transport,
  orgId: string,
  invitationId: string,
): Promise<void> {
  await http.request<unknown>({ method: "DELETE", path: invitePath(orgId, invitationId), version });
}

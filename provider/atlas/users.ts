/**
 * Organization user operations, always with `2025-02-19`: the only version whose listOrgUsers
 * honours the `username` filter and returns pending users (docs/atlas-admin-api.md).
 */
import { encodeSegment } from "./http";
import type { Transport } from "./http";
import { API_VERSIONS } from "./types";
import type { OrgUser } from "./types";

const version = API_VERSIONS.users;

/** The spec's maximum page size. */
export const USERS_PAGE_SIZE = 500;
/** A guard against a server that never answers a short page: 100,000 users. */
const MAX_PAGES = 200;

const usersPath = (orgId: string): string => `/api/atlas/v2/orgs/${encodeSegment(orgId)}/users`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function userProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "a body that is not an org user object";
  if (typeof value["id"] !== "string") return "an org user without an id";
  return typeof value["username"] === "string" ? undefined : "an org user without a username";
}

function pageProblem(value: unknown): string | undefined {
  if (!isRecord(value) || !Array.isArray(value["results"])) return "a body without a results array";
  for (const item of value["results"]) {
    const problem = userProblem(item);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * listOrgUsers filtered by username. `totalCount` is an estimate, so pages are walked until a
 * short one. Usernames (emails) are compared case-insensitively, as Atlas treats them.
 */
export async function findOrgUserByUsername(
  http: Transport,
  orgId: string,
  username: string,
): Promise<OrgUser | undefined> {
  const wanted = username.toLowerCase();
  for (let pageNum = 1; pageNum <= MAX_PAGES; pageNum++) {
    const page = await http.request<{ results: OrgUser[] }>({
      method: "GET",
      path: usersPath(orgId),
      query: { username, itemsPerPage: USERS_PAGE_SIZE, pageNum },
      version,
      expect: pageProblem,
    });
    const match = page.results.find((u) => u.username.toLowerCase() === wanted);
    if (match) return match;
    if (page.results.length < USERS_PAGE_SIZE) return undefined;
  }
  return undefined;
}

export async function getOrgUser(http: Transport, orgId: string, userId: string): Promise<OrgUser> {
  return http.request<OrgUser>({
    method: "GET",
    path: `${usersPath(orgId)}/${encodeSegment(userId)}`,
    version,
    expect: userProblem,
  });
}

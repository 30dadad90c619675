/**
 * What a well-formed answer of each operation looks like, as much as this client relies on:
 * each check returns what is wrong with a parsed 2xx body, or undefined. The operations table
 * (operations.ts) names the check of every answer; the transport turns a problem into an
 * `AtlasProtocolError`. Fields not checked here are read leniently: real answers break the spec
 * in places (atlas-recorded/README.md: `mobileNumber: null`, ...).
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * What is wrong with an invitation body, if anything. The spec marks only `orgName` required;
 * an invitation without an id is useless to us. `username` is optional in the spec and is not
 * required here either: the create and update that sent it know the address, and a look-up by
 * person never matches an invitation without one (issue 19, item 7). A `username` that is there
 * must be a string.
 */
export function invitationProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "a body that is not an invitation object";
  if (typeof value["id"] !== "string") return "an invitation without an id";
  const username = value["username"];
  return username === undefined || typeof username === "string"
    ? undefined
    : "an invitation whose username is not a string";
}

/** What is wrong with a bare array of invitations (listOrgInvites), if anything. */
export function invitationListProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return "a body that is not an array of invitations";
  for (const item of value) {
    const problem = invitationProblem(item);
    if (problem) return problem;
  }
  return undefined;
}

/** What is wrong with an org user body, if anything. */
export function userProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "a body that is not an org user object";
  if (typeof value["id"] !== "string") return "an org user without an id";
  if (typeof value["username"] !== "string") return "an org user without a username";
  return typeof value["orgMembershipStatus"] === "string"
    ? undefined
    : "an org user without an orgMembershipStatus";
}

/** What is wrong with one page of org users (listOrgUsers), if anything. */
export function usersPageProblem(value: unknown): string | undefined {
  if (!isRecord(value) || !Array.isArray(value["results"])) return "a body without a results array";
  for (const item of value["results"]) {
    const problem = userProblem(item);
    if (problem) return problem;
  }
  return undefined;
}

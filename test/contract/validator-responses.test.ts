/**
 * The validator must be able to fail: each response rule is shown rejecting a hand-written body
 * that differs from a valid one in exactly one way.
 */
import { validateResponse } from "../support/contract";
import {
  INVITE,
  INVITES,
  USER,
  USERS,
  V2023,
  V2025,
  activeUser,
  apiError,
  appUser,
  invitation,
  omit,
  pendingUser,
} from "./lib/examples";

function response(
  method: string,
  path: string,
  status: number,
  body: unknown,
  contentType: string | undefined,
  extraHeaders: Record<string, string> = {},
): string[] {
  const headers: Record<string, string> = { ...extraHeaders };
  if (contentType !== undefined) headers["content-type"] = contentType;
  return validateResponse({ method, path, status, headers, body }).map((v) => v.message);
}

const getInvite = (body: unknown): string[] => response("GET", INVITE, 200, body, V2023);
const getUser = (body: unknown): string[] => response("GET", USER, 200, body, V2025);

describe("OrganizationInvitation responses", () => {
  it("accept a complete invitation, including a Unicode orgName matched with \\p{L}", () => {
    expect(getInvite(invitation)).toEqual([]);
  });

  it("reject an upper-case invitation id, naming the field and the pattern", () => {
    const messages = response(
      "GET",
      INVITES,
      200,
      [{ ...invitation, id: "6A1B2C3D4E5F6A7B8C9D0E1F" }],
      V2023,
    );
    expect(messages).toEqual([
      'response 200 for GET /api/atlas/v2/orgs/{orgId}/invites: /0/id must match pattern "^([a-f0-9]{24})$"',
    ]);
  });

  it("reject an invitation without orgName, the schema's only required field", () => {
    expect(getInvite(omit(invitation, "orgName"))).toEqual([
      expect.stringContaining("must have required property 'orgName'"),
    ]);
  });

  it("accept an orgName with a space only through the recorded allowance, and reject a tab", () => {
    expect(getInvite({ ...invitation, orgName: "Acme Corp" })).toEqual([]);
    expect(
      validateResponse({
        method: "GET",
        path: INVITE,
        status: 200,
        headers: { "content-type": V2023 },
        body: { ...invitation, orgName: "Acme Corp" },
        allowances: new Set(),
      }).map((v) => v.message),
    ).toEqual([expect.stringContaining("/orgName must match pattern")]);
    expect(getInvite({ ...invitation, orgName: "Acme\tCorp" })).toEqual([
      expect.stringContaining("/orgName must match pattern"),
    ]);
  });

  it("reject an org role outside the spec's enum and a non-email username", () => {
    const messages = getInvite({ ...invitation, roles: ["ORG_GOD"], username: "ada" });
    expect(messages).toHaveLength(2);
    expect(messages.join("\n")).toMatch(/\/roles\/0 must be equal to one of the allowed values/);
    expect(messages.join("\n")).toMatch(/\/username must match format "email"/);
  });
});

describe("OrgUserResponse (oneOf + discriminator on orgMembershipStatus)", () => {
  it("accepts a PENDING user with a null invitationExpiresAt (nullable)", () => {
    expect(getUser(pendingUser)).toEqual([]);
  });

  it("rejects a PENDING user without invitationCreatedAt", () => {
    expect(getUser(omit(pendingUser, "invitationCreatedAt"))).toEqual([
      expect.stringContaining("must have required property 'invitationCreatedAt'"),
    ]);
  });

  it("validates an ACTIVE user against the active branch only", () => {
    expect(getUser(activeUser)).toEqual([]);
    // A pending-shaped body that says ACTIVE lacks the active branch's required fields.
    const messages = getUser({ ...pendingUser, orgMembershipStatus: "ACTIVE" });
    expect(messages.join("\n")).toMatch(/required property 'firstName'/);
    expect(messages.join("\n")).not.toMatch(/invitationCreatedAt/);
  });

  it("maps INVITATION_EXPIRED and INVITATION_REJECTED to the pending branch", () => {
    expect(getUser({ ...pendingUser, orgMembershipStatus: "INVITATION_EXPIRED" })).toEqual([]);
    expect(getUser({ ...activeUser, orgMembershipStatus: "INVITATION_REJECTED" })).toEqual([
      expect.stringContaining("required property 'invitationCreatedAt'"),
      expect.stringContaining("required property 'inviterUsername'"),
    ]);
  });

  it("rejects an orgMembershipStatus outside the spec's closed enum (the provider reads it as open)", () => {
    const messages = getUser({ ...pendingUser, orgMembershipStatus: "SUSPENDED" });
    expect(messages.join("\n")).toMatch(
      /value of tag "orgMembershipStatus" must be in oneOf \(got "SUSPENDED"\)/,
    );
  });

  it("checks every element of a 2025-02-19 page and requires results", () => {
    const page = { results: [pendingUser, activeUser], totalCount: 2 };
    expect(response("GET", USERS, 200, page, V2025)).toEqual([]);
    const bad = { results: [pendingUser, { ...activeUser, id: "nope" }] };
    expect(response("GET", USERS, 200, bad, V2025)).toEqual([
      expect.stringContaining("/results/1/id must match pattern"),
    ]);
    expect(response("GET", USERS, 200, { totalCount: 0 }, V2025)).toEqual([
      expect.stringContaining("required property 'results'"),
    ]);
  });

  it("validates a 2023-01-01 page against PaginatedAppUserView, without the password Atlas never returns", () => {
    expect(response("GET", USERS, 200, { results: [appUser] }, V2023)).toEqual([]);
    expect(response("GET", USERS, 200, { results: [activeUser] }, V2023).join("\n")).toMatch(
      /required property 'emailAddress'/,
    );
  });

  it("reads the doubly-escaped mobileNumber pattern as the phone pattern it was meant to be", () => {
    const page = (mobileNumber: string): unknown => ({ results: [{ ...appUser, mobileNumber }] });
    expect(response("GET", USERS, 200, page("+1 212-555-1234"), V2023)).toEqual([]);
    expect(response("GET", USERS, 200, page("call me"), V2023)).toEqual([
      expect.stringContaining("/results/0/mobileNumber must match pattern"),
    ]);
  });
});

describe("statuses, media types and empty bodies", () => {
  it("reject a status the operation does not declare and that is no common error", () => {
    expect(response("POST", INVITES, 201, invitation, V2023)).toEqual([
      expect.stringMatching(/response 201 for POST .*: status 201 is not declared .*200/),
    ]);
    expect(response("GET", INVITE, 418, apiError, "application/json")).toHaveLength(1);
  });

  it("allow a common error status the operation does not list, with an ApiError body", () => {
    // createOrgInvite lists no 409 or 503; Atlas answers them platform-wide.
    const conflict = { ...apiError, error: 409, errorCode: "USER_ALREADY_EXISTS" };
    expect(response("POST", INVITES, 409, conflict, "application/json")).toEqual([]);
    expect(response("GET", INVITE, 503, { error: 503 }, "application/json")).toEqual([
      expect.stringContaining("required property 'errorCode'"),
    ]);
  });

  it("validate declared error statuses against ApiError served as application/json", () => {
    expect(response("GET", INVITE, 404, apiError, "application/json; charset=utf-8")).toEqual([]);
    expect(response("GET", INVITE, 404, apiError, V2023)).toEqual([
      expect.stringContaining(
        'Content-Type "application/vnd.atlas.2023-01-01+json" is not declared',
      ),
    ]);
    expect(response("GET", INVITE, 404, { ...apiError, error: "404" }, "application/json")).toEqual(
      [expect.stringContaining("/error must be integer")],
    );
  });

  it("reject a 204 that carries a body and accept an empty one", () => {
    expect(response("DELETE", INVITE, 204, undefined, undefined)).toEqual([]);
    expect(response("DELETE", INVITE, 204, { ok: true }, V2023)).toEqual([
      expect.stringContaining(
        "response 204 for DELETE /api/atlas/v2/orgs/{orgId}/invites/{invitationId}: must not have a body",
      ),
    ]);
  });

  it("reject a success answered in a media type the operation does not serve", () => {
    expect(response("GET", INVITE, 200, invitation, V2025)).toEqual([
      expect.stringContaining(
        'Content-Type "application/vnd.atlas.2025-02-19+json" is not declared',
      ),
    ]);
    expect(response("GET", INVITE, 200, undefined, V2023)).toEqual([
      expect.stringContaining("has no body"),
    ]);
  });

  it("reject a declared integer header (Retry-After) that is not an integer", () => {
    const tooMany = { ...apiError, error: 429, errorCode: "RATE_LIMITED" };
    expect(
      response("GET", INVITE, 429, tooMany, "application/json", { "Retry-After": "2" }),
    ).toEqual([]);
    expect(
      response("GET", INVITE, 429, tooMany, "application/json", { "Retry-After": "soon" }),
    ).toEqual([expect.stringContaining('header Retry-After="soon" must be an integer')]);
  });

  it("ignore paths outside the slice", () => {
    expect(response("POST", "/api/oauth/token", 200, { nope: 1 }, "text/plain")).toEqual([]);
  });
});

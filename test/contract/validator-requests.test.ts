/**
 * Request-side rules of the validator, each shown failing on a request that differs from a valid
 * one in exactly one way.
 */
import { validateRequest } from "../support/contract";
import {
  INVITE,
  INVITES,
  ORG_ID,
  USER,
  USERS,
  V2023,
  V2025,
  invitationRequest,
  omit,
  orgUserRequest,
} from "./lib/examples";

interface Req {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}

function request({ method, path, query = {}, headers = {}, body }: Req): string[] {
  return validateRequest({ method, path, query, headers, body }).map((v) => v.message);
}

const json2023 = { accept: V2023, "content-type": V2023 };
const json2025 = { accept: V2025, "content-type": V2025 };

describe("path and query parameters", () => {
  it("accept well-formed ids and flag an upper-case orgId with the parameter's pattern", () => {
    expect(request({ method: "GET", path: INVITE, headers: { accept: V2023 } })).toEqual([]);
    const upper = INVITE.replace(ORG_ID, ORG_ID.toUpperCase());
    expect(request({ method: "GET", path: upper, headers: { accept: V2023 } })).toEqual([
      expect.stringMatching(/path parameter "orgId"=".*": must match pattern/),
    ]);
  });

  it("keep the spec's quirk: deleteOrgInvite's invitationId has no pattern, getOrgInvite's has", () => {
    const path = `${INVITES}/not-an-id`;
    expect(request({ method: "DELETE", path, headers: { accept: V2023 } })).toEqual([]);
    expect(request({ method: "GET", path, headers: { accept: V2023 } })).toHaveLength(1);
  });

  it("flag a query parameter the operation does not declare", () => {
    const messages = request({
      method: "GET",
      path: INVITES,
      query: { pageNum: "1" },
      headers: { accept: V2023 },
    });
    expect(messages).toEqual([
      'request for GET /api/atlas/v2/orgs/{orgId}/invites: undeclared query parameter "pageNum"',
    ]);
  });

  it("coerce declared query parameters and check their types, bounds and enums", () => {
    const ok = {
      username: "ada@example.com",
      itemsPerPage: "500",
      pageNum: "2",
      includeCount: "false",
    };
    expect(request({ method: "GET", path: USERS, query: ok, headers: { accept: V2025 } })).toEqual(
      [],
    );
    const bad = { itemsPerPage: "0", includeCount: "maybe", username: "ada" };
    const messages = request({
      method: "GET",
      path: USERS,
      query: bad,
      headers: { accept: V2025 },
    });
    expect(messages).toHaveLength(3);
    expect(messages.join("\n")).toMatch(/"itemsPerPage"="0": must be >= 1/);
    expect(messages.join("\n")).toMatch(/"includeCount"="maybe": must be boolean/);
    expect(messages.join("\n")).toMatch(/"username"="ada": must match format "email"/);
  });

  it("split a repeated array parameter and check each value against the enum", () => {
    const accept = { accept: V2025 };
    const good = { orgMembershipStatuses: "PENDING,ACTIVE" };
    expect(request({ method: "GET", path: USERS, query: good, headers: accept })).toEqual([]);
    const bad = { orgMembershipStatuses: "PENDING,INVITED" };
    expect(request({ method: "GET", path: USERS, query: bad, headers: accept })).toEqual([
      expect.stringContaining("/1 must be equal to one of the allowed values"),
    ]);
  });
});

describe("Accept and Content-Type", () => {
  it("flag an Accept version the operation does not serve", () => {
    expect(request({ method: "GET", path: USER, headers: { accept: V2023 } })).toEqual([
      expect.stringContaining(
        "Accept application/vnd.atlas.2023-01-01+json is not served (declared: application/vnd.atlas.2025-02-19+json)",
      ),
    ]);
  });

  it("flag a missing or unversioned Accept header", () => {
    expect(request({ method: "GET", path: INVITE })).toEqual([
      expect.stringContaining('Accept "" names no versioned media type'),
    ]);
    expect(
      request({ method: "GET", path: INVITE, headers: { accept: "application/json" } }),
    ).toHaveLength(1);
  });

  it("accept either version where listOrgUsers and removeOrgUser serve both", () => {
    for (const accept of [V2023, V2025]) {
      expect(request({ method: "GET", path: USERS, headers: { accept } })).toEqual([]);
      expect(request({ method: "DELETE", path: USER, headers: { Accept: accept } })).toEqual([]);
    }
  });

  it("flag a body sent with a Content-Type the operation does not declare", () => {
    const headers = { accept: V2023, "content-type": "application/json" };
    expect(request({ method: "POST", path: INVITES, headers, body: invitationRequest })).toEqual([
      expect.stringContaining('Content-Type "application/json" is not declared'),
    ]);
  });
});

describe("request bodies", () => {
  it("accept the invitation and org-user requests as the client builds them", () => {
    expect(
      request({ method: "POST", path: INVITES, headers: json2023, body: invitationRequest }),
    ).toEqual([]);
    expect(
      request({ method: "PATCH", path: INVITES, headers: json2023, body: invitationRequest }),
    ).toEqual([]);
    const update = omit(invitationRequest, "username");
    expect(request({ method: "PATCH", path: INVITE, headers: json2023, body: update })).toEqual([]);
    expect(
      request({ method: "POST", path: USERS, headers: json2025, body: orgUserRequest }),
    ).toEqual([]);
    const userUpdate = omit(orgUserRequest, "username");
    expect(request({ method: "PATCH", path: USER, headers: json2025, body: userUpdate })).toEqual(
      [],
    );
  });

  it("flag a request that sends the readOnly invitation id", () => {
    const body = { ...invitationRequest, id: "6a1b2c3d4e5f6a7b8c9d0e1f" };
    expect(request({ method: "POST", path: INVITES, headers: json2023, body })).toEqual([
      'request for POST /api/atlas/v2/orgs/{orgId}/invites: body must NOT have additional properties ("id"): it is readOnly in the response, only Atlas sets it',
    ]);
  });

  it("flag a username in the by-id update, whose schema has none", () => {
    expect(
      request({ method: "PATCH", path: INVITE, headers: json2023, body: invitationRequest }),
    ).toEqual([expect.stringContaining('must NOT have additional properties ("username")')]);
  });

  it("flag an org user request without roles and one with an empty orgRoles list", () => {
    const noRoles = omit(orgUserRequest, "roles");
    expect(request({ method: "POST", path: USERS, headers: json2025, body: noRoles })).toEqual([
      expect.stringContaining("required property 'roles'"),
    ]);
    const empty = { ...orgUserRequest, roles: { orgRoles: [] } };
    expect(request({ method: "POST", path: USERS, headers: json2025, body: empty })).toEqual([
      expect.stringContaining("/roles/orgRoles must NOT have fewer than 1 items"),
    ]);
  });

  it("flag a missing required body and a body on an operation that takes none", () => {
    expect(request({ method: "POST", path: INVITES, headers: json2023 })).toEqual([
      expect.stringContaining("requestBody is required"),
    ]);
    expect(request({ method: "GET", path: INVITES, headers: { accept: V2023 }, body: {} })).toEqual(
      [expect.stringContaining("declares no requestBody")],
    );
  });

  it("ignore requests outside the slice", () => {
    expect(
      request({ method: "POST", path: "/api/oauth/token", body: "grant_type=client_credentials" }),
    ).toEqual([]);
  });
});

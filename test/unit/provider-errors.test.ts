import {
  AtlasApiError,
  AtlasNetworkError,
  AtlasProtocolError,
  AtlasTimeoutError,
  INVITATION_LIMIT_CODES,
  InvitationAcceptedError,
  InvitationDeclaredTwiceError,
  InvitationGoneError,
  InvitationStateError,
  UserAlreadyMemberError,
  explainApiError,
  isAmbiguousFailure,
  isAtlasError,
  isInvitationAcceptedError,
  isInvitationDeclaredTwiceError,
  isInvitationGoneError,
  isInvitationInputRejectedError,
  isInvitationStateError,
  isInvitationLimitRefusal,
  isNoSuchInvitation,
  isNoSuchOrgUser,
  isRateLimited,
  isUserAlreadyMemberError,
} from "../../provider/errors";

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
const line = { method: "GET", path: `/api/atlas/v2/orgs/${ORG}/invites/x` };
const api = (status: number, errorCode?: string, detail?: string) =>
  new AtlasApiError({
    ...line,
    status,
    body: {
      ...(errorCode !== undefined && { errorCode }),
      ...(detail !== undefined && { detail }),
    },
  });

describe("provider errors", () => {
  it("carry stable codes and fields, and serialize them without losing any", () => {
    const error = new InvitationGoneError({
      orgId: ORG,
      username: "a@example.com",
      invitationId: "b".repeat(24),
    });
    expect(error).toMatchObject({
      name: "InvitationGoneError",
      kind: "conflict",
      errorCode: "INVITATION_GONE",
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "InvitationGoneError",
      kind: "conflict",
      message: error.message,
      errorCode: "INVITATION_GONE",
      orgId: ORG,
      username: "a@example.com",
      invitationId: "b".repeat(24),
    });
    expect(isAtlasError(error)).toBe(true);
  });

  it("are told apart by guards that check codes, not classes (a second package copy may throw them)", () => {
    const accepted = new InvitationAcceptedError({ orgId: ORG, username: "a@example.com" });
    const member = new UserAlreadyMemberError({ orgId: ORG, username: "a@example.com" });
    expect([isInvitationAcceptedError(accepted), isUserAlreadyMemberError(accepted)]).toEqual([
      true,
      false,
    ]);
    expect([isInvitationAcceptedError(member), isUserAlreadyMemberError(member)]).toEqual([
      false,
      true,
    ]);
    // What another copy of the package throws: same shape and brand, different class.
    const brand = Symbol.for("pulumi-atlas-org-invitations.AtlasError");
    const foreign = Object.assign(new Error("x"), {
      kind: "conflict",
      errorCode: "INVITATION_ACCEPTED",
      [brand]: true,
    });
    expect(isInvitationAcceptedError(foreign)).toBe(true);
    expect(isInvitationGoneError(foreign)).toBe(false);
    // The shape alone, without the brand, is not one of ours.
    expect(isInvitationAcceptedError({ kind: "conflict", errorCode: "INVITATION_ACCEPTED" })).toBe(
      false,
    );
    expect(
      isInvitationAcceptedError(
        Object.assign(new Error("x"), { kind: "conflict", errorCode: "INVITATION_ACCEPTED" }),
      ),
    ).toBe(false);
  });

  it("word the delete refusal with both ways forward", () => {
    const del = new InvitationAcceptedError({ orgId: ORG, username: "a@example.com" });
    expect(del.message).toMatch(
      /delete was refused.*onAccepted: "retain".*ATLAS_INVITATIONS_ON_ACCEPTED=retain/,
    );
    expect(del.message).toContain(`a@example.com accepted the invitation to organization ${ORG}`);
  });

  it("refuse a person declared twice, naming the other spelling only when it differs", () => {
    const twice = new InvitationDeclaredTwiceError({
      orgId: ORG,
      username: "Jane@Example.com",
      otherUsername: "jane@example.com",
    });
    expect(twice).toMatchObject({
      name: "InvitationDeclaredTwiceError",
      kind: "conflict",
      errorCode: "INVITATION_DECLARED_TWICE",
      otherUsername: "jane@example.com",
    });
    expect(twice.message).toContain("(as jane@example.com)");
    expect(twice.message).toContain("without regard to letter case");
    expect(twice.message).toMatch(/remove the duplicate resource, or merge/);
    const same = new InvitationDeclaredTwiceError({
      orgId: ORG,
      username: "jane@example.com",
      otherUsername: "jane@example.com",
    });
    expect(same.message).not.toContain("(as ");
    const managed = new InvitationDeclaredTwiceError({
      orgId: ORG,
      username: "jane@example.com",
      otherUsername: "Jane@Example.com",
      alreadyManaged: true,
    });
    expect(managed.message).toContain(
      "the other (as Jane@Example.com) already manages the invitation, which this one would take over",
    );
    const named = new InvitationDeclaredTwiceError({
      orgId: ORG,
      username: "jane@example.com",
      otherUsername: "Jane@Example.com",
      otherResource: "jane",
    });
    expect(named.message).toContain('the other is "jane" (as Jane@Example.com)');
    expect(named.toJSON()).toMatchObject({ otherResource: "jane", alreadyManaged: false });
    expect(JSON.parse(JSON.stringify(twice))).toEqual({
      name: "InvitationDeclaredTwiceError",
      kind: "conflict",
      message: twice.message,
      errorCode: "INVITATION_DECLARED_TWICE",
      orgId: ORG,
      username: "Jane@Example.com",
      otherUsername: "jane@example.com",
      alreadyManaged: false,
    });
    expect(
      [isInvitationDeclaredTwiceError, isInvitationAcceptedError, isInvitationGoneError].map((g) =>
        g(twice),
      ),
    ).toEqual([true, false, false]);
  });

  it("name the state field that cannot be read, and how to repair it", () => {
    const err = new InvitationStateError({
      id: "a".repeat(24),
      field: "groupRoleAssignments[0].roles",
      problem: "a value that is not a list of strings",
    });
    expect(err).toMatchObject({ kind: "state", field: "groupRoleAssignments[0].roles" });
    expect(err.message).toContain(
      "has a value that is not a list of strings in `groupRoleAssignments[0].roles`",
    );
    expect(err.message).toContain("pulumi refresh");
    expect(
      new InvitationStateError({ id: "", field: "orgId", problem: "no value" }).message,
    ).toMatch(/^The state of OrgInvitation \(new\)/);
    expect(isInvitationStateError(err)).toBe(true);
    expect(
      isInvitationStateError(
        new InvitationGoneError({ orgId: "o", username: "u", invitationId: "i" }),
      ),
    ).toBe(false);
  });
});

describe("rules that read Atlas's answers", () => {
  it("counts a 404 (other than ORG_NOT_FOUND) and a 400 INVALID_INVITATION_ID as no such invitation", () => {
    expect(isNoSuchInvitation(api(404, "RESOURCE_NOT_FOUND"))).toBe(true);
    expect(isNoSuchInvitation(api(404))).toBe(true);
    expect(isNoSuchInvitation(api(400, "INVALID_INVITATION_ID"))).toBe(true);
    expect(isNoSuchInvitation(api(404, "ORG_NOT_FOUND"))).toBe(false);
    expect(isNoSuchInvitation(api(400, "INVALID_ROLE_FOR_ORG"))).toBe(false);
    expect(isNoSuchInvitation(new AtlasNetworkError({ ...line, code: "ECONNRESET" }))).toBe(false);
  });

  it("counts only a 404 other than ORG_NOT_FOUND as no such org user", () => {
    expect(isNoSuchOrgUser(api(404, "USER_NOT_FOUND"))).toBe(true);
    expect(isNoSuchOrgUser(api(404, "ORG_NOT_FOUND"))).toBe(false);
    expect(isNoSuchOrgUser(api(400, "INVALID_INVITATION_ID"))).toBe(false);
  });

  it.each([
    [400, "INVITATIONS_RATE_LIMITED_IP", true],
    [400, "RATE_LIMITED_IP", true],
    [400, "RATE_LIMITED", true],
    [400, "ORG_RATELIMIT_EXCEEDED", true],
    [400, "invitations_rate_limited_ip", true],
    [429, "TOO_MANY_INVITATIONS", true],
    [429, "RATE_LIMITED", false],
    [429, undefined, false],
    [400, "INVALID_ROLE_FOR_ORG", false],
    [400, undefined, false],
    [503, "RATE_LIMITED_IP", false],
  ])("judges %i %s as an invitation-limit refusal: %s", (status, code, expected) => {
    expect(isInvitationLimitRefusal(api(status, code))).toBe(expected);
  });

  it("knows both codes seen for the invitation limit", () => {
    expect(INVITATION_LIMIT_CODES).toEqual(["INVITATIONS_RATE_LIMITED_IP", "RATE_LIMITED_IP"]);
  });

  it("calls a 429 rate limited unless it is the invitation limit", () => {
    expect(isRateLimited(api(429, "RATE_LIMITED"))).toBe(true);
    expect(isRateLimited(api(429))).toBe(true);
    expect(isRateLimited(api(429, "INVITATIONS_RATE_LIMITED_IP"))).toBe(false);
    expect(isRateLimited(api(400, "RATE_LIMITED_IP"))).toBe(false);
    expect(isRateLimited(api(503))).toBe(false);
  });

  it("calls no answer, a cut-short answer and a 5xx ambiguous, and a 4xx not", () => {
    expect(isAmbiguousFailure(new AtlasNetworkError({ ...line, code: "ECONNRESET" }))).toBe(true);
    expect(isAmbiguousFailure(new AtlasTimeoutError({ ...line, timeoutMs: 5 }))).toBe(true);
    expect(
      isAmbiguousFailure(
        new AtlasProtocolError({ ...line, status: 200, problem: "malformed JSON" }),
      ),
    ).toBe(true);
    for (const status of [500, 502, 503, 504]) expect(isAmbiguousFailure(api(status))).toBe(true);
    for (const status of [400, 401, 404, 409, 429])
      expect(isAmbiguousFailure(api(status))).toBe(false);
    expect(isAmbiguousFailure(new TypeError("bug"))).toBe(false);
  });

  it.each([
    ["INVALID_EMAIL_ADDRESS", "username", "jane@", undefined],
    ["DOMAIN_NOT_IN_ALLOW_LIST", "username", "jane@other.org", /allowed domain/],
    ["INVALID_ROLE_FOR_ORG", "roles", ["GROUP_OWNER"], /ORG_\*.*GROUP_\*/],
    ["TEAM_NOT_FOUND", "teamIds", ["f".repeat(24)], undefined],
    ["GROUP_NOT_FOUND", "groupRoleAssignments", [], undefined],
    ["ORG_NOT_FOUND", "orgId", ORG, /Check orgId/],
  ])(
    "explains %s as a rejection of %s, quoting the declared value",
    (code, property, value, hint) => {
      const inputs: Record<string, unknown> = { [property]: value };
      const explained = explainApiError(api(400, code, "Atlas said no."), inputs);
      expect(isInvitationInputRejectedError(explained)).toBe(true);
      expect(explained).toMatchObject({
        name: "InvitationInputRejectedError",
        kind: "validation",
        property,
        status: 400,
        errorCode: code,
      });
      const message = (explained as Error).message;
      expect(message).toContain(
        `Atlas rejected ${property} ${JSON.stringify(value)} (400 ${code}): Atlas said no.`,
      );
      if (hint) expect(message).toMatch(hint);
      expect((explained as Error).cause).toMatchObject({ status: 400, errorCode: code });
    },
  );

  it("returns every other error unchanged", () => {
    const serverError = api(500, "INVALID_ROLE_FOR_ORG");
    const unknownCode = api(400, "SOMETHING_ELSE");
    const network = new AtlasNetworkError({ ...line, code: "ECONNRESET" });
    const bug = new TypeError("bug");
    for (const error of [serverError, unknownCode, network, bug])
      expect(explainApiError(error, { roles: ["ORG_MEMBER"] })).toBe(error);
  });
});

import {
  InvitationAcceptedError,
  InvitationGoneError,
  UserAlreadyMemberError,
  isInvitationAcceptedError,
  isInvitationGoneError,
  isUserAlreadyMemberError,
} from "../../provider/errors";
import { isAtlasError } from "../../provider/atlas/errors";

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";

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
    const accepted = new InvitationAcceptedError({
      orgId: ORG,
      username: "a@example.com",
      action: "delete",
    });
    const member = new UserAlreadyMemberError({ orgId: ORG, username: "a@example.com" });
    expect([isInvitationAcceptedError(accepted), isUserAlreadyMemberError(accepted)]).toEqual([
      true,
      false,
    ]);
    expect([isInvitationAcceptedError(member), isUserAlreadyMemberError(member)]).toEqual([
      false,
      true,
    ]);
    // What another copy of the package throws: same shape, different class.
    const foreign = Object.assign(new Error("x"), {
      kind: "conflict",
      errorCode: "INVITATION_ACCEPTED",
    });
    expect(isInvitationAcceptedError(foreign)).toBe(true);
    expect(isInvitationGoneError(foreign)).toBe(false);
    expect(isInvitationAcceptedError({ kind: "conflict", errorCode: "INVITATION_ACCEPTED" })).toBe(
      false,
    );
  });

  it("word the delete refusal and the update refusal differently, each with its way forward", () => {
    const del = new InvitationAcceptedError({
      orgId: ORG,
      username: "a@example.com",
      action: "delete",
    });
    const upd = new InvitationAcceptedError({
      orgId: ORG,
      username: "a@example.com",
      action: "update",
    });
    expect(del.message).toMatch(/delete was refused.*onAccepted: "retain".*pulumi state delete/);
    expect(upd.message).toMatch(/cannot be changed here/);
  });
});

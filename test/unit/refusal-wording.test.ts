/**
 * The refusals whose fix is program code, worded for their audience: the dynamic provider's
 * TypeScript programs keep the TypeScript they always had (`onAccepted: "retain"`,
 * `aliases: [{ name: "old-name", parent: pulumi.rootStackResource }]`), while the programs the
 * plugin serves, in YAML, Python, Go or TypeScript, read the resource property and the resource
 * option by name. The stable fields (class, `errorCode`, `orgId`, `username`) are the same either
 * way.
 */
import {
  AtlasConfigurationError,
  InvitationAcceptedError,
  InvitationGoneError,
  UserAlreadyMemberError,
  isInvitationAcceptedError,
  isUserAlreadyMemberError,
} from "../../provider/errors";
import { forAudience } from "../../provider/errors/invitation";

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
const PERSON = { orgId: ORG, username: "a@example.com" };
const TYPESCRIPT_ALIASES = '`aliases: [{ name: "old-name", parent: pulumi.rootStackResource }]`';

describe("the refusal to delete an accepted invitation", () => {
  it("keeps its TypeScript wording for the dynamic provider", () => {
    const error = new InvitationAcceptedError(PERSON);
    expect(error.message).toContain(
      `give the new declaration \`aliases\` naming its old name and parent (e.g. ${TYPESCRIPT_ALIASES}) and run \`pulumi up\` again`,
    );
    expect(error.message).toContain(
      'Otherwise, to finish: set `onAccepted: "retain"` on this resource and run `pulumi up` (a state-only change)',
    );
    expect(new InvitationAcceptedError({ ...PERSON, audience: "pulumi" }).message).toBe(
      error.message,
    );
  });

  it("names the resource property and the aliases option for the plugin's programs, in no language's syntax", () => {
    const error = new InvitationAcceptedError({ ...PERSON, audience: "plugin" });
    expect(error.message).toContain(
      "give the new declaration the `aliases` resource option with its old name (and its old parent, when it had one) and run `pulumi up` again",
    );
    expect(error.message).toContain(
      "Otherwise, to finish: set this resource's property `onAccepted` (`on_accepted` in Python, `OnAccepted` in Go) to `retain` and run `pulumi up`",
    );
    expect(error.message).toContain("ATLAS_INVITATIONS_ON_ACCEPTED=retain");
    expect(error.message).not.toMatch(/rootStackResource|onAccepted: "retain"|\[\{/);
    expect(error).toBeInstanceOf(InvitationAcceptedError);
    expect(error.toJSON()).toEqual({
      name: "InvitationAcceptedError",
      kind: "conflict",
      message: error.message,
      errorCode: "INVITATION_ACCEPTED",
      orgId: ORG,
      username: PERSON.username,
    });
  });
});

describe("the refusal to invite an active member", () => {
  it("keeps its TypeScript wording for the dynamic provider", () => {
    expect(new UserAlreadyMemberError(PERSON).message).toContain(
      `either give this declaration \`aliases\` naming the old name and parent (e.g. ${TYPESCRIPT_ALIASES}) and run \`pulumi up\``,
    );
  });

  it("names the aliases resource option for the plugin's programs", () => {
    const error = new UserAlreadyMemberError({ ...PERSON, audience: "plugin" });
    expect(error.message).toContain(
      "either give this declaration the `aliases` resource option with the old name (and the old parent, when it had one) and run `pulumi up`",
    );
    expect(error.message).not.toContain("rootStackResource");
    expect(isUserAlreadyMemberError(error)).toBe(true);
    expect(error.errorCode).toBe("USER_ALREADY_MEMBER");
  });
});

describe("forAudience, where the provider hands a refusal to its audience", () => {
  it("rewords a refusal raised with the default wording for the plugin, keeping the same error, its stable fields and its advice", () => {
    const error = new InvitationAcceptedError(PERSON).withAdvice("Advice.");
    const worded = forAudience(error, "plugin");
    expect(worded).toBe(error);
    expect(isInvitationAcceptedError(worded)).toBe(true);
    expect(error.message).toBe(
      `${new InvitationAcceptedError({ ...PERSON, audience: "plugin" }).message} Advice.`,
    );
    expect(error.errorCode).toBe("INVITATION_ACCEPTED");
    expect(forAudience(new UserAlreadyMemberError(PERSON), "plugin")).toMatchObject({
      message: new UserAlreadyMemberError({ ...PERSON, audience: "plugin" }).message,
    });
  });

  it("changes nothing for the dynamic provider, nor errors worded alike for everyone", () => {
    const accepted = new InvitationAcceptedError(PERSON);
    const before = accepted.message;
    expect(forAudience(accepted, "pulumi")).toBe(accepted);
    expect(accepted.message).toBe(before);
    const gone = new InvitationGoneError({ ...PERSON, invitationId: "b".repeat(24) });
    const goneBefore = gone.message;
    expect(forAudience(gone, "plugin")).toBe(gone);
    expect(gone.message).toBe(goneBefore);
    const other = new AtlasConfigurationError("x", ["baseUrl"]);
    expect(forAudience(other, "plugin")).toBe(other);
    expect(forAudience("not an error", "plugin")).toBe("not an error");
  });
});

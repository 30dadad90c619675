/**
 * One address in two Unicode forms is one person (issue 19, item 5): every place the provider
 * compares people goes through identity.ts `comparableUsername` (NFC, then lower case), while the
 * address sent to Atlas, kept in state or written by `generate` stays as it was.
 */
import * as pulumi from "@pulumi/pulumi";
import { byUsername, onePerPerson, toDeclaration } from "../../provider/cli/generate";
import { resourceName } from "../../provider/cli/format";
import { diffInvitation } from "../../provider/diff";
import { comparableUsername, personKey, sameUsername } from "../../provider/identity";
import type { DeclaredInvitation, PendingInvitation } from "../../provider/model";
import { declaredTwiceMark } from "../../provider/program-claims";
import { parseState, stateFromPending } from "../../provider/property-codec";
import { RENE_NFC, RENE_NFD, RENE_NFD_SHOUTED } from "../support/unicode-addresses";

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
const OTHER_ORG = "64b7f1e2a3c4d5e6f7a8b9c1";

describe("comparableUsername, sameUsername and personKey", () => {
  it("take the two forms of one address as one person", () => {
    expect(RENE_NFC).not.toBe(RENE_NFD);
    expect(comparableUsername(RENE_NFD)).toBe(comparableUsername(RENE_NFC));
    expect(sameUsername(RENE_NFC, RENE_NFD)).toBe(true);
    expect(sameUsername(RENE_NFD, RENE_NFC)).toBe(true);
    expect(personKey(ORG, RENE_NFC)).toBe(personKey(ORG, RENE_NFD));
  });

  it("fold letter case as well, in either form, non-ASCII capitals included", () => {
    expect(sameUsername(RENE_NFC, RENE_NFD_SHOUTED)).toBe(true);
    expect(sameUsername("REN\u00c9@EXAMPLE.COM", RENE_NFD)).toBe(true);
    expect(sameUsername("RENE\u0301@example.com", RENE_NFC)).toBe(true);
    expect(personKey(ORG, RENE_NFD_SHOUTED)).toBe(personKey(ORG, RENE_NFC));
  });

  it("give the comparable form as NFC in lower case", () => {
    expect(comparableUsername(RENE_NFD_SHOUTED)).toBe("ren\u00e9@example.com");
    expect(comparableUsername("Alice@Example.COM")).toBe("alice@example.com");
  });

  it("still tell different people apart: another letter, another accent, another org", () => {
    expect(sameUsername(RENE_NFC, "rene@example.com")).toBe(false);
    expect(sameUsername(RENE_NFC, "ren\u00e8@example.com")).toBe(false);
    expect(sameUsername(RENE_NFD, "rene\u0300@example.com")).toBe(false);
    expect(personKey(ORG, RENE_NFC)).not.toBe(personKey(OTHER_ORG, RENE_NFD));
  });
});

const DECLARED: DeclaredInvitation = {
  orgId: ORG,
  username: RENE_NFD,
  roles: ["ORG_MEMBER"],
  teamIds: [],
  groupRoleAssignments: [],
  onAccepted: "fail",
};

const pending = (username: string, createdAt = "2026-01-01T00:00:00Z"): PendingInvitation => ({
  invitationId: `6a1e2d3c4b5a6978877665${createdAt.slice(8, 10)}`,
  orgId: ORG,
  username,
  roles: ["ORG_MEMBER"],
  teamIds: [],
  groupRoleAssignments: [],
  createdAt,
});

describe("state and diff", () => {
  it("keep the program's form of the address when Atlas holds the other one", () => {
    expect(stateFromPending(pending(RENE_NFC), DECLARED).declared.username).toBe(RENE_NFD);
    expect(
      stateFromPending(pending(RENE_NFD), { ...DECLARED, username: RENE_NFC }).declared.username,
    ).toBe(RENE_NFC);
  });

  it("see no change, and no replacement, when the program switches the address to its other form or case", () => {
    const state = parseState("6a1e2d3c4b5a69788776655b", {
      ...DECLARED,
      username: RENE_NFC,
      invitationId: "6a1e2d3c4b5a69788776655b",
      status: "PENDING",
    });
    expect(diffInvitation(state, { ...DECLARED, username: RENE_NFD })).toEqual({ changes: false });
    expect(diffInvitation(state, { ...DECLARED, username: RENE_NFD_SHOUTED })).toEqual({
      changes: false,
    });
    expect(diffInvitation(state, { ...DECLARED, username: "rene@example.com" })).toMatchObject({
      replaces: ["username"],
    });
  });
});

describe("generate", () => {
  it("keeps one invitation per person across the two forms (the newest), writing it as Atlas holds it", () => {
    const older = pending(RENE_NFC, "2026-01-01T00:00:00Z");
    const newer = pending(RENE_NFD_SHOUTED, "2026-01-02T00:00:00Z");
    const other = pending("rene@example.com", "2026-01-03T00:00:00Z");
    const { kept, duplicates } = onePerPerson([older, other, newer]);
    expect(kept.map((p) => p.username)).toEqual([RENE_NFD_SHOUTED, "rene@example.com"]);
    expect(duplicates).toEqual([{ kept: newer, others: [older] }]);
    expect(toDeclaration(newer).username).toBe(RENE_NFD_SHOUTED);
  });

  it("orders people by their comparable form, so the order does not depend on the form Atlas holds", () => {
    const decl = (username: string) => toDeclaration(pending(username));
    const names = (list: string[]) =>
      list
        .map(decl)
        .sort(byUsername)
        .map((d) => comparableUsername(d.username));
    const inNfc = names(["zoe@example.com", RENE_NFC, "rene@example.com"]);
    const inNfd = names(["zoe@example.com", RENE_NFD, "rene@example.com"]);
    expect(inNfd).toEqual(inNfc);
  });

  it("keeps resource names as they always were: letter case folded, the Unicode form not normalised", () => {
    // A changed name would replace the resource: names given before stay (format.ts resourceName).
    expect(resourceName(RENE_NFC)).toBe("invite-ren-example-com");
    expect(resourceName(RENE_NFD)).toBe("invite-rene-example-com");
  });
});

describe("the program's duplicate marks (program-claims.ts)", () => {
  beforeAll(() =>
    pulumi.runtime.setMocks(
      {
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: (args) => args.inputs,
      },
      "identity-unicode",
      "test",
      false,
    ),
  );

  it("mark two resources that declare one address in its two forms, each naming the other", async () => {
    type Mark = ReturnType<typeof declaredTwiceMark>;
    let marks: Record<string, Mark> = {};
    await pulumi.runtime.runInPulumiStack(async () => {
      marks = {
        nfc: declaredTwiceMark("nfc", ORG, RENE_NFC),
        nfd: declaredTwiceMark("nfd", ORG, RENE_NFD_SHOUTED),
      };
    });
    const valueOf = (mark: Mark): Promise<unknown> =>
      new Promise((resolve) =>
        mark === undefined
          ? resolve("no mark at all")
          : mark.apply((v) => void resolve(v === undefined ? undefined : JSON.parse(v))),
      );
    expect(await valueOf(marks["nfc"])).toEqual({ resource: "nfd", username: RENE_NFD_SHOUTED });
    expect(await valueOf(marks["nfd"])).toEqual({ resource: "nfc", username: RENE_NFC });
  });
});

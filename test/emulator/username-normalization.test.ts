/**
 * One address in two Unicode forms (issue 19, item 5): "ren\u00e9@example.com" (NFC: é is one
 * code point) and "rene\u0301@example.com" (NFD: e and a combining acute accent) are canonically
 * equivalent (UAX #15, https://unicode.org/reports/tr15/). Whether Atlas compares them as one
 * person is unrecorded: the `usernameNormalization` knob plays "none" (the default, the least
 * favourable: two people) and "nfc" (one person, letter case still per `usernameCase`). Either
 * way the emulator accepts internationalised addresses and keeps them as sent.
 */
import { KNOB_VALUES } from "../../emulator";
import {
  RENE_NFC as NFC,
  RENE_NFD as NFD,
  RENE_NFD_SHOUTED as NFD_UPPER,
  useEmulatorWithUnicodeAddresses,
} from "../support/unicode-addresses";
import { ONE_AT_A_TIME } from "../support/variants";
import type { Answer } from "./support";
import { DigestClient, INVITES, ORG, USERS, V2025, invite, list, obj } from "./support";

// Non-ASCII addresses break only the slice's `format: email` (see the helper).
const emulator = useEmulatorWithUnicodeAddresses();
let api: DigestClient;

beforeEach(() => {
  const emu = emulator();
  api = new DigestClient(emu.baseUrl, emu.credentials.publicKey, emu.credentials.privateKey);
});

const sendInvite = (username: string): Promise<Answer> =>
  api.call("POST", INVITES, { body: invite(username) });

const createUser = (username: string): Promise<Answer> =>
  api.call("POST", USERS, {
    accept: V2025,
    body: { username, roles: { orgRoles: ["ORG_MEMBER"] } },
  });

const invitesNamed = async (username: string): Promise<unknown[]> =>
  list((await api.call("GET", `${INVITES}?username=${encodeURIComponent(username)}`)).body).map(
    (i) => i["id"],
  );

const usersNamed = async (username: string): Promise<unknown[]> =>
  list(
    obj(
      (
        await api.call("GET", `${USERS}?username=${encodeURIComponent(username)}`, {
          accept: V2025,
        })
      ).body,
    )["results"],
  ).map((u) => u["username"]);

test("the two forms differ as strings and are one address in NFC", () => {
  expect(NFC).not.toBe(NFD);
  expect(NFD.normalize("NFC")).toBe(NFC);
});

test('the knob\'s values are "none" (the default) and "nfc", and the variants run "nfc" alone', () => {
  expect(KNOB_VALUES.usernameNormalization).toEqual(["none", "nfc"]);
  expect(emulator().control.knobs().usernameNormalization).toBe("none");
  expect(ONE_AT_A_TIME.map((v) => v.knobs)).toContainEqual({ usernameNormalization: "nfc" });
  expect(ONE_AT_A_TIME.map((v) => v.knobs)).toContainEqual({ lapsedInvitations: "dropped" });
});

test("an unknown value is refused with the values it may take", () => {
  expect(() =>
    emulator().control.setKnobs({ usernameNormalization: "nfd" as unknown as "nfc" }),
  ).toThrow(/usernameNormalization "nfd": use one of "none", "nfc"/);
});

describe('usernameNormalization "none" (the default): two forms, two people', () => {
  test("a second POST in the other form makes a second invitation and a second PENDING user", async () => {
    const first = await sendInvite(NFC);
    const second = await sendInvite(NFD);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(obj(second.body)["id"]).not.toBe(obj(first.body)["id"]);
    const emu = emulator();
    expect(emu.control.invitations(ORG).map((i) => i.username)).toEqual([NFC, NFD]);
    expect(emu.control.users(ORG).map((u) => u.username)).toEqual([NFC, NFD]);
  });

  test("a filtered look-up in the other form misses the person, on both APIs", async () => {
    await sendInvite(NFC);
    expect(await invitesNamed(NFD)).toEqual([]);
    expect(await usersNamed(NFD)).toEqual([]);
    expect(await invitesNamed(NFC)).toHaveLength(1);
    expect(await usersNamed(NFC)).toEqual([NFC]);
  });

  test("PATCH by username in the other form is a 404; createOrgUser in it answers 201, not 409", async () => {
    expect((await createUser(NFC)).status).toBe(201);
    const patch = await api.call("PATCH", INVITES, {
      body: { username: NFD, roles: ["ORG_READ_ONLY"] },
    });
    expect([patch.status, obj(patch.body)["errorCode"]]).toEqual([404, "RESOURCE_NOT_FOUND"]);
    expect((await createUser(NFD)).status).toBe(201);
    expect(
      emulator()
        .control.users(ORG)
        .map((u) => u.username),
    ).toEqual([NFC, NFD]);
  });

  test('even with usernameCase "insensitive", the forms stay two people', async () => {
    emulator().control.setKnobs({ usernameCase: "insensitive" });
    await sendInvite(NFC);
    expect(await invitesNamed(NFD_UPPER)).toEqual([]);
    expect((await createUser(NFD_UPPER)).status).toBe(201);
  });
});

describe('usernameNormalization "nfc": two forms, one person', () => {
  beforeEach(() => {
    emulator().control.setKnobs({ usernameNormalization: "nfc" });
  });

  test("a filtered look-up in the other form finds the person, who is kept in the form sent", async () => {
    const sent = await sendInvite(NFC);
    expect(await invitesNamed(NFD)).toEqual([obj(sent.body)["id"]]);
    expect(await usersNamed(NFD)).toEqual([NFC]);
    expect(emulator().control.invitations(ORG)[0]?.username).toBe(NFC);
  });

  test("the address is stored exactly as sent, NFD included", async () => {
    await sendInvite(NFD);
    expect(emulator().control.invitations(ORG)[0]?.username).toBe(NFD);
    expect(await usersNamed(NFC)).toEqual([NFD]);
  });

  test("a second POST in the other form follows the duplicate policy, and createOrgUser answers 409", async () => {
    const emu = emulator();
    emu.control.setDuplicateInvitePolicy("reject");
    await sendInvite(NFC);
    const again = await sendInvite(NFD);
    expect([again.status, obj(again.body)["errorCode"]]).toEqual([
      409,
      "INVITATION_ALREADY_EXISTS",
    ]);
    const user = await createUser(NFD);
    expect([user.status, obj(user.body)["errorCode"]]).toEqual([409, "USER_ALREADY_EXISTS"]);
    expect(emu.control.invitations(ORG)).toHaveLength(1);
    expect(emu.control.users(ORG)).toHaveLength(1);
  });

  test("PATCH by username in the other form changes the person's invitation", async () => {
    const sent = await sendInvite(NFC);
    const patch = await api.call("PATCH", INVITES, {
      body: { username: NFD, roles: ["ORG_READ_ONLY"] },
    });
    expect([patch.status, obj(patch.body)["id"]]).toEqual([200, obj(sent.body)["id"]]);
  });

  test('letter case still follows usernameCase: "exact" keeps another case apart, "insensitive" does not', async () => {
    await sendInvite(NFC);
    expect(await invitesNamed(NFD_UPPER)).toEqual([]);
    emulator().control.setKnobs({ usernameCase: "insensitive" });
    expect(await invitesNamed(NFD_UPPER)).toHaveLength(1);
  });
});

test("the control helpers find a person in either form under both values", async () => {
  const emu = emulator();
  for (const value of KNOB_VALUES.usernameNormalization) {
    emu.control.reset();
    emu.control.setKnobs({ usernameNormalization: value });
    const sent = await sendInvite(NFC);
    expect(emu.control.acceptInvitation(ORG, NFD_UPPER)).toMatchObject({
      orgMembershipStatus: "ACTIVE",
      username: NFC,
    });
    expect(obj(sent.body)["username"]).toBe(NFC);
  }
});

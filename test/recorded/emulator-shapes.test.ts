/**
 * The emulator answers like the recordings: for each recorded answer of an operation it serves
 * (and the three recorded error shapes X1, X2, 23), the emulator is driven to the same kind of
 * answer (same operation, same status), in the same org, at the recording's date, and must match
 * it in status, in the recursive set of JSON field names (with leaf types), and in the presence
 * and, where fixed, the value of Content-Type, Deprecation, Sunset, Ratelimit-Limit and
 * Ratelimit-Remaining.
 *
 * Recordings from 2025 carry no rate-limit headers and an earlier Sunset: their emulator runs
 * with `tokenBucket: null` and that `sunsetDate`, the knobs for "Atlas sent no headers" and "the
 * sunset moved".
 */
import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import type { Answer } from "../emulator/support";
import { DigestClient, raw } from "../emulator/support";
import type { RecordedExchange } from "../support/recorded";
import { header, jsonBody, loadRecorded, recorded } from "../support/recorded";

type Json = Record<string, unknown>;

/** The recorder's masked org and project ids, and the team of files 14-16. */
const ORG = "a0123456789abcdef012345a";
const PROJECT = "b0123456789abcdef012345b";
const TEAM = "6a79404ec0eb9e7a1771aa1d";
const V2023 = "application/vnd.atlas.2023-01-01+json";
const V2025 = "application/vnd.atlas.2025-02-19+json";
const INVITES = `/api/atlas/v2/orgs/${ORG}/invites`;
const USERS = `/api/atlas/v2/orgs/${ORG}/users`;

/**
 * Every field path of a JSON value with the JSON types seen there:
 * `.results[]<ACTIVE>.mobileNumber` -> {null, string}. Array items are merged, users kept apart by
 * orgMembershipStatus; an empty array shows only as `x[]` -> {array}.
 */
function shape(
  value: unknown,
  path = "",
  out = new Map<string, Set<string>>(),
): Map<string, Set<string>> {
  const seen = (type: string): void => {
    out.set(path, (out.get(path) ?? new Set()).add(type));
  };
  if (Array.isArray(value)) {
    seen("array");
    for (const item of value) {
      const status = (item as Json | null)?.["orgMembershipStatus"];
      const tag = typeof status === "string" ? `<${status}>` : "";
      shape(item, `${path}[]${tag}`, out);
    }
  } else if (value !== null && typeof value === "object") {
    seen("object");
    for (const [key, v] of Object.entries(value)) shape(v, `${path}.${key}`, out);
  } else {
    seen(value === null ? "null" : typeof value);
  }
  return out;
}

/**
 * Same field names at every depth, and at each path only JSON types the recording shows there (a
 * recording may show more: some ACTIVE users have a phone number, the emulator's never do).
 */
function expectSameShape(got: unknown, recordedBody: unknown): void {
  const mine = shape(got);
  const theirs = shape(recordedBody);
  expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
  const foreign = [...mine].flatMap(([path, types]) =>
    [...types].filter((t) => !theirs.get(path)?.has(t)).map((t) => `${path}:${t}`),
  );
  expect(foreign).toEqual([]);
}

interface Harness {
  emu: RunningEmulator;
  api: DigestClient;
  /** The emulator's clock. */
  clock: { now: number };
}

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

function inviterOf(entry: RecordedExchange): string {
  const found = /"inviterUsername":"([^"]+)"/.exec(entry.response.body)?.[1];
  return found ?? "kebqgyph";
}

/**
 * An emulator set up like the recording's Atlas: its date, its Sunset, its API key (so that
 * `inviterUsername` can be compared), the recorded org "Atlas CLI E2E" with its project and team,
 * and no token bucket when the recording carries no rate-limit headers.
 */
async function like(entry: RecordedExchange): Promise<Harness> {
  const clock = { now: Date.parse(header(entry, "Date") ?? "") };
  if (!Number.isFinite(clock.now)) throw new Error(`${entry.file} has no Date header`);
  const sunset = header(entry, "Sunset");
  const emu = await startEmulator({
    now: () => clock.now,
    publicKey: inviterOf(entry),
    ...(sunset !== undefined ? { sunsetDate: new Date(Date.parse(sunset)) } : {}),
  });
  running.push(emu);
  emu.control.addOrg({ id: ORG, name: "Atlas CLI E2E" });
  emu.control.addProject(ORG, { id: PROJECT, name: "e2e" });
  emu.control.addTeam(ORG, { id: TEAM, name: "e2e-team" });
  if (header(entry, "Ratelimit-Limit") === undefined) emu.control.setTokenBucket(null);
  const api = new DigestClient(emu.baseUrl, emu.credentials.publicKey, emu.credentials.privateKey);
  return { emu, api, clock };
}

/**
 * Content-Type, Deprecation, Sunset and Ratelimit-Limit: the same value (or the same absence).
 * Ratelimit-Remaining: present as an integer where recorded; Atlas's own count depends on its
 * history, except on the first call of a fresh bucket, which both answer 499.
 */
function expectHeadersLike(entry: RecordedExchange, answer: Answer): void {
  const got = (name: string): string | undefined => answer.headers.get(name) ?? undefined;
  const rows = ["Content-Type", "Deprecation", "Sunset", "Ratelimit-Limit"].map((name) => [
    name,
    got(name),
  ]);
  expect(rows).toEqual(
    ["Content-Type", "Deprecation", "Sunset", "Ratelimit-Limit"].map((name) => [
      name,
      header(entry, name),
    ]),
  );
  const remaining = header(entry, "Ratelimit-Remaining");
  if (remaining === undefined) expect(got("Ratelimit-Remaining")).toBeUndefined();
  else if (remaining === "499") expect(got("Ratelimit-Remaining")).toBe("499");
  else expect(got("Ratelimit-Remaining")).toMatch(/^\d+$/);
}

function expectLike(entry: RecordedExchange, answer: Answer): void {
  expect(answer.status).toBe(entry.response.status);
  expectSameShape(answer.body, jsonBody(entry));
  expectHeadersLike(entry, answer);
}

async function invite(h: Harness, body: Json): Promise<Json> {
  const res = await h.api.call("POST", INVITES, { body });
  if (res.status !== 200) throw new Error(`setup invite answered ${res.status}: ${res.text}`);
  return res.body as Json;
}

/** The invitations a recording shows, recreated at their createdAt (username, roles, teams). */
async function recreate(h: Harness, invitations: Json[]): Promise<Json[]> {
  const at = h.clock.now;
  const made: Json[] = [];
  for (const inv of invitations) {
    h.clock.now = Date.parse(String(inv["createdAt"]));
    made.push(
      await invite(h, {
        username: inv["username"],
        roles: inv["roles"],
        teamIds: (inv["teamIds"] as string[]).map(() => TEAM),
      }),
    );
  }
  h.clock.now = at;
  return made;
}

const fixtures = (operation: string): string[] =>
  loadRecorded()
    .filter((e) => e.operation === operation)
    .map((e) => e.file);

describe("invitation answers", () => {
  it.each(fixtures("createOrgInvite"))(
    "createOrgInvite answers like %s: 200, the ten fields, deprecation and rate-limit headers",
    async (file) => {
      const entry = recorded(file);
      const h = await like(entry);
      const want = jsonBody(entry) as Json;
      const res = await h.api.call("POST", INVITES, {
        body: { username: want["username"], roles: want["roles"] },
      });
      expectLike(entry, res);
      expect({ ...(res.body as Json), id: want["id"] }).toEqual(want);
    },
  );

  it.each(fixtures("listOrgInvites"))(
    "listOrgInvites answers like %s: a bare array of invitations",
    async (file) => {
      const entry = recorded(file);
      const h = await like(entry);
      const want = jsonBody(entry) as Json[];
      const made = await recreate(h, want);
      const res = await h.api.call("GET", INVITES);
      expectLike(entry, res);
      const ids = new Map(made.map((m, i) => [m["id"], want[i]?.["id"]]));
      const got = (res.body as Json[]).map((i) => ({ ...i, id: ids.get(i["id"]) }));
      // One API key invited them all here, while file 18 shows two keys.
      const sameKey = want.map((w) => ({ ...w, inviterUsername: h.emu.credentials.publicKey }));
      expect(got).toEqual(sameKey);
    },
  );

  it.each(fixtures("getOrgInvite"))("getOrgInvite answers like %s", async (file) => {
    const entry = recorded(file);
    const h = await like(entry);
    const want = jsonBody(entry) as Json;
    const [made] = await recreate(h, [want]);
    const res = await h.api.call("GET", `${INVITES}/${String(made?.["id"])}`);
    expectLike(entry, res);
    expect({ ...(res.body as Json), id: want["id"] }).toEqual(want);
  });

  it.each(fixtures("updateOrgInvites"))(
    "updateOrgInvites (by username) answers like %s, keeping createdAt and expiresAt",
    async (file) => {
      const entry = recorded(file);
      const h = await like(entry);
      const want = jsonBody(entry) as Json;
      await recreate(h, [{ ...want, roles: ["ORG_MEMBER"] }]);
      const res = await h.api.call("PATCH", INVITES, {
        body: { username: want["username"], roles: want["roles"] },
      });
      expectLike(entry, res);
      expect({ ...(res.body as Json), id: want["id"] }).toEqual(want);
    },
  );

  it.each(fixtures("updateOrgInviteById"))(
    "updateOrgInviteById answers like %s, keeping createdAt and expiresAt",
    async (file) => {
      const entry = recorded(file);
      const h = await like(entry);
      const want = jsonBody(entry) as Json;
      const [made] = await recreate(h, [{ ...want, roles: ["ORG_MEMBER"] }]);
      const res = await h.api.call("PATCH", `${INVITES}/${String(made?.["id"])}`, {
        body: { roles: want["roles"] },
      });
      expectLike(entry, res);
      expect({ ...(res.body as Json), id: want["id"] }).toEqual(want);
    },
  );

  it.each(fixtures("deleteOrgInvite"))(
    "deleteOrgInvite answers like %s: 204, no body, no Content-Length, a Content-Type",
    async (file) => {
      const entry = recorded(file);
      const h = await like(entry);
      const made = await invite(h, { username: "gone@example.com", roles: ["ORG_MEMBER"] });
      const res = await h.api.call("DELETE", `${INVITES}/${String(made["id"])}`);
      expectLike(entry, res);
      expect([res.text, res.headers.get("content-length")]).toEqual(["", null]);
      expect(header(entry, "Content-Length")).toBeUndefined();
    },
  );
});

describe("org user answers (2025-02-19)", () => {
  /**
   * The recorded page's people, in order: ACTIVE ones invited (with a team and a project role
   * where the recording shows some) and accepted, PENDING ones invited; then plain members up to
   * the recorded totalCount, beyond the page.
   */
  async function populate(
    h: Harness,
    page: { results: Json[]; totalCount?: number },
  ): Promise<void> {
    for (const user of page.results) {
      const roles = user["roles"] as { orgRoles: string[]; groupRoleAssignments: unknown[] };
      await invite(h, {
        username: user["username"],
        roles: roles.orgRoles,
        teamIds: (user["teamIds"] as string[]).length > 0 ? [TEAM] : [],
        groupRoleAssignments:
          roles.groupRoleAssignments.length > 0
            ? [{ groupId: PROJECT, roles: ["GROUP_OWNER"] }]
            : [],
      });
      if (user["orgMembershipStatus"] === "ACTIVE") {
        h.emu.control.acceptInvitation(ORG, String(user["username"]));
      }
    }
    for (let n = page.results.length; n < (page.totalCount ?? 0); n++) {
      h.emu.control.addMember(ORG, { username: `filler${n}@example.com` });
    }
  }

  it.each(fixtures("listOrgUsers"))(
    "listOrgUsers answers like %s: ACTIVE and PENDING users, links and totalCount",
    async (file) => {
      const entry = recorded(file);
      const h = await like(entry);
      const want = jsonBody(entry) as { results: Json[]; totalCount: number; links: Json[] };
      await populate(h, want);
      // Two quiet minutes refill the bucket (250 a minute): the list is its first call again.
      h.clock.now += 120_000;
      // The query as Atlas's Go SDK sends it (keys sorted); Atlas echoes it in its own order.
      const itemsPerPage = new URLSearchParams(entry.request.query ?? "").get("itemsPerPage");
      const res = await h.api.call(
        "GET",
        `${USERS}?includeCount=true&itemsPerPage=${itemsPerPage ?? "100"}&pageNum=1`,
        { accept: V2025 },
      );
      expectLike(entry, res);
      const body = res.body as typeof want;
      expect(body.totalCount).toBe(want.totalCount);
      const local = (href: unknown): string =>
        String(href).replace(h.emu.baseUrl, "http://localhost:8080/").replace("8080//", "8080/");
      expect(body.links.map((l) => [l["rel"], local(l["href"])])).toEqual(
        want.links.map((l) => [l["rel"], l["href"]]),
      );
      const statuses = (r: Json[]): unknown[] =>
        r.map((u) => [u["username"], u["orgMembershipStatus"]]);
      expect(statuses(body.results)).toEqual(statuses(want.results));
    },
  );
});

describe("error answers", () => {
  it("a request without credentials gets X1's digest 401: the same challenge form and the same body bytes", async () => {
    const entry = recorded("X1-extra-digest-challenge-401.http");
    const h = await like(entry);
    const res = await raw(h.emu.baseUrl, "GET", INVITES, { Accept: V2023 });
    expectLike(entry, res);
    expect(res.text).toBe(entry.response.body);
    expect(res.headers.get("content-length")).toBe(header(entry, "Content-Length"));
    const nonce = /nonce="[^"]+"/;
    expect(res.headers.get("www-authenticate")?.replace(nonce, 'nonce="N"')).toBe(
      header(entry, "Www-Authenticate")?.replace(nonce, 'nonce="N"'),
    );
    expect(res.headers.get("x-error-code")).toBeNull();
  });

  it("an unknown user id gets X2's 404 RESOURCE_NOT_FOUND: the same fields, X-Error-Code and rate-limit headers", async () => {
    const entry = recorded("X2-extra-404-RESOURCE_NOT_FOUND.http");
    const h = await like(entry);
    const unknown = "6a41ec1b47a46530bc34a412";
    const res = await h.api.call("GET", `${USERS}/${unknown}`, { accept: V2025 });
    expect(res.status).toBe(404);
    expectSameShape(res.body, jsonBody(entry));
    expect(res.headers.get("x-error-code")).toBe(header(entry, "X-Error-Code"));
    expect(res.headers.get("content-type")).toBe(header(entry, "Content-Type"));
    // X2 is an online-archive endpoint: its bucket is another (1200); only presence compares.
    expect(res.headers.get("ratelimit-limit")).toMatch(/^\d+$/);
    expect(res.headers.get("ratelimit-remaining")).toMatch(/^\d+$/);
    expect([res.headers.get("deprecation"), res.headers.get("sunset")]).toEqual([null, null]);
    expect(res.body).toMatchObject({
      detail: `Cannot find resource User with id ${unknown}.`,
      parameters: [`User with id ${unknown}`],
    });
    h.emu.control.setMissingInvitationAnswer("404");
    const invitation = await h.api.call("GET", `${INVITES}/${unknown}`);
    expect(invitation.status).toBe(404);
    expectSameShape(invitation.body, jsonBody(entry));
  });

  it("inviting an ACTIVE member gets 23's 409 USER_ALREADY_EXISTS: same fields, wording, Content-Type and deprecation headers", async () => {
    // File 23 is the deprecated createUser; the nearest deprecated operation here is createOrgInvite.
    const entry = recorded("23-2025-08-05-createUser-409-USER_ALREADY_EXISTS.http");
    const h = await like(entry);
    const username = "cli-test-7036@example.org";
    h.emu.control.addMember(ORG, { username });
    const res = await h.api.call("POST", INVITES, { body: { username, roles: ["ORG_MEMBER"] } });
    expectLike(entry, res);
    expect(res.body).toEqual(jsonBody(entry));
    // createOrgUser (2025-02-19, not deprecated) answers the same body, without Deprecation/Sunset.
    const orgUser = await h.api.call("POST", USERS, {
      accept: V2025,
      body: { username, roles: { orgRoles: ["ORG_MEMBER"] } },
    });
    expect([orgUser.status, orgUser.body]).toEqual([409, jsonBody(entry)]);
    expect([orgUser.headers.get("deprecation"), orgUser.headers.get("sunset")]).toEqual([
      null,
      null,
    ]);
  });
});

describe("coverage", () => {
  it("drove every recorded fixture of the operations the emulator serves", () => {
    const served = [
      "createOrgInvite",
      "listOrgInvites",
      "getOrgInvite",
      "updateOrgInvites",
      "updateOrgInviteById",
      "deleteOrgInvite",
      "listOrgUsers",
    ];
    const all = loadRecorded().filter((e) => served.includes(e.operation));
    expect(all.length).toBe(21);
    expect(new Set(all.map((e) => e.request.acceptInferred))).toEqual(new Set([V2023, V2025]));
  });
});

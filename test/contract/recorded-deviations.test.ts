/**
 * The response allowances for real Atlas answers (test/contract/lib/recorded-deviations.ts): each
 * recorded fixture passes only because of its allowance, a body that breaks the same rule in
 * another way still fails, and every recorded response of a slice operation passes with them all.
 */
import { matchOperation, validateResponse } from "../support/contract";
import type { RecordedExchange } from "../support/recorded";
import { header, jsonBody, loadRecorded, recorded } from "../support/recorded";
import { INVITE, INVITES, USERS, V2023, V2025 } from "./lib/examples";
import type { DeviationId } from "./lib/recorded-deviations";
import { ALL_DEVIATIONS, NOT_DEVIATIONS, RECORDED_DEVIATIONS } from "./lib/recorded-deviations";
import { spec } from "./lib/slice-schemas";

type Json = Record<string, unknown>;

/**
 * The fixtures recorded on endpoints outside the slice, replayed as the slice operation whose
 * answer has the same schema: X1 (a cluster GET) as the 401 of listOrgInvites, X2 (an online
 * archive GET) as the 404 of getOrgInvite, 23 (the deprecated createUser) as the 409 of
 * createOrgUser, 16 (the deprecated team users, a CloudAppUser page) as listOrgUsers 2023-01-01.
 */
const TRANSPLANTED: Record<string, { method: string; path: string; accept?: string }> = {
  "X1-extra-digest-challenge-401.http": { method: "GET", path: INVITES },
  "X2-extra-404-RESOURCE_NOT_FOUND.http": { method: "GET", path: INVITE },
  "23-2025-08-05-createUser-409-USER_ALREADY_EXISTS.http": { method: "POST", path: USERS },
  "16-addOrgTeamUsers-deprecated-200.http": { method: "GET", path: USERS, accept: V2023 },
};

/**
 * The anonymiser's stand-in for phone numbers (atlas-recorded/README.md): not Atlas's bytes, so
 * not checked against the phone pattern.
 */
const ANONYMISED_PHONE = "+10000000000";

function withoutAnonymisedPhones(body: unknown): unknown {
  if (body === undefined) return undefined;
  return JSON.parse(JSON.stringify(body), (key, value: unknown) =>
    key === "mobileNumber" && value === ANONYMISED_PHONE ? undefined : value,
  ) as unknown;
}

function check(
  entry: RecordedExchange,
  allowances: ReadonlySet<DeviationId>,
  body: unknown = jsonBody(entry),
): string[] {
  const target = TRANSPLANTED[entry.file] ?? {
    method: entry.request.method,
    path: entry.request.path,
    accept: entry.request.acceptInferred,
  };
  return validateResponse({
    method: target.method,
    path: target.path,
    status: entry.response.status,
    headers: Object.fromEntries(entry.response.headers),
    body: withoutAnonymisedPhones(body),
    ...(target.accept !== undefined ? { accept: target.accept } : {}),
    allowances,
  }).map((v) => v.message);
}

function allBut(id: DeviationId): ReadonlySet<DeviationId> {
  return new Set([...ALL_DEVIATIONS].filter((d) => d !== id));
}

describe("the recorded-deviation table", () => {
  it("names only fixtures that exist in atlas-recorded/", () => {
    const files = new Set(loadRecorded().map((e) => e.file));
    const named = [
      ...RECORDED_DEVIATIONS.flatMap((d) => d.fixtures),
      ...NOT_DEVIATIONS.flatMap((n) => n.fixtures),
    ];
    expect(named.filter((f) => !files.has(f))).toEqual([]);
  });

  it.each(RECORDED_DEVIATIONS.map((d) => [d.id, d] as const))(
    "allowance %s is needed by each of its fixtures and is enough for them",
    (id, d) => {
      for (const file of d.fixtures) {
        const entry = recorded(file);
        expect([file, check(entry, ALL_DEVIATIONS)]).toEqual([file, []]);
        expect([file, check(entry, allBut(id)).length]).not.toEqual([file, 0]);
      }
    },
  );

  it("keeps the slice's own reading where it is no deviation: error bodies are application/json", () => {
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const op of Object.values(item)) {
        for (const [status, response] of Object.entries(op?.responses ?? {})) {
          if (Number(status) < 400) continue;
          const name = response.$ref?.split("/").pop() ?? "";
          const content = spec.components.responses[name]?.content ?? response.content ?? {};
          expect([path, status, Object.keys(content)]).toEqual([
            path,
            status,
            ["application/json"],
          ]);
        }
      }
    }
    for (const file of NOT_DEVIATIONS[0]?.fixtures ?? []) {
      expect(header(recorded(file), "Content-Type")).toBe("application/json");
    }
  });
});

describe("each allowance is exactly as wide as the recordings", () => {
  const invitation = (): Json => jsonBody(recorded("01-createOrgInvite-200.http")) as Json;
  const created = recorded("01-createOrgInvite-200.http");

  it("inviterUsername: the recorded API key passes, yet a number or an address with a space fails", () => {
    expect(check(created, new Set(["orgNameWithSpaces"]))).toEqual([
      expect.stringContaining('/inviterUsername must match format "email"'),
    ]);
    expect(check(created, ALL_DEVIATIONS, { ...invitation(), inviterUsername: 42 })).toEqual([
      expect.stringContaining("/inviterUsername must be string"),
    ]);
    const spaced = check(created, ALL_DEVIATIONS, { ...invitation(), inviterUsername: "a b" });
    expect(spaced.join("\n")).toMatch(/\/inviterUsername must match/);
    const pending = recorded("12-listOrgUsers-200-with-pending.http");
    const page = jsonBody(pending) as { results: Json[] };
    const without = page.results.map((u) =>
      u["orgMembershipStatus"] === "PENDING" ? { ...u, inviterUsername: undefined } : u,
    );
    expect(check(pending, ALL_DEVIATIONS, { ...page, results: without })).toEqual([
      expect.stringContaining("must have required property 'inviterUsername'"),
    ]);
  });

  it("mobileNumber: null passes on ACTIVE users, yet a number that is no phone number still fails", () => {
    const entry = recorded("13-listOrgUsers-200-itemsPerPage1-has-next.http");
    const page = jsonBody(entry) as { results: Json[] };
    const withPhone = (mobileNumber: unknown): unknown => ({
      ...page,
      results: page.results.map((u) => ({ ...u, mobileNumber })),
    });
    expect(check(entry, allBut("activeUserMobileNumberNull"))).toEqual([
      expect.stringContaining("/results/0/mobileNumber must be string"),
    ]);
    expect(check(entry, ALL_DEVIATIONS, withPhone("call me"))).toEqual([
      expect.stringContaining("/results/0/mobileNumber must match pattern"),
    ]);
    expect(check(entry, ALL_DEVIATIONS, withPhone(2125550123))).toEqual([
      expect.stringContaining("/results/0/mobileNumber must be string"),
    ]);
  });

  it("orgName: a space passes, yet a tab, an empty name or 65 characters still fail", () => {
    expect(check(created, new Set(["inviterUsernameIsCredentialId"]))).toEqual([
      expect.stringContaining("/orgName must match pattern"),
    ]);
    for (const orgName of ["Atlas\tCLI", "", "x".repeat(65), "Atlas CLI E2E!"]) {
      expect(check(created, ALL_DEVIATIONS, { ...invitation(), orgName })).toEqual([
        expect.stringContaining("/orgName must match pattern"),
      ]);
    }
    expect(check(created, ALL_DEVIATIONS, { ...invitation(), orgName: "x".repeat(64) })).toEqual(
      [],
    );
  });

  it("error parameters: strings pass, yet numbers, null or a parameters object still fail", () => {
    const conflict = recorded("23-2025-08-05-createUser-409-USER_ALREADY_EXISTS.http");
    const body = jsonBody(conflict) as Json;
    expect(check(conflict, allBut("errorParametersAreStrings"))).toEqual([
      expect.stringContaining("/parameters/0 must be object"),
    ]);
    expect(check(conflict, ALL_DEVIATIONS, { ...body, parameters: [409, null] })).toEqual([
      expect.stringContaining("/parameters/0 must be object,string"),
      expect.stringContaining("/parameters/1 must be object,string"),
    ]);
    expect(check(conflict, ALL_DEVIATIONS, { ...body, parameters: { username: "x" } })).toEqual([
      expect.stringContaining("/parameters must be array"),
    ]);
    expect(check(conflict, ALL_DEVIATIONS, { ...body, errorCode: undefined })).toEqual([
      expect.stringContaining("must have required property 'errorCode'"),
    ]);
  });

  it("the digest 401: no errorCode passes only beside a Digest challenge, and error/reason/detail stay required", () => {
    const challenge = recorded("X1-extra-digest-challenge-401.http");
    const body = jsonBody(challenge) as Json;
    expect(check(challenge, allBut("digest401WithoutErrorCode"))).toEqual([
      expect.stringContaining("must have required property 'errorCode'"),
    ]);
    for (const missing of ["error", "reason", "detail"]) {
      expect(check(challenge, ALL_DEVIATIONS, { ...body, [missing]: undefined })).toEqual([
        expect.stringContaining(`must have required property '${missing}'`),
      ]);
    }
    expect(check(challenge, ALL_DEVIATIONS, { ...body, error: 403 })).toEqual([
      expect.stringContaining("/error must be equal to one of the allowed values"),
    ]);
    const bearer: RecordedExchange = {
      ...challenge,
      response: {
        ...challenge.response,
        headers: [
          ["Content-Type", "application/json"],
          ["Www-Authenticate", 'Bearer error="invalid_token"'],
        ],
      },
    };
    expect(check(bearer, ALL_DEVIATIONS)).toEqual([
      expect.stringContaining("must have required property 'errorCode'"),
    ]);
  });

  it("CloudAppUser: mobileNumber may be absent, yet the other required fields stay required", () => {
    const team = recorded("16-addOrgTeamUsers-deprecated-200.http");
    const page = jsonBody(team) as { results: Json[] };
    expect(check(team, allBut("appUserWithoutMobileNumber"))).toEqual([
      expect.stringContaining("/results/0 must have required property 'mobileNumber'"),
      expect.stringContaining("/results/1 must have required property 'mobileNumber'"),
    ]);
    const noEmail = page.results.map((u, i) => (i === 0 ? { ...u, emailAddress: undefined } : u));
    expect(check(team, ALL_DEVIATIONS, { ...page, results: noEmail })).toEqual([
      expect.stringContaining("/results/0 must have required property 'emailAddress'"),
    ]);
    const badPhone = page.results.map((u) => ({ ...u, mobileNumber: "call me" }));
    expect(check(team, ALL_DEVIATIONS, { ...page, results: badPhone })).toHaveLength(2);
  });

  it("no allowance reaches other fields: a missing id or an upper-case id still fails everywhere", () => {
    expect(
      check(created, ALL_DEVIATIONS, { ...invitation(), id: "6A793F89C0EB9E7A177165B6" }),
    ).toEqual([expect.stringContaining("/id must match pattern")]);
    const users = recorded("12-listOrgUsers-200-with-pending.http");
    const page = jsonBody(users) as { results: Json[] };
    const noId = page.results.map((u, i) => (i === 0 ? { ...u, id: undefined } : u));
    const messages = check(users, ALL_DEVIATIONS, { ...page, results: noId });
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect(m).toContain("/results/0 must have required property 'id'");
  });
});

describe("every recorded answer of a slice operation", () => {
  const onSlice = loadRecorded().filter(
    (e) => matchOperation(e.request.method, e.request.path) !== undefined,
  );

  it("covers all six invitation operations and listOrgUsers", () => {
    const ops = new Set(
      onSlice.map((e) => matchOperation(e.request.method, e.request.path)?.operationId),
    );
    expect([...ops].sort()).toEqual([
      "createOrgInvite",
      "deleteOrgInvite",
      "getOrgInvite",
      "listOrgInvites",
      "listOrgUsers",
      "updateOrgInviteById",
      "updateOrgInvites",
    ]);
  });

  it.each(onSlice.map((e) => [e.file, e] as const))(
    "%s passes the response checker with the recorded allowances",
    (_file, entry) => {
      expect(check(entry, ALL_DEVIATIONS)).toEqual([]);
    },
  );

  it.each(Object.keys(TRANSPLANTED))(
    "%s passes as the slice operation whose schema it shares",
    (file) => {
      expect(check(recorded(file), ALL_DEVIATIONS)).toEqual([]);
    },
  );

  it("negotiated the media type the recording names, so the checker compared like with like", () => {
    for (const entry of onSlice.filter((e) => e.response.status === 200)) {
      const type = header(entry, "Content-Type")?.split(";")[0];
      expect([entry.file, type]).toEqual([entry.file, entry.request.acceptInferred]);
      expect([V2023, V2025]).toContain(type);
    }
  });
});

/**
 * Where real Atlas answers break the OpenAPI slice, each proven by a recorded response in
 * atlas-recorded/ (see its README.md). Requests get no allowance: they are validated strictly.
 * Responses get exactly these, each widening one schema spot and nothing else, so that a missing
 * `id` or a wrong type anywhere else still fails. test/contract/recorded-deviations.test.ts shows
 * for each one that its fixture passes only because of it, and that a body breaking the rule in
 * another way still fails.
 *
 * Six deviations were reported with the recordings; one of them, "error bodies are
 * application/json", turned out to be what the slice declares already (every error
 * response of every slice operation is `application/json`), so it needs no allowance and is kept
 * in NOT_DEVIATIONS. One more came to light in the recordings: the deprecated CloudAppUser comes
 * without the `mobileNumber` its schema requires.
 */
import type { JsonSchema } from "./slice-schemas";

export type DeviationId =
  | "inviterUsernameIsCredentialId"
  | "activeUserMobileNumberNull"
  | "orgNameWithSpaces"
  | "errorParametersAreStrings"
  | "digest401WithoutErrorCode"
  | "appUserWithoutMobileNumber";

export interface RecordedDeviation {
  id: DeviationId;
  /** What the slice says. */
  slice: string;
  /** What Atlas sends, and how far the allowance goes. */
  atlas: string;
  /** The atlas-recorded/ files that show it. */
  fixtures: readonly string[];
  /** Widens the response view's components.schemas (a private copy) at exactly one spot. */
  widen(schemas: Record<string, JsonSchema>): void;
}

/** The schema chosen for a 401 carrying a Digest challenge when digest401WithoutErrorCode is on. */
export const DIGEST_401_SCHEMA = "ApiError__digestChallenge";

function schema(schemas: Record<string, JsonSchema>, name: string): JsonSchema {
  const found = schemas[name];
  if (found === undefined) throw new Error(`contract: the slice has no schema ${name}`);
  return found;
}

/**
 * The property `name` of `schemaName`, declared directly or in one of its allOf members (the
 * OrgUserResponse children keep their own properties in allOf[1]).
 */
function property(
  schemas: Record<string, JsonSchema>,
  schemaName: string,
  name: string,
): JsonSchema {
  const s = schema(schemas, schemaName);
  const holders = [s, ...((s["allOf"] as JsonSchema[] | undefined) ?? [])];
  for (const holder of holders) {
    const prop = (holder["properties"] as Record<string, JsonSchema> | undefined)?.[name];
    if (prop !== undefined) return prop;
  }
  throw new Error(`contract: ${schemaName} declares no property ${name}`);
}

/** An API public key or a service-account client id: a token, never an address. */
const CREDENTIAL_ID = "^[^@\\s]+$";

function credentialOrEmail(prop: JsonSchema): void {
  if (prop["format"] !== "email")
    throw new Error("contract: inviterUsername is no longer an email");
  delete prop["format"];
  prop["anyOf"] = [{ format: "email" }, { pattern: CREDENTIAL_ID }];
}

export const RECORDED_DEVIATIONS: readonly RecordedDeviation[] = [
  {
    id: "inviterUsernameIsCredentialId",
    slice:
      "OrganizationInvitation.inviterUsername and OrgPendingUserResponse.inviterUsername: string, format email",
    atlas:
      "the inviting API key's public key (8 lower-case letters, e.g. `kebqgyph`). Allowed: an email or one token without `@` and whitespace (key formats differ per deployment: the emulator's keys are configurable, service accounts' ids look like `mdb_sa_id_...`); still a required string where the slice requires it",
    fixtures: [
      "01-createOrgInvite-200.http",
      "04-listOrgInvites-200.http",
      "12-listOrgUsers-200-with-pending.http",
    ],
    widen(schemas) {
      credentialOrEmail(property(schemas, "OrganizationInvitation", "inviterUsername"));
      credentialOrEmail(property(schemas, "OrgPendingUserResponse", "inviterUsername"));
    },
  },
  {
    id: "activeUserMobileNumberNull",
    slice: "OrgActiveUserResponse.mobileNumber: string (a phone pattern), not nullable",
    atlas:
      "`mobileNumber: null` on ACTIVE users without a number on file. Allowed: null; a string must still match the pattern",
    fixtures: [
      "12-listOrgUsers-200-with-pending.http",
      "13-listOrgUsers-200-itemsPerPage1-has-next.http",
    ],
    widen(schemas) {
      property(schemas, "OrgActiveUserResponse", "mobileNumber")["nullable"] = true;
    },
  },
  {
    id: "orgNameWithSpaces",
    slice: "OrganizationInvitation.orgName: pattern ^[\\p{L}\\p{N}\\-_.(),:&@+']{1,64}$ (no space)",
    atlas:
      'org names with spaces ("Atlas CLI E2E"). Allowed: the space character (U+0020) besides the pattern\'s own; no other whitespace, length still 1..64',
    fixtures: ["01-createOrgInvite-200.http", "04-listOrgInvites-200.http"],
    widen(schemas) {
      const prop = property(schemas, "OrganizationInvitation", "orgName");
      const pattern = String(prop["pattern"]);
      if (!pattern.endsWith("']{1,64}$")) throw new Error("contract: orgName's pattern changed");
      prop["pattern"] = pattern.replace(/'\]\{1,64\}\$$/, "' ]{1,64}$");
    },
  },
  {
    id: "errorParametersAreStrings",
    slice: "ApiError.parameters: array of objects",
    atlas:
      'the values the message names, as strings (["cli-test-7036@example.org"]). Allowed: string items besides objects; numbers, booleans, null still fail',
    fixtures: [
      "23-2025-08-05-createUser-409-USER_ALREADY_EXISTS.http",
      "X2-extra-404-RESOURCE_NOT_FOUND.http",
    ],
    widen(schemas) {
      const items = property(schemas, "ApiError", "parameters")["items"] as JsonSchema | undefined;
      if (items?.["type"] !== "object") throw new Error("contract: ApiError.parameters changed");
      items["type"] = ["object", "string"];
    },
  },
  {
    id: "digest401WithoutErrorCode",
    slice: "401 unauthorized: ApiError, which requires error and errorCode",
    atlas:
      'the Digest challenge\'s 401 body is {"error": 401, "reason": "Unauthorized", "detail": "You are not authorized for this resource."}, pretty-printed Jackson style, without errorCode. Allowed: only on a 401 that carries a Digest challenge, and then error (401), reason and detail are required',
    fixtures: ["X1-extra-digest-challenge-401.http"],
    widen(schemas) {
      const base = structuredClone(schema(schemas, "ApiError"));
      const properties = base["properties"] as Record<string, JsonSchema>;
      properties["error"] = { ...properties["error"], enum: [401] };
      base["required"] = ["error", "reason", "detail"];
      schemas[DIGEST_401_SCHEMA] = base;
    },
  },
  {
    id: "appUserWithoutMobileNumber",
    slice: "CloudAppUser (2023-01-01 listOrgUsers) requires mobileNumber",
    atlas:
      "CloudAppUser without mobileNumber (recorded on the deprecated team-users endpoint, same schema). Allowed: mobileNumber absent; when present it is still checked",
    fixtures: ["16-addOrgTeamUsers-deprecated-200.http"],
    widen(schemas) {
      const s = schema(schemas, "CloudAppUser");
      const required = s["required"] as string[] | undefined;
      if (!required?.includes("mobileNumber")) throw new Error("contract: CloudAppUser changed");
      s["required"] = required.filter((p) => p !== "mobileNumber");
    },
  },
];

/** Observations the shared notes list as deviations that the slice in fact already allows. */
export const NOT_DEVIATIONS: readonly { observation: string; why: string; fixtures: string[] }[] = [
  {
    observation: "error bodies are served as application/json, not the versioned media type",
    why: "every error response of every slice operation (components.responses.*) declares application/json only",
    fixtures: [
      "X1-extra-digest-challenge-401.http",
      "X2-extra-404-RESOURCE_NOT_FOUND.http",
      "23-2025-08-05-createUser-409-USER_ALREADY_EXISTS.http",
    ],
  },
];

export const ALL_DEVIATIONS: ReadonlySet<DeviationId> = new Set(
  RECORDED_DEVIATIONS.map((d) => d.id),
);

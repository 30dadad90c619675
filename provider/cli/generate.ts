/**
 * `generate`: reads an organization's pending invitations and prints declarations of them, so the
 * first `pulumi up` ADOPTS every one (the provider's create finds a pending invitation for the
 * person and takes it over) instead of sending new ones. This is the way in for existing
 * invitations under the dynamic provider, because `pulumi import` does not work for dynamic
 * resources (pulumi/pulumi#16175). Under the provider plugin (`atlasorginvitations`), `--format
 * import` prints the file `pulumi import --file` takes instead: the same people, by the ids of the
 * API they were read from (docs/import.md).
 *
 * The declarations carry exactly what Atlas holds (roles, teams, project roles), so adoption needs
 * no PATCH either. Nothing here writes to Atlas.
 */
import { createAtlasClient } from "../atlas";
import type { AtlasClient } from "../atlas";
import { fromInvitation } from "../backends/invites";
import { isGone } from "../backends/select";
import { fromOrgUser } from "../backends/users";
import { AtlasConfigurationError, isAtlasError } from "../errors";
import { comparableUsername, newestFirst } from "../identity";
import type { Logger } from "../log";
import type { OnAcceptedPolicy, PendingInvitation } from "../model";
import type { InvitationApi, StringMap } from "../settings";
import { render, uniqueResourceNames } from "./format";
import type { GeneratedDeclaration, OutputFormat } from "./format";
import { advise } from "../settings-advice";
import { howToSet, variableOf } from "../settings-table";
import { resolveFromEnvironment } from "./settings";

/** Where the CLI writes, and the environment it reads; `process.*` in main.ts, buffers in tests. */
export interface CliIo {
  /** The declarations, and nothing else, so stdout can be redirected into a file. */
  stdout: { write(text: string): unknown };
  /** Progress, warnings and errors. */
  stderr: { write(text: string): unknown };
  /** `MONGODB_ATLAS_*` credentials and base URL, and the proxy variables (settings.ts). */
  env: StringMap;
}

/** Exit codes: 0 done, 1 configuration or Atlas error, 2 usage error (run.ts). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** What `generate` was asked for, already validated (run.ts). */
export interface GenerateOptions {
  /** 24 lower-case hex characters. */
  orgId: string;
  format: OutputFormat;
  /** Written into every declaration when set. */
  onAccepted?: OnAcceptedPolicy | undefined;
}

/** Which API the invitations were read from. */
export type Source = "invites" | "users";

/**
 * The org's pending invitations, from the API `api` names (ATLAS_INVITATIONS_API), as the
 * provider's backend selection reads them (backends/select.ts), so the ids of an import file are
 * the ids the plugin reads under the same setting:
 * - `invites`: the invites API alone; its 410 Gone (sunset) is a configuration error naming the
 *   variable, as the provider's is (`goneUnderInvites`);
 * - `users`: the PENDING users of the org users API alone;
 * - `auto`: the invites API while Atlas serves it, and after its 410 the org users API, with a note.
 * Both APIs' answers are mapped with the provider's own functions, so the declarations compare
 * with Atlas exactly as the provider's adoption does.
 * @throws AtlasConfigurationError on a 410 under `invites`; Atlas's errors otherwise
 */
export async function readPending(
  client: AtlasClient,
  orgId: string,
  note: (message: string) => void,
  api: InvitationApi = "auto",
): Promise<{ source: Source; pending: PendingInvitation[] }> {
  if (api !== "users") {
    try {
      const invitations = await client.listOrgInvites(orgId);
      return { source: "invites", pending: invitations.map((i) => fromInvitation(i, orgId)) };
    } catch (error) {
      if (!isGone(error)) throw error;
      if (api === "invites") throw goneUnderInvitesSetting(error);
    }
    note(
      "the invitations API answered 410 Gone (retired); reading the pending users of the org users API instead",
    );
  }
  const users = await client.listAllOrgUsers(orgId);
  return {
    source: "users",
    pending: users
      .filter((u) => u.orgMembershipStatus === "PENDING")
      .map((u) => fromOrgUser(u, orgId)),
  };
}

/**
 * The 410 under ATLAS_INVITATIONS_API=invites, worded for a shell user: the provider's
 * `goneUnderInvites` names the Pulumi config key, which this command never reads.
 */
function goneUnderInvitesSetting(error: unknown): AtlasConfigurationError {
  const variable = variableOf("api");
  return new AtlasConfigurationError(
    `Atlas answered 410 Gone for the invitations API: it has been retired, and ${variable} is "invites". ` +
      `Set ${howToSet("api", "cli", "auto")} (or \`users\`) and run the command again: the pending ` +
      "invitations are then read from the org users API.",
    [variable],
    { cause: error },
  );
}

const idOf = (p: PendingInvitation): string =>
  p.invitationId ?? (p.userId !== undefined ? `org user ${p.userId}` : "(no id)");

/**
 * One invitation per person (email addresses compared as the provider compares them, without
 * regard to letter case or Unicode normalisation form: identity.ts `comparableUsername`): the newest
 * by `createdAt`, the one the provider's create adopts too (lifecycle.ts, identity.ts
 * `newestFirst`), so the declaration and the adoption agree. The others are reported.
 */
export function onePerPerson(pending: readonly PendingInvitation[]): {
  kept: PendingInvitation[];
  duplicates: { kept: PendingInvitation; others: PendingInvitation[] }[];
} {
  const byPerson = new Map<string, PendingInvitation[]>();
  for (const p of pending) {
    const key = comparableUsername(p.username);
    byPerson.set(key, [...(byPerson.get(key) ?? []), p]);
  }
  const kept: PendingInvitation[] = [];
  const duplicates: { kept: PendingInvitation; others: PendingInvitation[] }[] = [];
  for (const list of byPerson.values()) {
    const [newest, ...others] = newestFirst(list);
    if (!newest) continue;
    kept.push(newest);
    if (others.length > 0) duplicates.push({ kept: newest, others });
  }
  return { kept, duplicates };
}

const sorted = (values: Iterable<string>): string[] =>
  [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * A pending invitation as a declaration. Every list is sorted and each value listed once (the
 * provider compares them as sets, so order is no change), which makes the output the same
 * whatever order Atlas answers in, and whichever API it came from. Project roles are merged per
 * project.
 */
export function toDeclaration(p: PendingInvitation): GeneratedDeclaration {
  const groups = new Map<string, string[]>();
  for (const g of p.groupRoleAssignments) {
    groups.set(g.groupId, [...(groups.get(g.groupId) ?? []), ...g.roles]);
  }
  return {
    // The resource id the provider gives an invitation made on the API it was read from.
    id: p.invitationId ?? p.userId,
    username: p.username,
    roles: sorted(p.roles),
    teamIds: sorted(p.teamIds),
    groupRoleAssignments: sorted(groups.keys())
      .map((groupId) => ({ groupId, roles: sorted(groups.get(groupId) ?? []) }))
      .filter((g) => g.roles.length > 0),
  };
}

/**
 * By username as the provider compares people (identity.ts `comparableUsername`), then as
 * written, so the order never depends on Atlas.
 */
export function byUsername(a: GeneratedDeclaration, b: GeneratedDeclaration): number {
  const x = comparableUsername(a.username);
  const y = comparableUsername(b.username);
  if (x !== y) return x < y ? -1 : 1;
  return a.username < b.username ? -1 : a.username > b.username ? 1 : 0;
}

const FORMAT_NAMES: Readonly<Record<OutputFormat, string>> = {
  yaml: "YAML",
  ts: "TypeScript",
  import: "a pulumi import file",
};

/**
 * Reads the org's pending invitations and writes their declarations to stdout. Credentials come
 * from `io.env` through settings.ts, as the provider reads them, with errors that name the
 * environment variables alone (cli/settings.ts), and so do its runtime errors' advice; no secret is ever written (the
 * settings hold them as `Secret`, and the error family's messages leave them out).
 * @returns the exit code: 0, or 1 for missing or invalid configuration and any Atlas error
 */
export async function generate(options: GenerateOptions, io: CliIo): Promise<number> {
  const note = (message: string): void => void io.stderr.write(`${message}\n`);
  const warn = (message: string): void => note(`warning: ${message}`);
  try {
    const { atlas, retry, api } = resolveFromEnvironment(io.env);
    // The client reports its retries and waits (rate limits) here, so a slow run says why.
    const logger: Logger = {
      info: (m) => note(`info: ${m}`),
      warn: (m) => warn(m),
    };
    const client = createAtlasClient(atlas, { logger, policy: retry });
    note(`reading the pending invitations of organization ${options.orgId}...`);
    const { source, pending: listed } = await readPending(client, options.orgId, note, api);
    // Atlas may still list an invitation past its expiresAt (unrecorded; the emulator's
    // `lapsedInvitations`). The provider never adopts one (lifecycle.ts), so declaring it would
    // make the first `up` send a new invitation, which this command promises not to do.
    const now = Date.now();
    const lapsed = listed.filter(
      (p) => p.expiresAt !== undefined && Date.parse(p.expiresAt) <= now,
    );
    const pending = listed.filter((p) => !lapsed.includes(p));
    for (const p of lapsed) {
      warn(
        `the invitation ${idOf(p)} of ${p.username} lapsed at ${p.expiresAt ?? "?"} and is not declared: the ` +
          "provider never adopts a lapsed invitation, so `pulumi up` would send a new one. Re-invite the " +
          "person in Atlas and run this command again, or declare them yourself to send a new invitation.",
      );
    }

    const { kept, duplicates } = onePerPerson(pending);
    for (const { kept: newest, others } of duplicates) {
      warn(
        `${newest.username} has ${others.length + 1} pending invitations in organization ${options.orgId}: ` +
          `keeping the newest, ${idOf(newest)} (sent ${newest.createdAt ?? "at an unknown time"}), which the ` +
          `provider adopts; ${others.map(idOf).join(", ")} ${others.length === 1 ? "stays" : "stay"} pending ` +
          "and unmanaged (cancel in Atlas what is not wanted).",
      );
    }

    const declarations = kept.map(toDeclaration).sort(byUsername);
    for (const d of declarations) {
      if (d.roles.length === 0) {
        warn(
          `${d.username} has no organization role in Atlas; the provider requires at least one: ` +
            "add one to the declaration before `pulumi up`.",
        );
      }
    }
    // Both formats give each renamed person the same name: a `name:` in the YAML, the first
    // argument of `new OrgInvitation` in the TypeScript.
    const { clashes } = uniqueResourceNames(declarations.map((d) => d.username));
    for (const c of clashes) {
      warn(
        `${c.username} would get the resource name ${c.base} of ${c.holder}; declared with ` +
          `${options.format === "yaml" ? "name: " : "the name "}${c.name} instead. If the stack ` +
          `already manages ${c.username} under ${c.base}, swap the two names before \`pulumi up\`.`,
      );
    }

    if (options.format === "import") {
      for (const d of declarations.filter((x) => x.id === undefined)) {
        warn(
          `Atlas's answer gave the invitation of ${d.username} no id, so it is not in the import ` +
            "file: declare the person yourself, and the first `pulumi up` adopts the invitation.",
        );
      }
    }

    io.stdout.write(
      render(options.format, {
        orgId: options.orgId,
        declarations,
        onAccepted: options.onAccepted,
      }),
    );
    const n =
      options.format === "import"
        ? declarations.filter((d) => d.id !== undefined).length
        : declarations.length;
    note(
      `${n} pending ${n === 1 ? "invitation" : "invitations"} written as ${FORMAT_NAMES[options.format]}` +
        (source === "users" ? " (read from the org users API)" : ""),
    );
    return EXIT_OK;
  } catch (error) {
    // The error family's messages say what failed and how to fix it, without secrets; anything
    // else is a bug, reported by its message alone for the same reason.
    // Atlas's errors name settings by their neutral names; a shell user reads variables.
    advise(error, "cli");
    const message = isAtlasError(error)
      ? error.message
      : error instanceof Error
        ? `unexpected failure: ${error.message}`
        : `unexpected failure: ${String(error)}`;
    note(`error: ${message}`);
    return EXIT_FAILURE;
  }
}

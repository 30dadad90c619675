/**
 * Reads the invitations a platform team declares in stack config and checks their shape, naming
 * the config path of anything wrong: an unknown key (with the nearest known one), a missing or
 * mistyped value, a person listed twice, two entries that would get one resource name. The
 * provider's `check` validates the values themselves.
 */
export interface InvitationEntry {
  username: string;
  roles: string[];
  teamIds?: string[];
  groupRoleAssignments?: { groupId: string; roles: string[] }[];
  onAccepted?: "fail" | "retain";
}

/** One `OrgInvitation` of the stack program: its Pulumi resource name and its inputs. */
export interface DeclaredResource {
  /** The entry's `name` when it sets one, else `resourceName(username)`; unique in the stack. */
  name: string;
  /** The same object as the entry of `StackDeclaration.invitations` at this index. */
  inputs: InvitationEntry;
}

export interface StackDeclaration {
  orgId: string;
  /** Each person's `OrgInvitation` inputs (besides `orgId`), in config order. */
  invitations: InvitationEntry[];
  /** The same entries with their resource names, in config order. */
  resources: DeclaredResource[];
}

/** The keys of one entry of the list, as the stack config spells them. */
export const ENTRY_KEYS = [
  "username",
  "roles",
  "teamIds",
  "groupRoleAssignments",
  "onAccepted",
  "name",
] as const;

/** The keys of one entry of `groupRoleAssignments`. */
export const GROUP_KEYS = ["groupId", "roles"] as const;

function fail(path: string, problem: string): never {
  throw new Error(`Stack config ${path} ${problem}`);
}

function stringList(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    fail(path, "must be a list of strings.");
  return value as string[];
}

/** Levenshtein distance between two strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? Math.max(a.length, b.length);
}

/**
 * The known key nearest to `key`, letter case aside (`teamID`, `onaccepted`, `role`), when it is
 * close enough to be a typo: at most two edits, or a third of the longer word.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    const limit = Math.max(2, Math.floor(Math.max(key.length, candidate.length) / 3));
    if (distance <= limit && (!best || distance < best.distance))
      best = { key: candidate, distance };
  }
  return best?.key;
}

/** " (alice@example.com)" for an entry whose username is readable, so the message names the person. */
function whose(entry: Record<string, unknown>): string {
  const username = entry["username"];
  return typeof username === "string" && username !== "" ? ` (${username})` : "";
}

function unknownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  path: string,
  person: string,
  what: string,
): string[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const near = nearestKey(key, known);
      const hint = near
        ? `did you mean ${near}?`
        : `the keys of ${what} are ${known.slice(0, -1).join(", ")} and ${known.at(-1)}.`;
      return `Stack config ${path}.${key}${person} is not a key of ${what}; ${hint}`;
    });
}

/**
 * Unknown keys anywhere in the list, every one of them in one error (one line each), before any
 * other check: a misspelt key would otherwise be dropped silently (`teamID` would leave the
 * person without teams, `onaccepted` with the default policy).
 */
function refuseUnknownKeys(raw: readonly unknown[], key: string): void {
  const problems = raw.flatMap((entry, i) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return [];
    const e = entry as Record<string, unknown>;
    const person = whose(e);
    const path = `${key}[${i}]`;
    const groups = Array.isArray(e["groupRoleAssignments"]) ? e["groupRoleAssignments"] : [];
    return [
      ...unknownKeys(e, ENTRY_KEYS, path, person, "an invitation"),
      ...groups.flatMap((g: unknown, j) =>
        typeof g === "object" && g !== null && !Array.isArray(g)
          ? unknownKeys(
              g as Record<string, unknown>,
              GROUP_KEYS,
              `${path}.groupRoleAssignments[${j}]`,
              person,
              "a project role assignment",
            )
          : [],
      ),
    ];
  });
  if (problems.length > 0) throw new Error(problems.join("\n"));
}

/**
 * A stable Pulumi resource name per person: the identity of an invitation is its username. Two
 * addresses can share one (`a.b@x.com`, `a-b@x.com`, `a+b@x.com`); `parseDeclaration` refuses
 * that, and an entry's `name` settles it. Never change this function: a resource whose name
 * changes is replaced (a new invitation sent, the old one cancelled).
 */
export function resourceName(username: string): string {
  return `invite-${username.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

/** The first of `base-2`, `base-3`... that is not in `taken`. */
function freeName(base: string, taken: ReadonlySet<string>): string {
  let n = 2;
  while (taken.has(`${base}-${n}`)) n++;
  return `${base}-${n}`;
}

/**
 * Refuses two entries with one resource name: Pulumi would refuse the second resource, and a
 * person added later under the name of one already managed would read as a change of that one.
 */
function refuseSharedNames(
  resources: readonly (DeclaredResource & { named: boolean })[],
  key: string,
): void {
  const taken = new Set(resources.map((r) => r.name));
  const first = new Map<string, number>();
  resources.forEach(({ name }, i) => {
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, i);
      return;
    }
    const entry = (at: number): string => {
      const r = resources[at];
      return `${key}[${at}] (${r?.inputs.username}, ${r?.named ? "its name" : "from its username"})`;
    };
    throw new Error(
      `Stack config ${entry(earlier)} and ${entry(i)} both get the resource name ${name}; ` +
        "Pulumi needs one name per resource. Keep that name on the person the stack already " +
        `manages, and give the other entry a name of its own, such as name: ${freeName(name, taken)}`,
    );
  });
}

const NAME = /^\S+$/;

/**
 * The invitations of stack config `key` (a list of { username, roles, teamIds?,
 * groupRoleAssignments?, onAccepted?, name? }), with each one's resource name.
 * @throws Error naming the config path (and the person) of every unknown key, else of the first
 *   bad value, repeated person, or resource name two entries share
 */
export function parseDeclaration(
  orgId: string,
  raw: unknown,
  key = "invitations",
): StackDeclaration {
  if (!Array.isArray(raw))
    fail(
      key,
      "must be a list of { username, roles, teamIds?, groupRoleAssignments?, onAccepted?, name? } objects.",
    );
  refuseUnknownKeys(raw, key);
  const seen = new Set<string>();
  const resources = raw.map((entry: unknown, i): DeclaredResource & { named: boolean } => {
    const path = `${key}[${i}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      fail(path, "must be an object { username, roles, teamIds? }.");
    const e = entry as Record<string, unknown>;
    if (typeof e["username"] !== "string" || e["username"] === "")
      fail(`${path}.username`, "must be an email address.");
    const username = e["username"];
    // One person whatever the letter case and Unicode form (NFC, as the provider compares them).
    const person = username.normalize("NFC").toLowerCase();
    if (seen.has(person)) fail(`${path}.username`, `repeats ${username}: list each person once.`);
    seen.add(person);
    const name = e["name"];
    if (name !== undefined && (typeof name !== "string" || !NAME.test(name)))
      fail(`${path}.name`, "must be a Pulumi resource name: a string without spaces.");
    const out: InvitationEntry = { username, roles: stringList(e["roles"], `${path}.roles`) };
    if (e["teamIds"] !== undefined) out.teamIds = stringList(e["teamIds"], `${path}.teamIds`);
    const groups = e["groupRoleAssignments"];
    if (groups !== undefined) {
      if (!Array.isArray(groups))
        fail(`${path}.groupRoleAssignments`, "must be a list of { groupId, roles }.");
      out.groupRoleAssignments = groups.map((g: unknown, j) => {
        const at = `${path}.groupRoleAssignments[${j}]`;
        const entry = (typeof g === "object" && g !== null ? g : {}) as Record<string, unknown>;
        if (typeof entry["groupId"] !== "string") fail(`${at}.groupId`, "must be a project id.");
        return { groupId: entry["groupId"], roles: stringList(entry["roles"], `${at}.roles`) };
      });
    }
    if (e["onAccepted"] !== undefined) {
      if (e["onAccepted"] !== "fail" && e["onAccepted"] !== "retain")
        fail(`${path}.onAccepted`, 'must be "fail" or "retain".');
      out.onAccepted = e["onAccepted"];
    }
    return typeof name === "string"
      ? { name, inputs: out, named: true }
      : { name: resourceName(username), inputs: out, named: false };
  });
  refuseSharedNames(resources, key);
  return {
    orgId,
    invitations: resources.map((r) => r.inputs),
    resources: resources.map(({ name, inputs }) => ({ name, inputs })),
  };
}

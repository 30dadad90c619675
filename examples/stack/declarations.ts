/**
 * Reads the invitations a platform team declares in stack config and checks their shape, naming
 * the config path of anything wrong. The provider's `check` validates the values themselves.
 */
export interface InvitationEntry {
  username: string;
  roles: string[];
  teamIds?: string[];
  groupRoleAssignments?: { groupId: string; roles: string[] }[];
  onAccepted?: "fail" | "retain";
}

export interface StackDeclaration {
  orgId: string;
  invitations: InvitationEntry[];
}

function fail(path: string, problem: string): never {
  throw new Error(`Stack config ${path} ${problem}`);
}

function stringList(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    fail(path, "must be a list of strings.");
  return value as string[];
}

export function parseDeclaration(
  orgId: string,
  raw: unknown,
  key = "invitations",
): StackDeclaration {
  if (!Array.isArray(raw))
    fail(
      key,
      "must be a list of { username, roles, teamIds?, groupRoleAssignments?, onAccepted? } objects.",
    );
  const seen = new Set<string>();
  const invitations = raw.map((entry: unknown, i): InvitationEntry => {
    const path = `${key}[${i}]`;
    if (typeof entry !== "object" || entry === null)
      fail(path, "must be an object { username, roles, teamIds? }.");
    const e = entry as Record<string, unknown>;
    if (typeof e["username"] !== "string" || e["username"] === "")
      fail(`${path}.username`, "must be an email address.");
    const username = e["username"];
    if (seen.has(username.toLowerCase()))
      fail(`${path}.username`, `repeats ${username}: list each person once.`);
    seen.add(username.toLowerCase());
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
    return out;
  });
  return { orgId, invitations };
}

/** A stable Pulumi resource name per person: the identity of an invitation is its username. */
export function resourceName(username: string): string {
  return `invite-${username.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

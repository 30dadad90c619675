/**
 * Reads the invitations a platform team declares in stack config and checks their shape, naming
 * the config path of anything wrong. The provider's `check` validates the values themselves.
 */
export interface InvitationEntry {
  username: string;
  roles: string[];
  teamIds?: string[];
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
  if (!Array.isArray(raw)) fail(key, "must be a list of { username, roles, teamIds? } objects.");
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

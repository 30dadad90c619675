/**
 * The HTTP control API under /__emulator/ (no auth, never logged): the programmatic control API
 * for out-of-process users (demo, Pulumi host tests). JSON in, JSON out; JSON has no RegExp and no
 * Infinity, so faults and counts are decoded and encoded here.
 */
import type { ServerResponse } from "node:http";
import type { FullControl } from "./control";
import type { Core } from "./core";
import { ControlError } from "./errors";
import { badFault } from "./faults";
import { DEFAULT_ORG, DEFAULT_PROJECT, DEFAULT_TEAMS } from "./state";
import type { FaultSpec, KnobSettings, LogFilter } from "./types";

type Json = Record<string, unknown>;
type Handler = (m: string[], body: Json, url: URL) => unknown;

function str(value: unknown, name: string): string {
  if (typeof value !== "string") throw new ControlError(`${name} must be a string`, 400);
  return value;
}

function strings(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new ControlError(`${name} must be an array of strings`, 400);
  }
  return value as string[];
}

/** Optional `roles` and `teamIds` of a member or an invitation, as given. */
function grants(body: Json): { roles?: string[]; teamIds?: string[] } {
  const out: { roles?: string[]; teamIds?: string[] } = {};
  const roles = strings(body["roles"], "roles");
  const teamIds = strings(body["teamIds"], "teamIds");
  if (roles) out.roles = roles;
  if (teamIds) out.teamIds = teamIds;
  return out;
}

/** `null` clears a domain allow list. */
function domainList(value: unknown): string[] | null {
  return value === null ? null : (strings(value, "domains") ?? null);
}

function named(body: Json): { id?: string; name: string } {
  const name = str(body["name"], "name");
  return body["id"] === undefined ? { name } : { id: str(body["id"], "id"), name };
}

/**
 * JSON cannot say Infinity or RegExp: `times: "Infinity"` (or null, what JSON.stringify makes of
 * Infinity) and `match.pathRegex`. Everything else passes as sent: FaultRegistry.add checks it.
 */
function faultFromJson(body: Json): FaultSpec {
  const { match, times, ...spec } = body;
  if (times !== undefined)
    spec["times"] = times === "Infinity" || times === null ? Infinity : times;
  if (match !== undefined) spec["match"] = matchFromJson(match);
  return spec as FaultSpec;
}

function matchFromJson(match: unknown): unknown {
  if (typeof match !== "object" || match === null || !("pathRegex" in match)) return match;
  const { pathRegex, ...rest } = match as Json;
  if (rest["path"] !== undefined) {
    throw badFault("match.pathRegex", pathRegex, "give match.path or match.pathRegex, not both");
  }
  if (typeof pathRegex !== "string") {
    throw badFault("match.pathRegex", pathRegex, "must be a string (a RegExp source)");
  }
  try {
    return { ...rest, path: new RegExp(pathRegex) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw badFault("match.pathRegex", pathRegex, `not a regular expression (${reason})`);
  }
}

/** JSON has no Infinity. */
function countJson(n: number): number | "Infinity" {
  return n === Infinity ? "Infinity" : n;
}

/** Checked by setKnobs; numbers are fine for the status knob: {"missingInvitationAnswer": 400}. */
function knobsFromJson(body: Json): Partial<KnobSettings> {
  const patch = { ...body } as Partial<KnobSettings> & Json;
  if (typeof body["missingInvitationAnswer"] === "number")
    patch.missingInvitationAnswer = String(body["missingInvitationAnswer"]) as "404" | "400";
  return patch;
}

function logFilter(url: URL): LogFilter {
  const filter: LogFilter = {};
  const method = url.searchParams.get("method");
  const operationId = url.searchParams.get("operationId");
  const status = url.searchParams.get("status");
  if (method) filter.method = method;
  if (operationId) filter.operationId = operationId;
  if (status) filter.status = Number(status);
  return filter;
}

function routes(core: Core, control: FullControl): [string, RegExp, Handler][] {
  const ORG = "/__emulator/orgs/([^/]+)";
  return [
    ["POST", /^\/__emulator\/reset$/, () => (control.reset(), { ok: true })],
    [
      "GET",
      /^\/__emulator\/info$/,
      () => ({
        baseUrl: core.baseUrl,
        orgId: DEFAULT_ORG.id,
        teamIds: DEFAULT_TEAMS.map((t) => t.id),
        projectId: DEFAULT_PROJECT.id,
        publicKey: core.options.publicKey,
        clientId: core.options.clientId,
      }),
    ],
    ["GET", /^\/__emulator\/stats$/, () => core.stats()],
    ["GET", /^\/__emulator\/sunset$/, () => control.sunset()],
    [
      "PUT",
      /^\/__emulator\/sunset$/,
      (_m, body) => {
        if (!("date" in body)) throw new ControlError("body must be {date: ISO-8601 | null}", 400);
        const date = body["date"];
        return control.setSunsetDate(date === null ? null : str(date, "date"));
      },
    ],
    ["POST", /^\/__emulator\/sunset\/now$/, () => control.sunsetNow()],
    ["GET", /^\/__emulator\/log$/, (_m, _b, url) => core.log.entries(logFilter(url))],
    ["DELETE", /^\/__emulator\/log$/, () => (core.log.clear(), { ok: true })],
    ["GET", /^\/__emulator\/knobs$/, () => control.knobs()],
    [
      "PUT",
      /^\/__emulator\/knobs$/,
      (_m, body) => {
        const { domainAllowList, ...rest } = body;
        if (domainAllowList !== undefined) {
          const { orgId = DEFAULT_ORG.id, domains = null } = (domainAllowList ?? {}) as {
            orgId?: string;
            domains?: string[] | null;
          };
          control.setDomainAllowList(orgId, domainList(domains));
        }
        return control.setKnobs(knobsFromJson(rest));
      },
    ],
    [
      "GET",
      /^\/__emulator\/faults$/,
      () => control.faults().map((f) => ({ id: f.id, remaining: countJson(f.remaining) })),
    ],
    [
      "POST",
      /^\/__emulator\/faults$/,
      (_m, body) => {
        const handle = core.faults.add(faultFromJson(body));
        return { id: handle.id, remaining: countJson(handle.remaining()) };
      },
    ],
    ["DELETE", /^\/__emulator\/faults$/, () => (control.clearFaults(), { ok: true })],
    [
      "GET",
      /^\/__emulator\/faults\/([^/]+)$/,
      (m) => ({ id: m[0], remaining: countJson(core.faults.remainingOf(m[0] ?? "")) }),
    ],
    [
      "DELETE",
      /^\/__emulator\/faults\/([^/]+)$/,
      (m) => ({ removed: control.removeFault(m[0] ?? "") }),
    ],
    ["POST", /^\/__emulator\/orgs$/, (_m, body) => control.addOrg(named(body))],
    ["POST", new RegExp(`^${ORG}/teams$`), (m, body) => control.addTeam(m[0] ?? "", named(body))],
    [
      "POST",
      new RegExp(`^${ORG}/projects$`),
      (m, body) => control.addProject(m[0] ?? "", named(body)),
    ],
    [
      "POST",
      new RegExp(`^${ORG}/members$`),
      (m, body) =>
        control.addMember(m[0] ?? "", {
          username: str(body["username"], "username"),
          ...grants(body),
        }),
    ],
    ["GET", new RegExp(`^${ORG}/invitations$`), (m) => control.invitations(m[0] ?? "")],
    ["GET", new RegExp(`^${ORG}/users$`), (m) => control.users(m[0] ?? "")],
    [
      "PUT",
      new RegExp(`^${ORG}/domain-allow-list$`),
      (m, body) => {
        control.setDomainAllowList(m[0] ?? "", domainList(body["domains"]));
        return { ok: true };
      },
    ],
    [
      "POST",
      new RegExp(`^${ORG}/invitations/([^/]+)/accept$`),
      (m, body) => {
        const { accountUsername } = body;
        return control.acceptInvitation(
          m[0] ?? "",
          m[1] ?? "",
          accountUsername === undefined
            ? {}
            : { accountUsername: str(accountUsername, "accountUsername") },
        );
      },
    ],
    [
      "POST",
      new RegExp(`^${ORG}/invitations/([^/]+)/expire$`),
      (m) => (control.expireInvitation(m[0] ?? "", m[1] ?? ""), { ok: true }),
    ],
    [
      "POST",
      new RegExp(`^${ORG}/invitations/([^/]+)/lapse$`),
      (m) => control.lapseInvitation(m[0] ?? "", m[1] ?? ""),
    ],
    [
      "POST",
      new RegExp(`^${ORG}/invitations/([^/]+)/reject$`),
      (m) => (control.rejectInvitation(m[0] ?? "", m[1] ?? ""), { ok: true }),
    ],
    [
      "PATCH",
      new RegExp(`^${ORG}/invitations/([^/]+)$`),
      (m, body) => (control.setInvitation(m[0] ?? "", m[1] ?? "", grants(body)), { ok: true }),
    ],
  ];
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

export async function handleControlHttp(
  core: Core,
  control: FullControl,
  method: string,
  url: URL,
  raw: string,
  res: ServerResponse,
): Promise<void> {
  const path = url.pathname;
  for (const [routeMethod, pattern, handler] of routes(core, control)) {
    const m = pattern.exec(path);
    if (!m || routeMethod !== method.toUpperCase()) continue;
    try {
      let body: Json = {};
      if (raw.trim() !== "") {
        const parsed = JSON.parse(raw) as unknown;
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
          throw new ControlError("body must be a JSON object", 400);
        body = parsed as Json;
      }
      const params = m.slice(1).map((p) => decodeURIComponent(p));
      send(res, 200, (await Promise.resolve(handler(params, body, url))) ?? { ok: true });
    } catch (error) {
      const status =
        error instanceof ControlError ? error.status : error instanceof SyntaxError ? 400 : 500;
      const detail = error instanceof Error ? error.message : String(error);
      const field = error instanceof ControlError ? error.field : undefined;
      send(res, status, {
        error: status,
        errorCode: "EMULATOR_CONTROL_ERROR",
        detail,
        ...(field === undefined ? {} : { field }),
      });
    }
    return;
  }
  send(res, 404, {
    error: 404,
    errorCode: "EMULATOR_UNKNOWN_ROUTE",
    detail: `The emulator control API has no route for ${method} ${path}.`,
  });
}

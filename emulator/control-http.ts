/**
 * The HTTP control API under /__emulator/ (no auth, never logged): the programmatic control API
 * for out-of-process users (demo, Pulumi host tests), its routes and its answers. JSON in, JSON
 * out; control-json.ts decodes the bodies (faults, knobs, counts: JSON has no RegExp and no
 * Infinity).
 */
import type { ServerResponse } from "node:http";
import type { FullControl } from "./control";
import type { Json } from "./control-json";
import {
  countJson,
  domainList,
  faultFromJson,
  grants,
  knobsFromJson,
  logFilter,
  named,
  str,
} from "./control-json";
import { ControlError } from "./errors";
import type { FaultRegistry } from "./faults";
import type { RequestLogStore } from "./log";
import { DEFAULT_ORG, DEFAULT_PROJECT, DEFAULT_TEAMS } from "./state";
import type { EmulatorStats } from "./types";

/**
 * What the HTTP form needs besides the control API: what /__emulator/info and /stats report, the
 * request log, and the fault registry (an injected fault answers with its id; a fault's remaining
 * uses are looked up by id).
 */
export interface ControlHttpHost {
  readonly baseUrl: string;
  readonly options: { readonly publicKey: string; readonly clientId: string };
  readonly log: Pick<RequestLogStore, "entries" | "clear">;
  readonly faults: Pick<FaultRegistry, "add" | "remainingOf">;
  stats(): EmulatorStats;
}

type Handler = (m: string[], body: Json, url: URL) => unknown;

function routes(host: ControlHttpHost, control: FullControl): [string, RegExp, Handler][] {
  const ORG = "/__emulator/orgs/([^/]+)";
  return [
    ["POST", /^\/__emulator\/reset$/, () => (control.reset(), { ok: true })],
    [
      "GET",
      /^\/__emulator\/info$/,
      () => ({
        baseUrl: host.baseUrl,
        orgId: DEFAULT_ORG.id,
        teamIds: DEFAULT_TEAMS.map((t) => t.id),
        projectId: DEFAULT_PROJECT.id,
        publicKey: host.options.publicKey,
        clientId: host.options.clientId,
      }),
    ],
    ["GET", /^\/__emulator\/stats$/, () => host.stats()],
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
    ["GET", /^\/__emulator\/log$/, (_m, _b, url) => host.log.entries(logFilter(url))],
    ["DELETE", /^\/__emulator\/log$/, () => (host.log.clear(), { ok: true })],
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
        const handle = host.faults.add(faultFromJson(body));
        return { id: handle.id, remaining: countJson(handle.remaining()) };
      },
    ],
    ["DELETE", /^\/__emulator\/faults$/, () => (control.clearFaults(), { ok: true })],
    [
      "GET",
      /^\/__emulator\/faults\/([^/]+)$/,
      (m) => ({ id: m[0], remaining: countJson(host.faults.remainingOf(m[0] ?? "")) }),
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
  host: ControlHttpHost,
  control: FullControl,
  method: string,
  url: URL,
  raw: string,
  res: ServerResponse,
): Promise<void> {
  const path = url.pathname;
  for (const [routeMethod, pattern, handler] of routes(host, control)) {
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

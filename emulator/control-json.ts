/**
 * The control API's JSON, decoded into its arguments and encoded from its answers. JSON has no
 * RegExp and no Infinity: `match.pathRegex` and `times: "Infinity"` (or null) stand for them.
 * Fault specs and knobs pass as sent otherwise: FaultRegistry.add and setKnobs check them.
 */
import { ControlError } from "./errors";
import { badFault } from "./fault-spec";
import type { FaultSpec, KnobSettings, LogFilter } from "./types";

/** A control request's body: a JSON object. */
export type Json = Record<string, unknown>;

export function str(value: unknown, name: string): string {
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
export function grants(body: Json): { roles?: string[]; teamIds?: string[] } {
  const out: { roles?: string[]; teamIds?: string[] } = {};
  const roles = strings(body["roles"], "roles");
  const teamIds = strings(body["teamIds"], "teamIds");
  if (roles) out.roles = roles;
  if (teamIds) out.teamIds = teamIds;
  return out;
}

/** `null` clears a domain allow list. */
export function domainList(value: unknown): string[] | null {
  return value === null ? null : (strings(value, "domains") ?? null);
}

export function named(body: Json): { id?: string; name: string } {
  const name = str(body["name"], "name");
  return body["id"] === undefined ? { name } : { id: str(body["id"], "id"), name };
}

/**
 * JSON cannot say Infinity or RegExp: `times: "Infinity"` (or null, what JSON.stringify makes of
 * Infinity) and `match.pathRegex`. Everything else passes as sent: FaultRegistry.add checks it.
 */
export function faultFromJson(body: Json): FaultSpec {
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
export function countJson(n: number): number | "Infinity" {
  return n === Infinity ? "Infinity" : n;
}

/** Checked by setKnobs; numbers are fine for the status knob: {"missingInvitationAnswer": 400}. */
export function knobsFromJson(body: Json): Partial<KnobSettings> {
  const patch = { ...body } as Partial<KnobSettings> & Json;
  if (typeof body["missingInvitationAnswer"] === "number")
    patch.missingInvitationAnswer = String(body["missingInvitationAnswer"]) as "404" | "400";
  return patch;
}

export function logFilter(url: URL): LogFilter {
  const filter: LogFilter = {};
  const method = url.searchParams.get("method");
  const operationId = url.searchParams.get("operationId");
  const status = url.searchParams.get("status");
  if (method) filter.method = method;
  if (operationId) filter.operationId = operationId;
  if (status) filter.status = Number(status);
  return filter;
}

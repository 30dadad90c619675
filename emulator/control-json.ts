/** JSON decoding for the HTTP control API: JSON has no RegExp and no Infinity. */
import type { KnobSettings } from "./control";
import { ControlError } from "./errors";
import type { FaultSpec, LogFilter } from "./types";

export type Json = Record<string, unknown>;

export function str(value: unknown, name: string): string {
  if (typeof value !== "string") throw new ControlError(`${name} must be a string`, 400);
  return value;
}

export function strings(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new ControlError(`${name} must be an array of strings`, 400);
  }
  return value as string[];
}

export function named(body: Json): { id?: string; name: string } {
  const name = str(body["name"], "name");
  return body["id"] === undefined ? { name } : { id: str(body["id"], "id"), name };
}

/** JSON cannot say Infinity or RegExp: `times: "Infinity"` (or null) and `match.pathRegex`. */
export function faultFromJson(body: Json): FaultSpec {
  const { match, times, ...rest } = body as { match?: Json; times?: unknown } & Json;
  const spec = { ...rest } as FaultSpec;
  if (times === "Infinity" || times === null) spec.times = Infinity;
  else if (typeof times === "number") spec.times = times;
  if (match) {
    const m: NonNullable<FaultSpec["match"]> = {};
    if (typeof match["method"] === "string") m.method = match["method"];
    if (typeof match["operationId"] === "string") m.operationId = match["operationId"];
    if (typeof match["path"] === "string") m.path = match["path"];
    if (typeof match["pathRegex"] === "string") m.path = new RegExp(match["pathRegex"]);
    spec.match = m;
  }
  return spec;
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

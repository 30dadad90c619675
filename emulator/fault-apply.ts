/**
 * Applies one injected fault around the real operation. Without `commit` the fault answers before
 * anything changes (a pre-commit delay whose client went away never runs the operation); with
 * `commit` (or `malformedBody`, which needs the real status) the operation runs first.
 */
import type { Socket } from "node:net";
import type { Core } from "./core";
import { apiErrorBody } from "./errors";
import type { FaultTarget } from "./faults";
import type { Reply } from "./routes/common";
import type { FaultSpec } from "./types";

export type Outcome = Reply | "reset";

export interface RequestMeta {
  faulted: boolean;
}

const DEFAULT_CODES: Record<number, string> = {
  400: "INVALID_PARAMETER",
  401: "USER_UNAUTHORIZED",
  403: "ACCESS_FORBIDDEN",
  404: "RESOURCE_NOT_FOUND",
  409: "CONFLICT",
  429: "RATE_LIMITED",
  500: "UNEXPECTED_ERROR",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

function faultReply(fault: FaultSpec, status: number): Reply {
  const errorCode = fault.errorCode ?? DEFAULT_CODES[status] ?? "EMULATOR_INJECTED_FAULT";
  const detail = fault.detail ?? `Injected fault: ${status} ${errorCode}.`;
  return { status, body: apiErrorBody(status, errorCode, detail) };
}

export async function withFaults(
  core: Core,
  target: FaultTarget,
  meta: RequestMeta,
  socket: Socket,
  run: () => Reply,
): Promise<Outcome> {
  const fault = core.faults.take(target);
  if (!fault) return run();
  meta.faulted = true;
  let reply = fault.commit || fault.malformedBody ? run() : undefined;
  if (fault.delayMs !== undefined && fault.delayMs > 0) await core.sleep(fault.delayMs);
  if (fault.reset || socket.destroyed) return "reset";
  if (fault.status !== undefined) reply = faultReply(fault, fault.status);
  reply ??= run();
  const headers: Record<string, string | string[]> = { ...reply.headers, ...fault.headers };
  if (fault.retryAfter !== undefined) headers["Retry-After"] = fault.retryAfter;
  return { ...reply, headers, ...(fault.malformedBody ? { malformed: true } : {}) };
}

/** One incoming (non-control) request, read fully, and what the pipeline learns about it. */
import type { IncomingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import { apiErrorBody } from "./errors";
import type { Reply } from "./routes/common";
import type { AuthKind } from "./types";

export interface ApiRequest {
  method: string;
  /** The raw request-target (path and query), as signed by digest clients. */
  target: string;
  url: URL;
  headers: IncomingHttpHeaders;
  raw: string;
  socket: Socket;
}

export interface ApiMeta {
  auth: AuthKind;
  challenged: boolean;
  faulted: boolean;
  operationId: string | undefined;
}

export function header(req: ApiRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Never a silent 200: anything outside the slice is a loud 404 naming what was asked. */
export function unknownRoute(method: string, path: string): Reply {
  return {
    status: 404,
    body: apiErrorBody(
      404,
      "EMULATOR_UNKNOWN_ROUTE",
      `The Atlas emulator has no route for ${method} ${path}: it only serves the org invitations and org users slice.`,
    ),
  };
}

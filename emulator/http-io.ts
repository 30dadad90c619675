/**
 * One incoming (non-control) request on node:http, read fully; what the pipeline learns about it;
 * and the Reply it answers, written back to the socket.
 */
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from "node:http";
import type { Socket } from "node:net";
import { apiErrorBody } from "./errors";
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

export interface Reply {
  status: number;
  headers?: Record<string, string | string[]>;
  /** JSON-serialisable; undefined for an empty body. */
  body?: unknown;
  /** Defaults to application/json. Sent on a 204 too (recording 10). */
  contentType?: string;
  /** The body text exactly as given (the digest 401's Jackson-style JSON), instead of `body`. */
  text?: string;
  /** Send the body truncated, as invalid JSON (malformedBody fault). */
  malformed?: boolean;
}

/** What the pipeline hands back: a reply, or "reset" (a fault destroys the socket). */
export type Outcome = Reply | "reset";

/** Bodies above this are cut off: nothing in the slice comes close. */
const MAX_BODY = 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
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

/** Writes the reply; returns the body text and the headers sent (lower-case names, first value). */
export function writeReply(
  res: ServerResponse,
  reply: Reply,
  pretty: boolean,
): { text: string; headers: Record<string, string> } {
  let text = "";
  if (reply.status !== 204 && reply.status !== 304) {
    if (reply.text !== undefined) text = reply.text;
    else if (reply.body !== undefined)
      text = JSON.stringify(reply.body, null, pretty ? 2 : undefined);
    // malformedBody fault: the real status with JSON cut off halfway.
    if (reply.malformed && text !== "")
      text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  }
  const headers: OutgoingHttpHeaders = { ...reply.headers };
  if (text !== "") {
    headers["Content-Type"] = reply.contentType ?? "application/json";
    headers["Content-Length"] = Buffer.byteLength(text);
  } else if (reply.status === 204) {
    // Atlas's 204 has a Content-Type and no Content-Length (recording 10).
    if (reply.contentType !== undefined) headers["Content-Type"] = reply.contentType;
  } else {
    headers["Content-Length"] = 0;
  }
  res.writeHead(reply.status, headers);
  res.end(text);
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      flat[name.toLowerCase()] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return { text, headers: flat };
}

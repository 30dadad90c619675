/** Reading requests and writing replies on node:http, plus the redacted Exchange record. */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Reply } from "./routes/common";

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

/** First value of each query parameter. */
export function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) if (!(key in out)) out[key] = value;
  return out;
}

export interface Written {
  text: string;
  headers: Record<string, string>;
}

export function writeReply(res: ServerResponse, reply: Reply, pretty: boolean): Written {
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

export function parseMaybeJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Request headers for the Exchange: `authorization` keeps only its scheme (never a secret). */
export function exchangeHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? (value[0] ?? "") : value;
    out[name] =
      name === "authorization" || name === "proxy-authorization"
        ? `${first.split(" ")[0] ?? ""} [REDACTED]`
        : first;
  }
  return out;
}

/** Tokens in OAuth bodies are secrets too. */
export function redactOAuth(path: string, body: unknown): unknown {
  if (!path.startsWith("/api/oauth/")) return body;
  if (typeof body === "string")
    return body.replace(/(^|&)(token|client_secret)=[^&]*/g, "$1$2=[REDACTED]");
  if (body && typeof body === "object" && "access_token" in body)
    return { ...body, access_token: "[REDACTED]" };
  return body;
}

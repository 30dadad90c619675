/**
 * What the emulator records about every non-control request: the request log (in
 * answer-completion order) and the redacted Exchange handed to `onExchange`, which never carries a
 * secret.
 */
import type { IncomingMessage } from "node:http";
import type { LogEntry, LogFilter, RequestLog } from "./types";

export class RequestLogStore implements RequestLog {
  private items: LogEntry[] = [];
  private seq = 0;
  /**
   * Bumped by every reset. A request that started before a reset (say a delayed answer the
   * client already gave up on) must not land in the next test's log: handlers reset between
   * tests, msw-style.
   */
  generation = 0;

  push(entry: Omit<LogEntry, "seq">): void {
    this.seq += 1;
    this.items.push({ seq: this.seq, ...entry });
  }

  entries(filter: LogFilter = {}): LogEntry[] {
    return this.items
      .filter(
        (e) =>
          (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
          (!("operationId" in filter) || e.operationId === filter.operationId) &&
          (filter.status === undefined || e.status === filter.status),
      )
      .map((e) => ({ ...e, query: { ...e.query } }));
  }

  count(filter: LogFilter = {}): number {
    return this.entries(filter).length;
  }

  clear(): void {
    this.items = [];
  }

  /** Back to an empty log numbered from 1 (control reset). */
  restart(): void {
    this.items = [];
    this.seq = 0;
    this.generation += 1;
  }
}

/** First value of each query parameter. */
export function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) if (!(key in out)) out[key] = value;
  return out;
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

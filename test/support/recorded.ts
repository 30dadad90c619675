/**
 * The real Atlas responses vendored in atlas-recorded/ (byte-for-byte copies of the `.http` files
 * of the shared recordings, see its README.md): a typed loader that parses those files, and a
 * node:http server that replays them.
 *
 * The shared `index.json` is deliberately NOT vendored: it still holds people's real names and a
 * phone number that its `.http` files replaced (test/recorded/vendored.test.ts proves the two agree
 * on everything else). Each exchange is read from its `.http` file: the provenance header names the
 * operation and the reconstructed request (only responses were recorded), and the rest is the
 * response as Go's httputil.DumpResponse wrote it (status line, canonical headers, body).
 */
import { readdirSync, readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export const RECORDED_DIR = join(__dirname, "..", "..", "atlas-recorded");

export interface RecordedExchange {
  /** The fixture file in atlas-recorded/, e.g. "01-createOrgInvite-200.http". */
  file: string;
  /** The slice operationId, or a description for the extras ("(not invites/users) 404 shape"). */
  operation: string;
  request: {
    method: string;
    /** Pathname only. */
    path: string;
    /** The raw query string without "?", or null. */
    query: string | null;
    /** The Accept the client most likely sent (from the response Content-Type), or a note. */
    acceptInferred: string;
  };
  response: {
    status: number;
    /** As recorded: canonical case, sorted by name (Go's httputil.DumpResponse). */
    headers: [string, string][];
    /** The body text as recorded ("" for none). */
    body: string;
  };
}

const MARKER = "# ---- recorded response follows verbatim (everything after this line) ----\n";

/** Parses one `.http` fixture; throws naming the file when its shape is not the expected one. */
export function parseRecordedFile(file: string, text: string): RecordedExchange {
  const fail = (what: string): never => {
    throw new Error(`atlas-recorded/${file}: ${what}`);
  };
  const at = text.indexOf(MARKER);
  if (at < 0) fail("no recorded-response marker");
  const provenance = text.slice(0, at);
  const operation =
    /^# OPERATION: (.+)$/m.exec(provenance)?.[1]?.trim() ?? fail("no OPERATION line");
  const line = /^#   ([A-Z]+) (\/\S*)/m.exec(provenance) ?? fail("no reconstructed request line");
  const accept = /^#   Accept \(inferred[^)]*\): (.+)$/m.exec(provenance)?.[1]?.trim() ?? "";
  const target = line[2] ?? "";
  const q = target.indexOf("?");
  const raw = text.slice(at + MARKER.length);
  const split = raw.indexOf("\n\n");
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? "" : raw.slice(split + 2);
  const [statusLine = "", ...headerLines] = head.split("\n");
  const status = Number(/^HTTP\/\S+ (\d{3})/.exec(statusLine)?.[1] ?? fail("no status line"));
  const headers = headerLines
    .filter((h) => h.trim() !== "")
    .map((h): [string, string] => {
      const colon = h.indexOf(":");
      if (colon < 0) fail(`malformed header line ${JSON.stringify(h)}`);
      return [h.slice(0, colon), h.slice(colon + 1).trim()];
    });
  return {
    file,
    operation,
    request: {
      method: line[1] ?? "",
      path: q < 0 ? target : target.slice(0, q),
      query: q < 0 ? null : target.slice(q + 1),
      acceptInferred: accept,
    },
    response: { status, headers, body },
  };
}

let cached: RecordedExchange[] | undefined;

/** Every vendored exchange, in file order. */
export function loadRecorded(): RecordedExchange[] {
  if (cached === undefined) {
    cached = readdirSync(RECORDED_DIR)
      .filter((name) => name.endsWith(".http"))
      .sort()
      .map((name) => parseRecordedFile(name, readFileSync(join(RECORDED_DIR, name), "utf8")));
  }
  return cached.map((e) => structuredClone(e));
}

/** The entry of one fixture file; throws when there is none. */
export function recorded(file: string): RecordedExchange {
  const entry = loadRecorded().find((e) => e.file === file);
  if (entry === undefined) throw new Error(`no recorded exchange ${file} in atlas-recorded/`);
  return entry;
}

/** The first value of a response header, matched case-insensitively; undefined when absent. */
export function header(entry: RecordedExchange, name: string): string | undefined {
  const lower = name.toLowerCase();
  return entry.response.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** The parsed JSON body; undefined for an empty one. Throws on a body that is not JSON. */
export function jsonBody(entry: RecordedExchange): unknown {
  if (entry.response.body === "") return undefined;
  return JSON.parse(entry.response.body) as unknown;
}

export interface ReceivedRequest {
  method: string;
  /** The request-target as received (path and query). */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface ReplayServer {
  /** "http://127.0.0.1:PORT" */
  baseUrl: string;
  /** Every request received, in arrival order (copies). */
  requests(): ReceivedRequest[];
  close(): Promise<void>;
}

/** Query strings match when they hold the same name=value pairs, in any order. */
function sameQuery(recordedQuery: string | null, received: URLSearchParams): boolean {
  const pairs = (q: URLSearchParams): string[] =>
    [...q].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort();
  const want = pairs(new URLSearchParams(recordedQuery ?? ""));
  const got = pairs(received);
  return want.length === got.length && want.every((p, i) => got[i] === p);
}

/**
 * Replays `entries` on 127.0.0.1 (ephemeral port). A request whose method, pathname and query
 * match an entry gets that entry's status, headers and body; the recorded Content-Length is
 * dropped and recomputed from the body bytes (the recordings were anonymised after their lengths
 * were taken), and a body-less answer (204) gets none. The first matching entry wins. Anything
 * else is a loud 404 REPLAY_UNKNOWN_ROUTE naming what was asked, never a silent success.
 */
export async function serveRecorded(entries: readonly RecordedExchange[]): Promise<ReplayServer> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const method = (req.method ?? "GET").toUpperCase();
    const target = req.url ?? "/";
    received.push({ method, url: target, headers: { ...req.headers } });
    req.resume();
    req.on("end", () => {
      const url = new URL(target, "http://127.0.0.1");
      const hit = entries.find(
        (e) =>
          e.request.method.toUpperCase() === method &&
          e.request.path === url.pathname &&
          sameQuery(e.request.query, url.searchParams),
      );
      if (hit === undefined) {
        const text = JSON.stringify({
          error: 404,
          errorCode: "REPLAY_UNKNOWN_ROUTE",
          detail: `No recorded Atlas exchange answers ${method} ${target}.`,
          reason: "Not Found",
          parameters: [method, target],
        });
        res.writeHead(404, {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(text),
        });
        res.end(text);
        return;
      }
      const body = Buffer.from(hit.response.body, "utf8");
      // Raw [name, value] pairs keep the recorded spelling of each header name.
      const headers: string[] = [];
      for (const [name, value] of hit.response.headers) {
        if (name.toLowerCase() === "content-length") continue;
        headers.push(name, value);
      }
      if (body.length > 0) headers.push("Content-Length", String(body.length));
      res.writeHead(hit.response.status, headers);
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests: () => received.map((r) => ({ ...r, headers: { ...r.headers } })),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

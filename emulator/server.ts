/**
 * startEmulator: the node:http (or, with `tls`, node:https) server, the request pipeline's entry,
 * and the RunningEmulator handle. It assembles the emulator: resolved options, one Core, the
 * control API over it.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { dispatchOAuth } from "./auth/oauth";
import { createControl } from "./control";
import { handleControlHttp } from "./control-http";
import { Core } from "./core";
import { dispatchAtlas } from "./dispatch";
import { apiErrorBody } from "./errors";
import type { ApiMeta, ApiRequest, Outcome } from "./http-io";
import { readBody, unknownRoute, writeReply } from "./http-io";
import { exchangeHeaders, firstValues, parseMaybeJson, redactOAuth } from "./log";
import { resolveOptions } from "./options";
import { DEFAULT_ORG, DEFAULT_PROJECT, DEFAULT_TEAMS } from "./state";
import { generateTlsMaterial, writeCaFile } from "./tls";
import type { EmulatorOptions, EmulatorTlsInfo, RunningEmulator } from "./types";

async function route(core: Core, req: ApiRequest, meta: ApiMeta): Promise<Outcome> {
  const path = req.url.pathname;
  if (path.startsWith("/api/atlas/v2/")) return dispatchAtlas(core, req, meta);
  if (path.startsWith("/api/oauth/")) return dispatchOAuth(core, req, meta);
  return unknownRoute(req.method, path);
}

/**
 * Real time for the request log, in ms since the epoch with sub-millisecond precision: never the
 * injectable `now` clock, so that gaps between requests can be measured while tests fake it.
 */
function realTime(): number {
  return performance.timeOrigin + performance.now();
}

async function handleApi(
  core: Core,
  incoming: IncomingMessage,
  res: ServerResponse,
  raw: string,
  url: URL,
  receivedAt: number,
): Promise<void> {
  const req: ApiRequest = {
    method: (incoming.method ?? "GET").toUpperCase(),
    target: incoming.url ?? "/",
    url,
    headers: incoming.headers,
    raw,
    socket: incoming.socket,
  };
  const meta: ApiMeta = { auth: "none", challenged: false, faulted: false, operationId: undefined };
  const generation = core.log.generation;
  let outcome: Outcome;
  try {
    outcome = await route(core, req, meta);
  } catch (error) {
    console.error(
      "atlas emulator: unexpected error",
      error instanceof Error ? error.message : error,
    );
    outcome = {
      status: 500,
      body: apiErrorBody(500, "UNEXPECTED_ERROR", "Unexpected error in the Atlas emulator."),
    };
  }
  let status = 0;
  let written = { text: "", headers: {} as Record<string, string> };
  if (outcome === "reset" || res.destroyed) {
    incoming.socket.destroy();
  } else {
    written = writeReply(res, outcome, url.searchParams.get("pretty") === "true");
    status = outcome.status;
  }
  const answeredAt = realTime();
  // Started before a control reset: it belongs to the previous test, not to this log.
  if (generation !== core.log.generation) return;
  const query = firstValues(url.searchParams);
  core.log.push({
    method: req.method,
    path: url.pathname,
    query,
    status,
    ...meta,
    receivedAt,
    answeredAt,
  });
  core.options.onExchange?.({
    method: req.method,
    path: url.pathname,
    query,
    requestHeaders: exchangeHeaders(incoming),
    requestBody: redactOAuth(url.pathname, raw === "" ? undefined : (parseMaybeJson(raw) ?? raw)),
    status,
    responseHeaders: written.headers,
    responseBody: redactOAuth(url.pathname, parseMaybeJson(written.text)),
    operationId: meta.operationId,
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const core = new Core(resolveOptions(options));
  const control = createControl(core);
  const listener: RequestListener = (incoming, res) => {
    const receivedAt = realTime();
    void (async () => {
      const raw = await readBody(incoming);
      const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
      if (url.pathname === "/__emulator" || url.pathname.startsWith("/__emulator/")) {
        await handleControlHttp(core, control, incoming.method ?? "GET", url, raw, res);
      } else {
        await handleApi(core, incoming, res, raw, url, receivedAt);
      }
    })().catch((error: unknown) => {
      console.error(
        "atlas emulator: request failed",
        error instanceof Error ? error.message : error,
      );
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  if (options.tls !== true && (options.tlsHostnames ?? options.tlsCertificate) !== undefined) {
    throw new TypeError("tlsHostnames and tlsCertificate need tls: true");
  }
  let tls: (EmulatorTlsInfo & { remove: () => Promise<void> }) | undefined;
  let server: ReturnType<typeof createServer> | ReturnType<typeof createHttpsServer>;
  if (options.tls === true) {
    const material = await generateTlsMaterial({
      hostnames: options.tlsHostnames,
      kind: options.tlsCertificate,
    });
    // Only the leaf is sent, as real servers do: the client must already trust the CA.
    server = createHttpsServer({ key: material.keyPem, cert: material.certPem }, listener);
    tls = { ...(await writeCaFile(material.caPem)), caPem: material.caPem };
  } else {
    server = createServer(listener);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(core.options.port, "127.0.0.1", () => resolve());
    });
  } catch (error) {
    await tls?.remove();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  core.baseUrl = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;
  return {
    baseUrl: core.baseUrl,
    ...(tls ? { tls: { caFile: tls.caFile, caPem: tls.caPem } } : {}),
    credentials: {
      publicKey: core.options.publicKey,
      privateKey: core.options.privateKey,
      clientId: core.options.clientId,
      clientSecret: core.options.clientSecret,
    },
    orgId: DEFAULT_ORG.id,
    teamIds: DEFAULT_TEAMS.map((t) => t.id),
    projectId: DEFAULT_PROJECT.id,
    log: core.log,
    stats: () => core.stats(),
    control,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        core.wakeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => tls?.remove());
      return closed;
    },
  };
}

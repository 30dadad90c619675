/** Shared set-up for client tests against the emulator or small local servers. */
import { resetProcessState } from "../../provider/process-state";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../../provider/atlas/budget";
import { createAtlasClient } from "../../provider/atlas/client";
import type { AtlasClientOptions } from "../../provider/atlas/client";
import { Secret } from "../../provider/atlas/secret";
import type { AtlasSettings } from "../../provider/atlas/settings";
import type { TestEmulator } from "../support/emulator";

export type Kind = "digest" | "serviceAccount";
export const KINDS: Kind[] = ["digest", "serviceAccount"];

export function settingsFor(
  emu: TestEmulator,
  kind: Kind,
  secrets: { privateKey?: string; clientSecret?: string } = {},
): AtlasSettings {
  const c = emu.credentials;
  return {
    baseUrl: emu.baseUrl,
    credentials:
      kind === "digest"
        ? {
            kind,
            publicKey: c.publicKey,
            privateKey: new Secret(secrets.privateKey ?? c.privateKey),
          }
        : {
            kind,
            clientId: c.clientId,
            clientSecret: new Secret(secrets.clientSecret ?? c.clientSecret),
          },
  };
}

/** A clock whose `sleep` records the wait and moves `now` forward by it, without waiting. */
export interface FakeClock extends Clock {
  /** Every wait asked for, in milliseconds, in order. */
  readonly waits: number[];
  /** Moves the time forward without a wait being asked for (time spent elsewhere). */
  advance(ms: number): void;
  /** Fake milliseconds since the clock was made. */
  elapsed(): number;
}

export const FAKE_START = Date.parse("2026-03-01T00:00:00Z");

export function fakeClock(start: number = FAKE_START, random: () => number = () => 0.5): FakeClock {
  let time = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => time,
    sleep: async (ms: number) => {
      waits.push(ms);
      time += Math.max(0, ms);
    },
    random,
    advance: (ms: number) => void (time += ms),
    elapsed: () => time - start,
  };
}

/**
 * A fake clock and a recording logger: retry tests assert the waits asked for, in milliseconds
 * of fake time, and what was logged, without waiting for real.
 */
export function fastOptions(
  extra: AtlasClientOptions = {},
): AtlasClientOptions & { clock: FakeClock; waits: number[]; logs: string[] } {
  const clock = fakeClock();
  const logs: string[] = [];
  return {
    logger: {
      debug: (m: string) => void logs.push(m),
      info: (m: string) => void logs.push(m),
      warn: (m: string) => void logs.push(m),
    },
    ...extra,
    clock,
    waits: clock.waits,
    logs,
  };
}

export function clientFor(emu: TestEmulator, kind: Kind, options: AtlasClientOptions = {}) {
  return createAtlasClient(settingsFor(emu, kind), options);
}

/**
 * Each test starts with no cached challenge or token and no learnt rate limits, so request
 * counts and waits are its own.
 */
export function freshSessions(): void {
  beforeEach(() => {
    resetProcessState();
  });
}

/** Requests the emulator served, as "METHOD path status auth". */
export function wire(emu: TestEmulator): string[] {
  return emu.log.entries().map((e) => `${e.method} ${e.path} ${e.status} ${e.auth}`);
}

/** The rejection of `promise`; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
}

/** One request a local server received. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Handler = (req: Seen, res: ServerResponse) => void;

export interface LocalServer {
  /** "http://127.0.0.1:PORT" */
  baseUrl: string;
  /** Every request received, in order. */
  seen: Seen[];
  close(): void;
}

/**
 * Small node:http servers on 127.0.0.1, port 0, for what the emulator cannot show; every server
 * started in a test is closed after it.
 */
export function useLocalServers(): (handler: Handler) => Promise<LocalServer> {
  const open: LocalServer[] = [];
  afterEach(() => {
    open.splice(0).forEach((s) => s.close());
  });
  return async (handler) => {
    const seen: Seen[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
        seen.push(entry);
        handler(entry, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const local: LocalServer = {
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      seen,
      close: () => {
        server.close();
        server.closeAllConnections();
      },
    };
    open.push(local);
    return local;
  };
}

/** Answers JSON (or an empty body for `undefined`) with extra headers. */
export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

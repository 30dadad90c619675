/**
 * Test helpers for the emulator tests: an independent RFC 7616 digest signer and a tiny HTTP
 * client on Node's fetch. Deliberately no provider/ code: these tests check the emulator's side of
 * the wire on their own.
 */
import { createHash, randomBytes } from "node:crypto";
import { connectControl, startEmulator } from "../../emulator";
import type { ControlClient, RunningEmulator } from "../../emulator";

export const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
export const TEAM_A = "64b7f1e2a3c4d5e6f7a8b9d1";
export const TEAM_B = "64b7f1e2a3c4d5e6f7a8b9d2";
export const PROJECT = "64b7f1e2a3c4d5e6f7a8b9e1";
export const UNKNOWN_ID = "0123456789abcdef01234567";
export const V2023 = "application/vnd.atlas.2023-01-01+json";
export const V2025 = "application/vnd.atlas.2025-02-19+json";
export const INVITES = `/api/atlas/v2/orgs/${ORG}/invites`;
export const USERS = `/api/atlas/v2/orgs/${ORG}/users`;

interface Challenge {
  realm: string;
  nonce: string;
  algorithm: string;
  qop: string;
  opaque?: string;
  stale: boolean;
}

/** fetch joins repeated WWW-Authenticate headers with ", ": split before each "Digest ". */
export function parseChallenges(header: string | null): Challenge[] {
  if (!header) return [];
  return header
    .split(/,\s*(?=Digest\s)/i)
    .filter((part) => /^Digest\s/i.test(part.trim()))
    .map((part) => {
      const params: Record<string, string> = {};
      for (const m of part.matchAll(/([a-zA-Z]+)=(?:"([^"]*)"|([^,\s]*))/g)) {
        if (m[1]) params[m[1].toLowerCase()] = m[2] ?? m[3] ?? "";
      }
      const challenge: Challenge = {
        realm: params["realm"] ?? "",
        nonce: params["nonce"] ?? "",
        algorithm: params["algorithm"] ?? "MD5",
        qop: params["qop"] ?? "",
        stale: params["stale"] === "true",
      };
      if (params["opaque"] !== undefined) challenge.opaque = params["opaque"];
      return challenge;
    });
}

function h(algorithm: string, data: string): string {
  return createHash(algorithm === "SHA-256" ? "sha256" : "md5")
    .update(data)
    .digest("hex");
}

export function signDigest(input: {
  challenge: Challenge;
  method: string;
  uri: string;
  username: string;
  password: string;
  nc: number;
  cnonce?: string;
}): string {
  const { challenge: c, method, uri, username, password } = input;
  const nc = input.nc.toString(16).padStart(8, "0");
  const cnonce = input.cnonce ?? randomBytes(8).toString("hex");
  const ha1 = h(c.algorithm, `${username}:${c.realm}:${password}`);
  const ha2 = h(c.algorithm, `${method}:${uri}`);
  const response = h(c.algorithm, `${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  const opaque = c.opaque === undefined ? "" : `, opaque="${c.opaque}"`;
  return `Digest username="${username}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", algorithm=${c.algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"${opaque}`;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export async function raw(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = body;
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

interface CallOptions {
  accept?: string;
  body?: unknown;
  contentType?: string;
  /** Raw body text (overrides `body`). */
  rawBody?: string;
}

/**
 * Digest client that, like a good client, reuses the last challenge with an increasing nonce count
 * and only re-challenges on 401.
 */
export class DigestClient {
  private challenge: Challenge | undefined;
  private nc = 0;

  constructor(
    readonly baseUrl: string,
    private readonly username: string,
    private readonly password: string,
    private readonly preferred = "MD5",
  ) {}

  async call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { Accept: options.accept ?? V2023 };
    let body: string | undefined;
    if (options.rawBody !== undefined || options.body !== undefined) {
      body = options.rawBody ?? JSON.stringify(options.body);
      headers["Content-Type"] = options.contentType ?? headers["Accept"] ?? V2023;
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      const signed = { ...headers };
      if (this.challenge) {
        this.nc += 1;
        signed["Authorization"] = signDigest({
          challenge: this.challenge,
          method,
          uri: path,
          username: this.username,
          password: this.password,
          nc: this.nc,
        });
      }
      const answer = await raw(this.baseUrl, method, path, signed, body);
      if (answer.status !== 401) return answer;
      const offered = parseChallenges(answer.headers.get("www-authenticate"));
      const next = offered.find((c) => c.algorithm === this.preferred) ?? offered[0];
      if (!next || attempt === 1) return answer;
      this.challenge = next;
      this.nc = 0;
    }
    throw new Error("unreachable");
  }
}

export class BearerClient {
  constructor(
    readonly baseUrl: string,
    public token: string,
  ) {}

  call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = {
      Accept: options.accept ?? V2023,
      Authorization: `Bearer ${this.token}`,
    };
    let body: string | undefined;
    if (options.rawBody !== undefined || options.body !== undefined) {
      body = options.rawBody ?? JSON.stringify(options.body);
      headers["Content-Type"] = options.contentType ?? headers["Accept"] ?? V2023;
    }
    return raw(this.baseUrl, method, path, headers, body);
  }
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
}

export async function fetchToken(baseUrl: string, id: string, secret: string): Promise<Answer> {
  return raw(
    baseUrl,
    "POST",
    "/api/oauth/token",
    {
      Authorization: basic(id, secret),
      "Content-Type": "application/x-www-form-urlencoded",
      Accept: "application/json",
    },
    "grant_type=client_credentials",
  );
}

/** Narrow an unknown JSON body for assertions. */
export function obj(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null)
    throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

export function list(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new Error(`expected an array, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>[];
}

export function invite(
  username: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { username, roles: ["ORG_MEMBER"], ...extra };
}

/**
 * One emulator for a test file, on a clock the tests set (`now`, in ms since the epoch, back at
 * `start` before each test, with the emulator's state reset), with a Digest client and the
 * control client over HTTP.
 */
export interface ClockedEmulator {
  readonly emu: RunningEmulator;
  readonly api: DigestClient;
  readonly remote: ControlClient;
  now: number;
}

export function useClockedEmulator(start: number): ClockedEmulator {
  let running: { emu: RunningEmulator; api: DigestClient; remote: ControlClient } | undefined;
  const started = () => {
    if (!running) throw new Error("useClockedEmulator: use the fixture inside a test");
    return running;
  };
  const fixture: ClockedEmulator = {
    now: start,
    get emu() {
      return started().emu;
    },
    get api() {
      return started().api;
    },
    get remote() {
      return started().remote;
    },
  };
  beforeAll(async () => {
    const emu = await startEmulator({ now: () => fixture.now });
    running = {
      emu,
      api: new DigestClient(emu.baseUrl, emu.credentials.publicKey, emu.credentials.privateKey),
      remote: connectControl(emu.baseUrl),
    };
  });
  afterAll(() => running?.emu.close());
  beforeEach(() => {
    fixture.now = start;
    started().emu.control.reset();
  });
  return fixture;
}

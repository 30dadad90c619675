/**
 * Section 10: the window of a guarded write on the org users API. removeOrgUser removes PENDING
 * and ACTIVE users alike, so every DELETE of a pending user is preceded by a read of its status by
 * id (provider/atlas/users.ts, pendingGuard). A person who accepts after Atlas answered that read
 * and before Atlas acts on the DELETE would lose their membership. This section runs many
 * guarded removals at once, as a `pulumi destroy` of many invitations does, and measures that
 * window under Atlas's bucket and a tight one.
 *
 * The emulator runs in a process of its own, as Atlas is elsewhere: its CPU is not the
 * provider's, and every timestamp on its side is its request log's (`answeredAt`, `receivedAt`).
 * The provider runs in this process, built the way runtime.ts builds it. The client side is
 * observed from outside the product: `net.Socket.prototype.write` is wrapped to stamp the moment
 * the DELETE's bytes are handed to the socket, and each new client socket (the
 * `net.client.socket` diagnostics channel) gets a `data` listener that stamps the moment the
 * guard's answer is read. Neither changes what the product does, and both are removed after.
 *
 * Three spans per DELETE, from the status read that guarded it:
 * - at Atlas: the read answered (emulator) to the DELETE received (emulator): the whole window;
 * - unread: the read answered (emulator) to its answer read by the provider: time the answer
 *   waits in this process's socket buffer while the process works on other requests (the two
 *   processes' clocks are both `performance.timeOrigin + performance.now()`);
 * - provider: the answer read to the DELETE written to the socket: what the provider itself adds.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { once } from "node:events";
import { Socket } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { connectControl } from "../emulator/control-client";
import type { LogEntry } from "../emulator";
import type { Outs } from "./setup";
import { runtimeProviderWith } from "./setup";

export interface RaceScenario {
  label: string;
  bucket: { capacity: number; refillPerSecond: number };
  n: number;
  /** Removals in flight at once: 8 is the CLI's default `--parallel`, `n` is all at once. */
  concurrency: number;
}

export interface Spread {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface RaceFigure extends RaceScenario {
  wallMs: number;
  deletes: number;
  status429: number;
  /** Atlas's read answered to Atlas's DELETE received: the window a person could accept in. */
  atAtlas: Spread;
  /** Atlas's read answered to the provider reading that answer. */
  unread: Spread;
  /** The provider reading the answer to the DELETE handed to the socket. */
  provider: Spread;
  /** DELETEs sent on the connection that carried their status read. */
  sameConnection: number;
  /** DELETEs that had to wait for a new connection. */
  newConnection: number;
}

/** Atlas's documented bucket for invites and org users. */
const ATLAS_BUCKET = { capacity: 500, refillPerSecond: 250 / 60 };
/** The bucket of bench section 3: tight enough that pacing waits between most requests. */
const TIGHT_BUCKET = { capacity: 20, refillPerSecond: 20 };

export const RACE_SCENARIOS: readonly RaceScenario[] = [
  // 240 removals are 480 requests: inside Atlas's bucket, so nothing waits for tokens.
  { label: "Atlas's bucket", bucket: ATLAS_BUCKET, n: 240, concurrency: 8 },
  { label: "Atlas's bucket", bucket: ATLAS_BUCKET, n: 240, concurrency: 240 },
  // Section 4's profile: the bucket runs dry after 250 removals and pacing takes over.
  {
    label: "Atlas's bucket x20",
    bucket: { capacity: 500, refillPerSecond: (250 / 60) * 20 },
    n: 1_000,
    concurrency: 1_000,
  },
  { label: "tight", bucket: TIGHT_BUCKET, n: 100, concurrency: 8 },
  { label: "tight", bucket: TIGHT_BUCKET, n: 100, concurrency: 100 },
];

const ROOT = join(__dirname, "..");
const PUBLIC_KEY = "race-window-public-key";
const PRIVATE_KEY = "race-window-private-key";
const USER_PATH = /^\/api\/atlas\/v2\/orgs\/[0-9a-f]{24}\/users\/[0-9a-f]{24}$/;

const now = (): number => performance.timeOrigin + performance.now();

/** Nearest-rank percentile. */
export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { count: sorted.length, p50: rank(0.5), p99: rank(0.99), max: rank(1) };
}

interface ClientStamp {
  /** When the provider read the answer of the status read right before (its last chunk). */
  answerReadAt: number | undefined;
  /** When the DELETE was handed to its socket (for a socket still connecting: when it connected). */
  writtenAt: number;
  connection: "same" | "reused" | "new";
}

/**
 * Stamps, from outside the product, when each guard's answer is read and each DELETE is written,
 * on every client socket opened from now on. `clear` forgets the stamps; `stop` restores
 * `Socket.prototype.write` and leaves the diagnostics channel.
 */
function observeClient(): {
  stamps: Map<string, ClientStamp[]>;
  clear: () => void;
  stop: () => void;
} {
  const answered = new Map<string, { at: number; socket: Socket }>();
  const stamps = new Map<string, ClientStamp[]>();
  const watched = new WeakSet<Socket>();
  const used = new WeakSet<Socket>();
  const onSocket = (message: unknown): void => {
    const socket = (message as { socket: Socket }).socket;
    watched.add(socket);
    socket.prependListener("data", () => {
      const request = (socket as Socket & { _httpMessage?: { method?: string; path?: string } })
        ._httpMessage;
      if (request?.method === "GET" && USER_PATH.test(request.path ?? "")) {
        answered.set(request.path as string, { at: now(), socket });
      }
    });
  };
  const write = Socket.prototype.write;
  const wrapped = function (this: Socket, ...args: unknown[]): boolean {
    const [chunk] = args;
    const head =
      typeof chunk === "string"
        ? chunk.slice(0, 200)
        : Buffer.isBuffer(chunk)
          ? chunk.subarray(0, 200).toString("latin1")
          : "";
    const line = watched.has(this) ? /^DELETE (\S+) HTTP\/1\.1/.exec(head) : null;
    if (line) {
      const path = line[1] as string;
      // Each answer serves one DELETE: a retry's DELETE follows a status read of its own.
      const guard = answered.get(path);
      answered.delete(path);
      const connection = guard?.socket === this ? "same" : used.has(this) ? "reused" : "new";
      const list = stamps.get(path) ?? [];
      stamps.set(path, list);
      const stamp = (writtenAt: number): void =>
        void list.push({ answerReadAt: guard?.at, writtenAt, connection });
      if (this.connecting) this.once("connect", () => stamp(now()));
      else stamp(now());
    }
    if (/^[A-Z]+ \//.test(head)) used.add(this);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  };
  Socket.prototype.write = wrapped as typeof Socket.prototype.write;
  subscribe("net.client.socket", onSocket);
  return {
    stamps,
    clear: () => {
      answered.clear();
      stamps.clear();
    },
    stop: () => {
      Socket.prototype.write = write;
      unsubscribe("net.client.socket", onSocket);
    },
  };
}

/** The emulator in a process of its own; resolves once it printed its base URL. */
async function startEmulatorProcess(): Promise<{ baseUrl: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "emulator", "main.ts"),
      "--port",
      "0",
      "--public-key",
      PUBLIC_KEY,
      "--private-key",
      PRIVATE_KEY,
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  // A bench that ends any other way (an error, Ctrl-C) takes the emulator with it.
  const orphan = (): void => void child.kill("SIGTERM");
  process.once("exit", orphan);
  const stop = async (): Promise<void> => {
    process.removeListener("exit", orphan);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  };
  try {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const [baseUrl] = (await once(lines, "line")) as [string];
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl))
      throw new Error(`the emulator printed ${baseUrl}`);
    return { baseUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function envOf(baseUrl: string): Record<string, string> {
  return {
    MONGODB_ATLAS_BASE_URL: baseUrl,
    MONGODB_ATLAS_PUBLIC_KEY: PUBLIC_KEY,
    MONGODB_ATLAS_PRIVATE_KEY: PRIVATE_KEY,
  };
}

/** Pairs every DELETE the emulator received with the last status read of that user before it. */
function atlasSide(
  entries: readonly LogEntry[],
): { path: string; read: LogEntry; del: LogEntry }[] {
  const lastRead = new Map<string, LogEntry>();
  const pairs: { path: string; read: LogEntry; del: LogEntry }[] = [];
  for (const e of [...entries].sort((a, b) => a.receivedAt - b.receivedAt)) {
    if (e.operationId === "getOrgUser" && e.status === 200) lastRead.set(e.path, e);
    if (e.operationId === "removeOrgUser") {
      const read = lastRead.get(e.path);
      if (read) pairs.push({ path: e.path, read, del: e });
      lastRead.delete(e.path);
    }
  }
  return pairs;
}

async function runScenario(
  baseUrl: string,
  client: ReturnType<typeof observeClient>,
  scenario: RaceScenario,
): Promise<RaceFigure> {
  const control = connectControl(baseUrl);
  await control.reset();
  const { orgId } = await control.info();
  await control.setKnobs({ tokenBucket: null });
  const creator = await runtimeProviderWith(envOf(baseUrl), "users");
  const made: { id: string; outs: Outs }[] = [];
  for (let i = 0; i < scenario.n; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, scenario.n - i) }, (_, k) =>
        creator.create({
          orgId,
          username: `race${i + k}@example.com`,
          roles: ["ORG_MEMBER"],
          onAccepted: "retain",
        }),
      ),
    );
    for (const r of batch) made.push({ id: r.id, outs: r.outs as Outs });
  }
  // A full bucket, as a later `pulumi destroy` finds it, and a process that starts cold.
  await control.setKnobs({ tokenBucket: scenario.bucket });
  const provider = await runtimeProviderWith(envOf(baseUrl), "users");
  await control.clearLog();
  client.clear();
  const start = now();
  let next = 0;
  await Promise.all(
    Array.from({ length: scenario.concurrency }, async () => {
      for (let r = made[next++]; r !== undefined; r = made[next++]) {
        await provider.delete(r.id, r.outs);
      }
    }),
  );
  const wallMs = now() - start;
  const entries = await control.log();
  const pairs = atlasSide(entries);
  const atAtlas: number[] = [];
  const unread: number[] = [];
  const own: number[] = [];
  let sameConnection = 0;
  let newConnection = 0;
  const taken = new Map<string, number>();
  for (const { path, read, del } of pairs) {
    atAtlas.push(del.receivedAt - read.answeredAt);
    // The n-th DELETE of a path at Atlas is the n-th the provider wrote.
    const index = taken.get(path) ?? 0;
    taken.set(path, index + 1);
    const stamp = client.stamps.get(path)?.[index];
    if (stamp?.answerReadAt === undefined) continue;
    unread.push(stamp.answerReadAt - read.answeredAt);
    own.push(stamp.writtenAt - stamp.answerReadAt);
    if (stamp.connection === "same") sameConnection++;
    if (stamp.connection === "new") newConnection++;
  }
  return {
    ...scenario,
    wallMs,
    deletes: entries.filter((e) => e.operationId === "removeOrgUser").length,
    status429: entries.filter((e) => e.status === 429).length,
    atAtlas: spread(atAtlas),
    unread: spread(unread),
    provider: spread(own),
    sameConnection,
    newConnection,
  };
}

export async function measureRaceWindow(
  progress: (what: string) => void = () => undefined,
  scenarios: readonly RaceScenario[] = RACE_SCENARIOS,
): Promise<RaceFigure[]> {
  // Watching from before the first connection to this emulator: every socket to it is watched.
  const client = observeClient();
  const emulator = await startEmulatorProcess();
  try {
    const figures: RaceFigure[] = [];
    for (const s of scenarios) {
      progress(`race window: ${s.n} guarded removals, ${s.concurrency} at once, ${s.label}`);
      figures.push(await runScenario(emulator.baseUrl, client, s));
    }
    return figures;
  } finally {
    client.stop();
    await emulator.stop();
  }
}

/**
 * One budget per provider operation (`atlasInvitations:deadlineMs`), in real time: every call,
 * retry and wait of an operation draws on it, an operation ends within it plus one attempt
 * timeout, and it fails with an error that names the budget and the key that raises it. A POST
 * that may have landed is looked up before anything else, and a short outage is waited out.
 */
import { createAtlasClient } from "../../provider/atlas/client";
import { isAtlasDeadlineError, isAtlasTimeoutError } from "../../provider/errors";
import type { OrgInvitationOutputs } from "../../provider/model";
import { OrgInvitationProvider } from "../../provider/provider";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { ALICE, calls, configRequest, envFor, freshProcessState } from "../provider/helpers";
import { leakedSentinels, renderings, SENTINEL_EMULATOR } from "./support";

const emulator = useEmulator(SENTINEL_EMULATOR);
freshProcessState();

/** A provider exactly as the runtime builds one, with the budget keys set in Pulumi config. */
async function provider(emu: TestEmulator, config: Record<string, string>, lines: string[] = []) {
  const p = new OrgInvitationProvider({
    env: envFor(emu),
    createClient: (settings, retry) =>
      createAtlasClient(settings, { retry, logger: { info: (m) => void lines.push(m) } }),
    logger: { info: (m) => void lines.push(m), warn: (m) => void lines.push(m) },
  });
  await p.configure(configRequest(config));
  return p;
}

const TIGHT = {
  "atlasInvitations:deadlineMs": "1500",
  "atlasInvitations:requestTimeoutMs": "300",
  "atlasInvitations:maxRetries": "100",
};
/** Slack for a loaded 2-core machine on top of the promised bound. */
const SLACK_MS = 400;

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: performance.now() - started, error };
}

async function pending(emu: TestEmulator) {
  const p = await provider(emu, {});
  const { id, outs } = await p.create({ orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] });
  emu.log.clear();
  return { id, outs: outs as OrgInvitationOutputs };
}

describe("the operation budget", () => {
  it("ends a refresh against a permanent 503 within the budget plus one attempt timeout, naming the budget and, at the provider's edge, its config key", async () => {
    const emu = emulator();
    const { id, outs } = await pending(emu);
    emu.control.injectFault({
      match: { operationId: "getOrgInvite" },
      status: 503,
      times: Infinity,
    });
    const p = await provider(emu, TIGHT);
    const { ms, error } = await timed(() => p.read(id, outs));
    expect(isAtlasDeadlineError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /within the operation's budget of 1\.5 s \(deadlineMs\)/,
    );
    expect((error as Error).message).toMatch(
      /pulumi config set atlasInvitations:deadlineMs <milliseconds>/,
    );
    expect(ms).toBeLessThanOrEqual(1_500 + 300 + SLACK_MS);
    expect(emu.log.count({ operationId: "getOrgInvite", status: 503 })).toBeGreaterThan(1);
  });

  it("ends a refresh against a server that never answers within the budget plus one attempt timeout", async () => {
    const emu = emulator();
    const { id, outs } = await pending(emu);
    emu.control.injectFault({
      match: { operationId: "getOrgInvite" },
      delayMs: 10_000,
      times: Infinity,
    });
    const p = await provider(emu, TIGHT);
    const { ms, error } = await timed(() => p.read(id, outs));
    expect(isAtlasDeadlineError(error)).toBe(true);
    expect(ms).toBeLessThanOrEqual(1_500 + 300 + SLACK_MS);
    // At least two 300 ms attempts ran; the loop may stop before the budget is spent when the
    // next jittered backoff would not fit in what is left (request-loop.ts), so no tighter bound.
    expect(ms).toBeGreaterThanOrEqual(600);
  });

  it("keeps a deadline shorter than the request timeout: each attempt waits only what is left of it", async () => {
    const emu = emulator();
    const { id, outs } = await pending(emu);
    emu.control.injectFault({
      match: { operationId: "getOrgInvite" },
      delayMs: 10_000,
      times: Infinity,
    });
    const p = await provider(emu, { "atlasInvitations:deadlineMs": "800" });
    const { ms, error } = await timed(() => p.read(id, outs));
    expect(isAtlasDeadlineError(error) || isAtlasTimeoutError(error)).toBe(true);
    // The default request timeout is 30 s; the operation still ends at its 0.8 s deadline.
    expect(ms).toBeLessThanOrEqual(800 + SLACK_MS);
    expect(ms).toBeGreaterThanOrEqual(700);
  });

  it("bounds a whole create, look-ups and POST included, by one budget", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 503,
      times: Infinity,
    });
    const p = await provider(emu, TIGHT);
    const { ms, error } = await timed(() =>
      p.create({ orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] }),
    );
    expect(isAtlasDeadlineError(error)).toBe(true);
    expect(ms).toBeLessThanOrEqual(1_500 + 300 + SLACK_MS);
    // Every POST after the first was sent only once a look-up proved the one before it missing.
    const made = calls(emu).filter((c) => c !== "listOrgUsers");
    const posts = made.filter((c) => c.startsWith("createOrgInvite")).length;
    expect(made.filter((c) => c === "listOrgInvites").length).toBeGreaterThanOrEqual(posts);
    expect(emu.control.invitations(emu.orgId)).toEqual([]);
  });

  it("finds the invitation a POST created before its answer was lost, with no second POST", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      commit: true,
      delayMs: 5_000,
    });
    const p = await provider(emu, TIGHT);
    const created = await p.create({ orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] });
    expect(emu.control.invitations(emu.orgId).map((i) => i.id)).toEqual([created.id]);
    expect(emu.log.entries().filter((e) => e.operationId === "createOrgInvite")).toHaveLength(0);
  });

  it("leaves nothing half-made when the look-up after a lost POST fails too: the next up adopts it", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      commit: true,
      delayMs: 5_000,
      times: Infinity,
    });
    const lines: string[] = [];
    const p = await provider(emu, TIGHT, lines);
    const attempt = p.create({ orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] });
    for (let i = 0; i < 100 && emu.control.invitations(emu.orgId).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // The POST landed; from now on every look-up fails.
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      status: 503,
      times: Infinity,
    });
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    expect(leakedSentinels([...lines, ...renderings(error)])).toEqual([]);
    emu.control.clearFaults();
    emu.log.clear();
    const next = await provider(emu, {});
    const adopted = await next.create({ orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] });
    expect(calls(emu).filter((c) => c.startsWith("createOrgInvite"))).toEqual([]);
    expect(emu.control.invitations(emu.orgId).map((i) => i.id)).toEqual([adopted.id]);
  });

  it("waits out a 2-second run of 503s on the creating POST, backing off between attempts", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 503,
      times: Infinity,
    });
    const outage = setTimeout(() => emu.control.clearFaults(), 2_000);
    const lines: string[] = [];
    const p = await provider(emu, {}, lines);
    const started = performance.now();
    try {
      await p.create({ orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] });
    } finally {
      clearTimeout(outage);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
    const posts = emu.log.entries().filter((e) => e.operationId === "createOrgInvite");
    expect(posts.at(-1)?.status).toBe(200);
    // Equal jitter: the n-th retry waits at least half of 500 ms x 2^(n-1).
    for (let i = 1; i < posts.length; i++) {
      const gap = (posts[i]?.receivedAt ?? 0) - (posts[i - 1]?.answeredAt ?? 0);
      expect(gap).toBeGreaterThanOrEqual(250 * 2 ** (i - 1) - 5);
    }
    expect(lines.some((l) => /SERVICE_UNAVAILABLE .*waiting .*attempt 2 of 6/.test(l))).toBe(true);
  });
});

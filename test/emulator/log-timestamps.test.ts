import { connectControl, startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import { DigestClient, INVITES, USERS, V2025, invite } from "./support";

/** The emulator's clock is frozen years in the past: the log must not use it. */
const FROZEN = Date.parse("2020-01-01T00:00:00Z");
let emu: RunningEmulator;
let api: DigestClient;

beforeAll(async () => {
  emu = await startEmulator({ now: () => FROZEN, sunsetDate: "2030-01-01T00:00:00Z" });
  api = new DigestClient(emu.baseUrl, emu.credentials.publicKey, emu.credentials.privateKey);
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

describe("request log timestamps", () => {
  test("every entry, the 401 challenge included, has answeredAt >= receivedAt, and sequential requests are ordered", async () => {
    await api.call("GET", INVITES);
    await api.call("POST", INVITES, { body: invite("a@example.com") });
    await api.call("GET", USERS, { accept: V2025 });
    const entries = emu.log.entries();
    expect(entries.map((e) => e.status)).toEqual([401, 200, 200, 200]);
    for (const e of entries) expect(e.answeredAt).toBeGreaterThanOrEqual(e.receivedAt);
    for (let i = 1; i < entries.length; i++) {
      expect(entries[i]?.receivedAt).toBeGreaterThanOrEqual(entries[i - 1]?.answeredAt ?? 0);
    }
  });

  test("measure real time with sub-millisecond precision even when the emulator's clock is faked", async () => {
    const before = Date.now();
    for (let n = 0; n < 5; n++) await api.call("GET", INVITES);
    const after = Date.now();
    const entries = emu.log.entries();
    // performance.timeOrigin + performance.now() may drift from Date.now() by a little: 1 s slack.
    for (const e of entries) {
      expect(e.receivedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(e.answeredAt).toBeLessThanOrEqual(after + 1000);
    }
    const stamps = entries.flatMap((e) => [e.receivedAt, e.answeredAt]);
    expect(stamps.some((t) => !Number.isInteger(t))).toBe(true);
  });

  test("show the wait of a delay fault between receivedAt and answeredAt", async () => {
    await api.call("GET", INVITES);
    emu.control.injectFault({ match: { operationId: "listOrgInvites" }, delayMs: 120 });
    await api.call("GET", INVITES);
    const [fast, slow] = emu.log.entries({ status: 200 });
    expect(slow?.faulted).toBe(true);
    expect((slow?.answeredAt ?? 0) - (slow?.receivedAt ?? 0)).toBeGreaterThanOrEqual(110);
    expect((fast?.answeredAt ?? 0) - (fast?.receivedAt ?? 0)).toBeLessThan(110);
  });

  test("come over GET /__emulator/log unchanged", async () => {
    await api.call("GET", INVITES);
    const remote = await connectControl(emu.baseUrl).log();
    expect(remote).toEqual(emu.log.entries());
    expect(remote[0]).toEqual(
      expect.objectContaining({ receivedAt: expect.any(Number), answeredAt: expect.any(Number) }),
    );
  });
});

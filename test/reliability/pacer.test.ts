/**
 * The invitation limit: learned from Atlas's RATE_LIMITED_IP answer, then every further
 * invitation of the process is paced so a run of any size completes. The emulator enforces a real
 * sliding window on the same fake clock the client waits on.
 */
import {
  DEFAULT_INVITATION_LIMIT,
  InvitationPacer,
  parseInvitationLimit,
} from "../../provider/atlas/pacer";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import { asProps } from "../provider/helpers";
import {
  FakeClock,
  SENTINEL_EMULATOR,
  harness,
  leakedSentinels,
  outcome,
  renderings,
} from "./support";

const clock = new FakeClock();
const emulator = useEmulator({ ...SENTINEL_EMULATOR, now: clock.now });

describe("parseInvitationLimit", () => {
  it.each([
    ["Rate limit of 10 invitations per 1 minutes exceeded.", 10, 60_000],
    ["Rate limit of 3 invitations per 0.5 minutes exceeded.", 3, 30_000],
    ["rate limit of 1 invitation per 1440 minutes exceeded", 1, 86_400_000],
    ["Rate limit of 20 invitations per .25 minutes exceeded.", 20, 15_000],
  ])("reads N and M from %j", (detail, count, windowMs) => {
    expect(parseInvitationLimit(detail)).toEqual({ count, windowMs });
  });

  it.each([undefined, "", "Too many invitations.", "Rate limit of 0 invitations per 1 minutes"])(
    "falls back to 10 per minute for %j",
    (detail) => {
      expect(parseInvitationLimit(detail)).toEqual(DEFAULT_INVITATION_LIMIT);
    },
  );
});

const users = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `${tag}${i}@example.com`);

describe("InvitationPacer", () => {
  it("serves concurrent callers in arrival order, each in its own slot of the window", async () => {
    const pacer = new InvitationPacer();
    const t = new FakeClock();
    const lines: string[] = [];
    const time = {
      now: t.now,
      sleep: async (ms: number) => {
        t.value += ms;
        await new Promise((resolve) => setImmediate(resolve));
      },
      logger: { info: (m: string) => void lines.push(m) },
      maxWaitMs: Infinity,
    };
    const start = t.value;
    const stamp = await pacer.acquire("inviting a", time);
    pacer.refused(
      Object.assign(new Error("x"), {
        status: 400,
        errorCode: "RATE_LIMITED_IP",
        detail: "Rate limit of 2 invitations per 1 minutes exceeded.",
      }) as never,
      stamp,
      t.value,
    );
    const order: string[] = [];
    await Promise.all(
      ["b", "c", "d", "e"].map(async (who) => {
        const slot = await pacer.acquire(`inviting ${who}`, time);
        order.push(`${who}@${(slot - start) / 1000}`);
      }),
    );
    // Blocked a full window after the refusal, then two per window, first come first served.
    expect(order).toEqual(["b@60", "c@60", "d@120", "e@120"]);
    expect(lines[0]).toBe("Atlas invitation limit (2 per 1 min): waiting 60 s before inviting b");
  });
});

describe("pacing against the emulator's invitation limit", () => {
  it("completes a sequential run of 12 with a limit of 3 per minute, refused only once", async () => {
    const emu = emulator();
    emu.control.setInvitationLimit({ count: 3, windowMs: 60_000 });
    const h = harness(emu, { clock });
    for (const username of users(12, "seq")) {
      await h.provider.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] });
    }
    expect(emu.control.invitations(emu.orgId)).toHaveLength(12);
    expect(emu.log.count({ operationId: "createOrgInvite", status: 400 })).toBe(1);
    expect(emu.log.count({ operationId: "createOrgInvite", status: 200 })).toBe(12);
    expect(
      h.lines.some((l) =>
        /^Atlas invitation limit \(3 per 1 min\): waiting 60 s before inviting seq3@example.com \(attempt 2 of \d+\)$/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(leakedSentinels(h.lines)).toEqual([]);
  });

  it("completes 20 concurrent invitations without another refusal once the limit is known", async () => {
    const emu = emulator();
    emu.control.setInvitationLimit({ count: 4, windowMs: 30_000 });
    const h = harness(emu, { clock, retry: { limit: 8 } });
    const names = users(20, "par");
    // Learn the limit first, then send the rest at once.
    for (const username of names.slice(0, 5)) {
      await h.provider.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] });
    }
    const before = emu.log.count({ operationId: "createOrgInvite", status: 400 });
    await Promise.all(
      names
        .slice(5)
        .map((username) =>
          h.provider.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] }),
        ),
    );
    expect(before).toBe(1);
    // Paced: no refusal once the limit is known.
    expect(emu.log.count({ operationId: "createOrgInvite", status: 400 })).toBe(1);
    const sent = emu.control.invitations(emu.orgId).map((i) => i.username);
    expect([...sent].sort()).toEqual([...names].sort());
    expect(h.lines.filter((l) => l.includes("(4 per 0.5 min): waiting")).length).toBeGreaterThan(0);
  });

  it("paces updates as well as creates, through the same pacer", async () => {
    const emu = emulator();
    const pacer = new InvitationPacer();
    const h = harness(emu, { clock, pacer });
    const created = [];
    for (const username of users(3, "upd")) {
      created.push(await h.provider.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] }));
    }
    emu.control.setInvitationLimit({ count: 2, windowMs: 60_000 });
    for (const [i, c] of created.entries()) {
      await h.provider.update(c.id, asProps(c.outs as OrgInvitationOutputs), {
        orgId: emu.orgId,
        username: `upd${i}@example.com`,
        roles: ["ORG_READ_ONLY"],
      });
    }
    expect(pacer.learned).toEqual({ count: 2, windowMs: 60_000 });
    expect(emu.control.invitations(emu.orgId).map((i) => i.roles)).toEqual([
      ["ORG_READ_ONLY"],
      ["ORG_READ_ONLY"],
      ["ORG_READ_ONLY"],
    ]);
    expect(emu.log.count({ operationId: "updateOrgInviteById", status: 400 })).toBe(1);
  });

  it("gives up with a clear error when the next slot is further away than the deadline", async () => {
    const emu = emulator();
    emu.control.setInvitationLimit({ count: 1, windowMs: 86_400_000 });
    const h = harness(emu, { clock, retry: { deadlineMs: 180_000 } });
    await h.provider.create({
      orgId: emu.orgId,
      username: "first@example.com",
      roles: ["ORG_MEMBER"],
    });
    const result = await outcome(
      h.provider.create({
        orgId: emu.orgId,
        username: "second@example.com",
        roles: ["ORG_MEMBER"],
      }),
    );
    expect(result.ok).toBe(false);
    const error = (result as { error: Error }).error;
    expect(error.message).toMatch(
      /^Atlas invitation limit \(1 per 1440 min\): the next free slot is 86400 s away, longer than the retry deadline of 180 s; inviting second@example.com \(attempt 2 of \d+\) was not sent\./,
    );
    expect(emu.control.invitations(emu.orgId).map((i) => i.username)).toEqual([
      "first@example.com",
    ]);
    expect(leakedSentinels([...h.lines, ...renderings(error)])).toEqual([]);
  });
});

describe("the pacer's window", () => {
  it("measures a slot from when Atlas answered, not from when the call was sent", async () => {
    let now = 0;
    const waits: number[] = [];
    const time = {
      now: () => now,
      sleep: async (ms: number) => {
        waits.push(ms);
        now += ms;
      },
      logger: {},
      maxWaitMs: 60_000,
    };
    const pacer = new InvitationPacer();
    const first = await pacer.acquire("inviting a", time);
    now = 300; // Atlas took 300 ms to answer; it counted the invitation somewhere in between.
    pacer.settled(first, now);
    const second = await pacer.acquire("inviting b", time);
    const refusal = Object.assign(new Error("limited"), {
      status: 400,
      errorCode: "RATE_LIMITED_IP",
      detail: "Rate limit of 1 invitations per 0.0166667 minutes exceeded.",
    });
    pacer.refused(refusal as never, second, now);
    await pacer.acquire("inviting b (attempt 2 of 6)", time);
    // 1 per 1000 ms from the answer at 300 ms: free at 1300, not at 1000.
    expect(now).toBe(1300);
    expect(waits).toEqual([1000]);
  });
});

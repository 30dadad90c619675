/**
 * Pacing from what Atlas says: the invitation limit, learnt from its refusal under every code it
 * is known by, and the token bucket, learnt from `Ratelimit-Limit`/`Ratelimit-Remaining` and
 * `Retry-After`. The emulator enforces both on the same fake clock the client waits on.
 */
import { Budget } from "../../provider/atlas/budget";
import { BucketView } from "../../provider/atlas/bucket-view";
import {
  DEFAULT_INVITATION_LIMIT,
  InvitationView,
  parseInvitationLimit,
} from "../../provider/atlas/invitation-view";
import { invitationViewOf } from "../../provider/atlas/pacing";
import { isAtlasDeadlineError } from "../../provider/errors";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import { KNOB_VALUES } from "../../emulator";
import { asProps, calls, freshProcessState } from "../provider/helpers";
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
freshProcessState();

const users = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `${tag}${i}@example.com`);
const refusals = (emu: ReturnType<typeof emulator>, op = "createOrgInvite") =>
  emu.log.count({ operationId: op, status: 400 });

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

describe("the invitation view", () => {
  const caller = (t: FakeClock, lines: string[] = []) => ({
    method: "POST",
    path: "/invites",
    budget: new Budget(3_600_000, t),
    logger: { info: (m: string) => void lines.push(m) },
  });

  it("serves concurrent callers in arrival order, each in its own slot of the window", async () => {
    const view = new InvitationView();
    const t = new FakeClock();
    const start = t.value;
    const lines: string[] = [];
    await view.enter(caller(t, lines));
    view.settle(t.value, { refusedDetail: "Rate limit of 2 invitations per 1 minutes exceeded." });
    const order: string[] = [];
    await Promise.all(
      ["b", "c", "d", "e"].map(async (who) => {
        await view.enter(caller(t, lines));
        order.push(`${who}@${(t.value - start) / 1000}`);
        view.settle(t.value, { counted: true });
      }),
    );
    // Blocked a full window after the refusal, then two per window, first come first served.
    expect(order).toEqual(["b@60", "c@60", "d@120", "e@120"]);
    expect(lines[0]).toBe(
      "waiting 60 s before POST /invites: Atlas's invitation limit (2 per 1 min)",
    );
  });

  it("rounds a fractional window up to the next millisecond", () => {
    expect(
      parseInvitationLimit("Rate limit of 10 invitations per 0.033333 minutes exceeded."),
    ).toEqual({ count: 10, windowMs: 2_000 });
  });

  it("lengthens a window Atlas proves too short, a little per refusal", async () => {
    const view = new InvitationView();
    const t = new FakeClock();
    const detail = "Rate limit of 1 invitations per 0.0333 minutes exceeded.";
    await view.enter(caller(t));
    view.settle(t.value, { refusedDetail: detail });
    expect(view.learned).toEqual({ count: 1, windowMs: 1_998 });
    await view.enter(caller(t));
    view.settle(t.value, { refusedDetail: detail });
    expect(view.learned?.windowMs).toBe(Math.ceil(1_998 * 1.02));
  });

  it("measures a slot from when Atlas answered, not from when the call was sent", async () => {
    const view = new InvitationView();
    const t = new FakeClock();
    const t0 = t.value;
    await view.enter(caller(t));
    t.value = t0 + 300; // Atlas took 300 ms to answer; it counted the invitation in between.
    view.settle(t.value, { counted: true });
    await view.enter(caller(t));
    view.settle(t.value, {
      refusedDetail: "Rate limit of 1 invitations per 1 minutes exceeded.",
    });
    await view.enter(caller(t));
    // 1 per 60,000 ms from the answer at 300 ms: free at 60,300, not at 60,000.
    expect(t.value - t0).toBe(60_300);
    expect(t.waits).toEqual([60_000]);
  });

  it("lets one call through while the limit is unknown, then one more per round of successes", async () => {
    const view = new InvitationView();
    const t = new FakeClock();
    let inside = 0;
    let most = 0;
    const tasks = Array.from({ length: 12 }, async () => {
      await view.enter(caller(t));
      inside += 1;
      most = Math.max(most, inside);
      await new Promise((resolve) => setImmediate(resolve));
      inside -= 1;
      view.settle(t.value, { counted: true });
    });
    await Promise.all(tasks);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
  });
});

/**
 * A token bucket as Atlas keeps one, on virtual time: `capacity`, refilled continuously at
 * `perSecond`; each request takes a token or is refused 429 with Retry-After in whole seconds.
 */
function simulatedBucket(t: FakeClock, capacity: number, perSecond: number, headers = true) {
  let tokens = capacity;
  let last = t.value;
  return (): {
    status: number;
    headers: Record<string, string>;
    retryAfterMs: number | undefined;
  } => {
    tokens = Math.min(capacity, tokens + ((t.value - last) / 1000) * perSecond);
    last = t.value;
    if (tokens < 1) {
      const retryAfterMs = Math.max(1, Math.ceil((1 - tokens) / perSecond)) * 1000;
      return { status: 429, headers: {}, retryAfterMs };
    }
    tokens -= 1;
    const seen = {
      "ratelimit-limit": String(capacity),
      "ratelimit-remaining": String(Math.floor(tokens)),
    };
    return { status: 200, headers: headers ? seen : {}, retryAfterMs: undefined };
  };
}

/**
 * Sends `n` requests through a view, `concurrency` at a time; returns the statuses and the time
 * taken. Atlas takes the token when a request arrives; its answer reaches the view `latencyMs`
 * later, so with many in flight answers describe the bucket as it was a while ago.
 */
async function drive(
  view: BucketView,
  t: FakeClock,
  serve: ReturnType<typeof simulatedBucket>,
  n: number,
  concurrency: number,
  latencyMs = 0,
  /** How long request number `seq` takes to reach Atlas: unequal values reorder arrivals. */
  arrivalMs: (seq: number) => number = () => 0,
) {
  const statuses: number[] = [];
  let most = 0;
  let inside = 0;
  const start = t.value;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next += 1;
      for (;;) {
        const seq = await view.enter({
          method: "GET",
          path: "/users",
          budget: new Budget(3_600_000, t),
          logger: {},
        });
        inside += 1;
        most = Math.max(most, inside);
        await new Promise((resolve) => setImmediate(resolve));
        const arrival = arrivalMs(seq);
        if (arrival > 0) await t.sleep(arrival);
        const answer = serve();
        if (latencyMs > 0) await t.sleep(latencyMs);
        inside -= 1;
        statuses.push(answer.status);
        view.settle(t.value, answer.status, answer.headers, answer.retryAfterMs, seq);
        if (answer.status !== 429) break;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { statuses, ms: t.value - start, most };
}

describe("the bucket view", () => {
  it("spends a bucket of 20 + 20/s on 100 requests at the speed of its refill, with at most a couple of 429s", async () => {
    const t = new FakeClock();
    const view = new BucketView();
    const { statuses, ms } = await drive(view, t, simulatedBucket(t, 20, 20), 100, 25);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429).length).toBeLessThanOrEqual(2);
    // The bound: 20 at once, then 80 at 20 per second.
    expect(ms).toBeGreaterThanOrEqual(4_000);
    expect(ms).toBeLessThanOrEqual(4_000 * 1.05);
  });

  it("follows a slow bucket (Atlas's 250 per minute) without bouncing off it", async () => {
    const t = new FakeClock();
    const view = new BucketView();
    const perSecond = 250 / 60;
    const { statuses, ms } = await drive(view, t, simulatedBucket(t, 10, perSecond), 60, 10);
    expect(statuses.filter((s) => s === 429).length).toBeLessThanOrEqual(2);
    const bound = ((60 - 10) / perSecond) * 1000;
    expect(ms).toBeLessThanOrEqual(bound * 1.05);
  });

  it("spends Atlas's bucket sped up 20 times (500 + 83/s) on 1,000 requests at once, answered late, twice in a row, with at most a couple of 429s", async () => {
    const t = new FakeClock();
    const view = new BucketView();
    const perSecond = (250 / 60) * 20;
    const serve = simulatedBucket(t, 500, perSecond);
    const bound = ((1000 - 500) / perSecond) * 1000;
    const first = await drive(view, t, serve, 1000, 1000, 20);
    // A pause that refills the bucket, as between a bulk create and a later destroy.
    await t.sleep((500 / perSecond) * 1000 + 100);
    const second = await drive(view, t, serve, 1000, 1000, 20);
    for (const run of [first, second]) {
      expect(run.statuses.filter((s) => s === 200)).toHaveLength(1000);
      expect(run.statuses.filter((s) => s === 429).length).toBeLessThanOrEqual(2);
      expect(run.ms).toBeLessThanOrEqual(bound * 1.05 + 20);
    }
  });

  it("never overdraws the bucket when requests reach Atlas in another order than they were sent", async () => {
    const t = new FakeClock();
    const view = new BucketView();
    const perSecond = (250 / 60) * 20;
    const serve = simulatedBucket(t, 500, perSecond);
    // Up to 0.3 s in transit, unequal from one request to the next.
    const arrival = (seq: number): number => (seq * 7919) % 300;
    const first = await drive(view, t, serve, 1000, 1000, 5, arrival);
    await t.sleep((500 / perSecond) * 1000 + 100);
    const second = await drive(view, t, serve, 1000, 1000, 5, arrival);
    const bound = ((1000 - 500) / perSecond) * 1000;
    for (const run of [first, second]) {
      expect(run.statuses.filter((s) => s === 429).length).toBeLessThanOrEqual(2);
      expect(run.ms).toBeLessThanOrEqual(bound * 1.15 + 300);
    }
  });

  it("holds everyone for Retry-After after a 429", async () => {
    const view = new BucketView();
    const t = new FakeClock();
    const t0 = t.value;
    const enter = () =>
      view.enter({ method: "GET", path: "/users", budget: new Budget(600_000, t), logger: {} });
    await enter();
    view.settle(t.value, 429, {}, 2_000);
    await enter();
    expect(t.value - t0).toBe(2_000);
  });

  it("lets four requests through before any answer says how large the bucket is", async () => {
    const t = new FakeClock();
    const { most } = await drive(new BucketView(), t, simulatedBucket(t, 100, 100), 4, 16);
    expect(most).toBe(4);
  });

  it("adapts concurrency to 429s where Atlas sends no rate-limit headers (AIMD), and still finishes", async () => {
    const t = new FakeClock();
    const view = new BucketView();
    const { statuses } = await drive(view, t, simulatedBucket(t, 20, 20, false), 100, 25);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    const refused = statuses.filter((s) => s === 429).length;
    expect(refused).toBeGreaterThan(0);
    // Without headers the view learns only from refusals, but halving on each keeps them rare.
    expect(refused).toBeLessThanOrEqual(30);
  });
});

describe.each(KNOB_VALUES.invitationLimitCode)(
  "against the emulator's invitation limit, answered as %s",
  (code) => {
    beforeEach(() => emulator().control.setKnobs({ invitationLimitCode: code }));

    it("completes a sequential run of 12 with a limit of 3 per minute, refused only once", async () => {
      const emu = emulator();
      emu.control.setInvitationLimit({ count: 3, windowMs: 60_000 });
      const h = await harness(emu, { clock });
      for (const username of users(12, "seq")) {
        await h.provider.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] });
      }
      expect(emu.control.invitations(emu.orgId)).toHaveLength(12);
      expect(refusals(emu)).toBe(1);
      expect(emu.log.count({ operationId: "createOrgInvite", status: 200 })).toBe(12);
      expect(
        h.lines.some((l) => /waiting 60 s before POST .*invitation limit \(3 per 1 min\)/.test(l)),
      ).toBe(true);
      expect(leakedSentinels(h.lines)).toEqual([]);
    });

    it("completes 25 concurrent creates under 10 per 2 s with no failure and a handful of refusals", async () => {
      const emu = emulator();
      emu.control.setInvitationLimit({ count: 10, windowMs: 2_000 });
      const h = await harness(emu, { clock });
      const results = await Promise.allSettled(
        users(25, "bulk").map((username) =>
          h.provider.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] }),
        ),
      );
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      expect(emu.control.invitations(emu.orgId)).toHaveLength(25);
      expect(refusals(emu)).toBeGreaterThanOrEqual(1);
      expect(refusals(emu)).toBeLessThanOrEqual(5);
      expect(invitationViewOf(emu.baseUrl)?.learned).toEqual({ count: 10, windowMs: 2_000 });
    });

    it("sends 20 concurrent invitations without another refusal once the limit is known", async () => {
      const emu = emulator();
      emu.control.setInvitationLimit({ count: 4, windowMs: 30_000 });
      const h = await harness(emu, { clock, retry: { limit: 8 } });
      const names = users(20, "par");
      for (const username of names.slice(0, 5)) {
        await h.provider.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] });
      }
      expect(refusals(emu)).toBe(1);
      await Promise.all(
        names
          .slice(5)
          .map((username) =>
            h.provider.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] }),
          ),
      );
      expect(refusals(emu)).toBe(1);
      const sent = emu.control.invitations(emu.orgId).map((i) => i.username);
      expect([...sent].sort()).toEqual([...names].sort());
    });

    it("paces updates as well as creates, in the same view", async () => {
      const emu = emulator();
      const h = await harness(emu, { clock });
      const created = [];
      for (const username of users(3, "upd")) {
        created.push(
          await h.provider.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] }),
        );
      }
      emu.control.setInvitationLimit({ count: 2, windowMs: 60_000 });
      for (const [i, c] of created.entries()) {
        await h.provider.update(c.id, asProps(c.outs as OrgInvitationOutputs), {
          orgId: emu.orgId,
          username: `upd${i}@example.com`,
          roles: ["ORG_READ_ONLY"],
        });
      }
      expect(invitationViewOf(emu.baseUrl)?.learned).toEqual({ count: 2, windowMs: 60_000 });
      expect(emu.control.invitations(emu.orgId).map((i) => i.roles)).toEqual([
        ["ORG_READ_ONLY"],
        ["ORG_READ_ONLY"],
        ["ORG_READ_ONLY"],
      ]);
      expect(refusals(emu, "updateOrgInviteById")).toBe(1);
    });

    it("gives up with an error naming the budget and its config key when the next slot is beyond it", async () => {
      const emu = emulator();
      emu.control.setInvitationLimit({ count: 1, windowMs: 86_400_000 });
      const h = await harness(emu, { clock, retry: { deadlineMs: 180_000 } });
      await h.provider.create({
        orgId: emu.orgId,
        username: "first@example.com",
        roles: ["ORG_MEMBER"],
      });
      emu.log.clear();
      const result = await outcome(
        h.provider.create({
          orgId: emu.orgId,
          username: "second@example.com",
          roles: ["ORG_MEMBER"],
        }),
      );
      expect(result.ok).toBe(false);
      const error = (result as { error: Error }).error;
      expect(isAtlasDeadlineError(error)).toBe(true);
      expect(error.message).toMatch(/within the operation's budget of 180 s \(deadlineMs\)/);
      expect(error.message).toMatch(/invitation limit \(1 per 1440 min\)/);
      expect(error.message).toMatch(/pulumi config set atlasInvitations:deadlineMs/);
      expect(emu.control.invitations(emu.orgId).map((i) => i.username)).toEqual([
        "first@example.com",
      ]);
      expect(leakedSentinels([...h.lines, ...renderings(error)])).toEqual([]);
      expect(calls(emu).filter((c) => c.startsWith("createOrgInvite"))).toEqual([
        "createOrgInvite:400",
      ]);
    });
  },
);

describe("against the emulator's token bucket", () => {
  it("reads a burst of 60 past a bucket of 20 + 20/s with at most a couple of 429s", async () => {
    const emu = emulator();
    emu.control.setTokenBucket({ capacity: 20, refillPerSecond: 20 });
    const h = await harness(emu, { clock });
    const created = [];
    for (const username of users(60, "b")) {
      created.push(await h.provider.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] }));
    }
    emu.log.clear();
    clock.value += 2_000; // a full bucket again
    // Refreshes of lone invitations, one after another would be too easy: run them at once,
    // each on its own provider so nothing is coalesced.
    const readers = await Promise.all(created.map(() => harness(emu, { clock })));
    await Promise.all(
      created.map((c, i) => readers[i]?.provider.read(c.id, c.outs as OrgInvitationOutputs)),
    );
    const answered = emu.log.entries().filter((e) => e.operationId === "getOrgInvite");
    expect(answered.filter((e) => e.status === 200)).toHaveLength(60);
    expect(answered.filter((e) => e.status === 429).length).toBeLessThanOrEqual(2);
  });
});

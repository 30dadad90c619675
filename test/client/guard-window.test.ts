/**
 * Guarded writes to pending org users under load (issue 19, item 8). removeOrgUser removes PENDING
 * and ACTIVE users alike, so each DELETE (and PATCH) is preceded by a status read of the user, and
 * the window a person could accept in runs from that read's answer to the write. These tests pin
 * down, by what the emulator received and in which order (never by timing), that:
 * - no write is ever sent to a user whose status read answered ACTIVE, with many at once under a
 *   tight token bucket;
 * - the write is admitted with its read: once the read is answered, the write goes out even while
 *   every other caller waits for tokens that never come;
 * - the callers a read's answer lets in are woken only once the write is on its way, so none of
 *   their requests reaches Atlas ahead of it.
 * The window's size under load is measured in `npm run bench` (section 10), not here.
 */
import { resetProcessState } from "../../provider/process-state";
import type { Clock } from "../../provider/atlas/budget";
import { AdmissionQueue } from "../../provider/atlas/admission-queue";
import type { Room } from "../../provider/atlas/admission-queue";
import { Budget } from "../../provider/atlas/budget";
import type { LogEntry } from "../../emulator";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { FAKE_START, clientFor, freshSessions } from "./helpers";

const emulator = useEmulator();
freshSessions();

/** Pending org users made through the org users API, by another client; the log starts empty. */
async function pendingUsers(emu: TestEmulator, prefix: string, n: number): Promise<string[]> {
  const maker = clientFor(emu, "digest");
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const user = await maker.createOrgUser(emu.orgId, {
      username: `${prefix}${i}@example.com`,
      roles: { orgRoles: ["ORG_MEMBER"] },
    });
    ids.push(user.id);
  }
  // The views the maker filled are not the process the test starts.
  resetProcessState();
  emu.log.clear();
  return ids;
}

const userPath = (emu: TestEmulator, id: string) => `/api/atlas/v2/orgs/${emu.orgId}/users/${id}`;

/** Operations the emulator served, in the order they arrived, challenges left out. */
function arrivals(emu: TestEmulator): LogEntry[] {
  return emu.log
    .entries()
    .filter((e) => !(e.status === 401 && e.auth === "none"))
    .sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);
}

describe.each(["same", "new"] as const)(
  "many guarded writes at once under a tight bucket (accepted user id %s)",
  (acceptedUserId) => {
    it("never sends a DELETE or a PATCH to a person who accepted, and writes to every pending one", async () => {
      const emu = emulator();
      emu.control.setKnobs({ acceptedUserId });
      const ids = await pendingUsers(emu, "load", 24);
      const accepted = new Set([0, 3, 4, 7, 9, 10, 15, 16, 20, 23]);
      for (const i of accepted) emu.control.acceptInvitation(emu.orgId, `load${i}@example.com`);
      // 24 status reads and 14 writes against 10 tokens and 200 a second: most requests wait.
      emu.control.setTokenBucket({ capacity: 10, refillPerSecond: 200 });
      const api = clientFor(emu, "digest");
      const team = emu.teamIds[0] as string;
      const outcomes = await Promise.all(
        ids.map(async (id, i) =>
          i % 2 === 0
            ? api.removePendingOrgUser(emu.orgId, id)
            : api
                .updatePendingOrgUser(emu.orgId, id, { teamIds: [team] })
                .then((r) => (typeof r === "string" ? r : "updated")),
        ),
      );
      const gone = acceptedUserId === "same" ? "active" : "not-pending";
      expect(outcomes).toEqual(
        ids.map((_, i) => (accepted.has(i) ? gone : i % 2 === 0 ? "removed" : "updated")),
      );
      const writes = arrivals(emu).filter((e) => e.method === "DELETE" || e.method === "PATCH");
      const acceptedPaths = new Set(
        ids.filter((_, i) => accepted.has(i)).map((id) => userPath(emu, id)),
      );
      expect(writes.filter((w) => acceptedPaths.has(w.path))).toEqual([]);
      expect(writes.filter((w) => w.status !== 429)).toHaveLength(24 - accepted.size);
      expect(emu.stats().activeUserRemovals).toBe(0);
      const members = emu.control
        .users(emu.orgId)
        .filter((u) => u.orgMembershipStatus === "ACTIVE");
      expect(members.map((u) => u.username).sort()).toEqual(
        [...accepted].map((i) => `load${i}@example.com`).sort(),
      );
      expect(members.every((u) => u.teamIds.length === 0)).toBe(true);
    });
  },
);

/** A clock whose time stands still and whose waits never end until `release`. */
function standingClock(): Clock & { waiting(): number; release(): void } {
  let time = FAKE_START;
  const sleepers: (() => void)[] = [];
  return {
    now: () => time,
    random: () => 0.5,
    sleep: (ms: number) =>
      new Promise<void>((resolve) =>
        sleepers.push(() => {
          time += ms;
          resolve();
        }),
      ),
    waiting: () => sleepers.length,
    release: () => sleepers.splice(0).forEach((wake) => wake()),
  };
}

/** Turns of the event loop, until `done` holds (at most `turns`). */
async function until(done: () => boolean, turns = 2_000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((r) => setImmediate(r));
}

describe("a guarded write is admitted with its status read", () => {
  it("goes out once its read is answered, while every other caller waits for tokens that never come", async () => {
    const emu = emulator();
    const ids = await pendingUsers(emu, "held", 10);
    // Six tokens and no refill: three removals' worth, and time stands still on the client, so a
    // caller that has to wait for a token waits for good.
    emu.control.setTokenBucket({ capacity: 6, refillPerSecond: 0 });
    const clock = standingClock();
    const api = clientFor(emu, "digest", { clock });
    const settled: string[] = [];
    const removals = ids.map((id) =>
      api.removePendingOrgUser(emu.orgId, id).then((outcome) => {
        settled.push(outcome);
        return outcome;
      }),
    );
    // Quiet: a caller sleeps for a token (the view only sleeps once nothing is in flight), and the
    // removals that got in have ended.
    await until(() => clock.waiting() > 0 && settled.length === arrivals(emu).length / 2);
    expect(clock.waiting()).toBeGreaterThan(0);

    const seen = arrivals(emu);
    expect(seen.filter((e) => e.status === 429)).toEqual([]);
    const reads = seen.filter((e) => e.operationId === "getOrgUser");
    const deletes = seen.filter((e) => e.operationId === "removeOrgUser");
    // Some got in, some wait...
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.length).toBeLessThan(ids.length);
    // ...and every read that was answered was followed by its DELETE: no write waits in the queue.
    expect(deletes.map((d) => d.path).sort()).toEqual(reads.map((r) => r.path).sort());
    for (const d of deletes) {
      const read = reads.find((r) => r.path === d.path) as LogEntry;
      expect(read.answeredAt).toBeLessThanOrEqual(d.receivedAt);
    }
    expect(settled).toEqual(deletes.map(() => "removed"));

    // Let the rest through, so nothing is left waiting after the test.
    emu.control.setTokenBucket({ capacity: 100, refillPerSecond: 100 });
    const rest = (async () => {
      for (;;) {
        clock.release();
        if (settled.length === ids.length) return;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await rest;
    await expect(Promise.all(removals)).resolves.toEqual(ids.map(() => "removed"));
  });

  it("reaches Atlas before any request of the callers its read's answer lets in", async () => {
    const emu = emulator();
    const ids = await pendingUsers(emu, "order", 12);
    const api = clientFor(emu, "digest");
    await Promise.all(ids.map((id) => api.removePendingOrgUser(emu.orgId, id)));

    const seen = arrivals(emu);
    const first = seen.findIndex((e) => e.operationId === "removeOrgUser");
    // Before its first answer the view lets four requests through: two status reads and the two
    // writes they guard. Every other caller waits for that answer; the write it guards is on its
    // way before any of them is woken.
    expect(seen.slice(0, first).map((e) => e.operationId)).toEqual(
      seen.slice(0, first).map(() => "getOrgUser"),
    );
    expect(first).toBeLessThanOrEqual(2);
    expect(seen.filter((e) => e.operationId === "removeOrgUser")).toHaveLength(ids.length);
  });
});

/** The smallest view: room while `open`, else wait for a change. */
class Door extends AdmissionQueue {
  open = false;
  protected room(): Room {
    return this.open ? { go: true } : { go: false, wait: "until-change", why: "closed" };
  }
  end(): void {
    this.leave();
  }
}

describe("AdmissionQueue.hold", () => {
  const caller = () => ({
    method: "GET",
    path: "/x",
    budget: new Budget(60_000, { now: () => 0, sleep: async () => undefined, random: () => 0.5 }),
    logger: {},
  });

  it("postpones waking a waiting caller until every hold is released", async () => {
    const door = new Door();
    let admitted = false;
    const waiting = door.enter(caller()).then(() => (admitted = true));
    await until(() => false, 5);
    door.open = true;
    const first = door.hold();
    const second = door.hold();
    door.end();
    await until(() => admitted, 20);
    expect(admitted).toBe(false);
    first();
    first();
    await until(() => admitted, 20);
    expect(admitted).toBe(false);
    second();
    await until(() => admitted, 20);
    expect(admitted).toBe(true);
    await waiting;
  });

  it("wakes nobody on release when nothing changed meanwhile", async () => {
    const door = new Door();
    let admitted = false;
    void door.enter(caller()).then(() => (admitted = true));
    await until(() => false, 5);
    door.open = true;
    door.hold()();
    await until(() => admitted, 20);
    expect(admitted).toBe(false);
    door.end();
    await until(() => admitted, 20);
    expect(admitted).toBe(true);
  });
});

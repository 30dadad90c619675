/**
 * Randomized chaos: many invitations through create, update, refresh and delete, with faults
 * injected at random and invitations accepted at random, then the invariants that must survive
 * any of it. Seeded and reproducible: `CHAOS_SEED=<n> npx jest test/reliability/chaos` replays a
 * run; the seed is printed on failure.
 */
import fc from "fast-check";
import type { FaultSpec } from "../../emulator";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import { asProps, directApi, freshProcessState } from "../provider/helpers";
import { BACKENDS, RELIABILITY_VARIANTS } from "../support/variants";
import type { AtlasVariant, Backend } from "../support/variants";
import { SENTINEL_EMULATOR, harness, leakedSentinels, outcome, renderings } from "./support";

const emulator = useEmulator(SENTINEL_EMULATOR);
freshProcessState();

const SEED = Number(process.env["CHAOS_SEED"] || 20261126);
if (!Number.isSafeInteger(SEED)) throw new Error(`CHAOS_SEED must be a whole number, got ${SEED}`);
const RUNS = 30;
const USERS = ["ann@example.com", "bob@example.com", "cy@example.com"];
const ROLES = [["ORG_MEMBER"], ["ORG_READ_ONLY"], ["ORG_BILLING_READ_ONLY", "ORG_MEMBER"]];

const FAULTS: FaultSpec[] = [
  { status: 429, retryAfter: "1" },
  { status: 429 },
  { status: 500 },
  { status: 503 },
  { reset: true },
  { delayMs: 200 },
  { commit: true, reset: true },
  {
    status: 400,
    errorCode: "INVITATIONS_RATE_LIMITED_IP",
    detail: "Rate limit of 10 invitations per 0.5 minutes exceeded.",
  },
  { status: 401 },
  { status: 403 },
  { malformedBody: true },
];
const OPERATIONS = [
  "createOrgInvite",
  "listOrgInvites",
  "getOrgInvite",
  "updateOrgInviteById",
  "deleteOrgInvite",
  "listOrgUsers",
  "createOrgUser",
  "getOrgUser",
  "updateOrgUser",
  "removeOrgUser",
];

/** Errors a step may end in: each is a clear, typed refusal, never a crash. */
const EXPECTED_ERRORS = new Set([
  "AtlasApiError",
  "AtlasNetworkError",
  "AtlasTimeoutError",
  "AtlasProtocolError",
  "InvitationInputRejectedError",
  "InvitationAcceptedError",
  "InvitationGoneError",
  "UserAlreadyMemberError",
  "AtlasDeadlineError",
]);

type Step =
  | { kind: "create"; user: number; roles: number; retain: boolean }
  | { kind: "update"; user: number; roles: number }
  | { kind: "read"; user: number }
  | { kind: "delete"; user: number }
  | { kind: "accept"; user: number }
  | { kind: "expire"; user: number }
  | { kind: "fault"; fault: number; operation: number };

const user = fc.nat({ max: USERS.length - 1 });
const roles = fc.nat({ max: ROLES.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      user,
      roles,
      retain: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("update" as const), user, roles }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("read" as const), user }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), user }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("accept" as const), user }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("expire" as const), user }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("fault" as const),
      fault: fc.nat({ max: FAULTS.length - 1 }),
      operation: fc.nat({ max: OPERATIONS.length - 1 }),
    }),
  },
);

/** What a run produced, for the invariants and the secrets check. */
interface Trace {
  texts: string[];
  deletedIds: Set<string>;
  droppedIds: Set<string>;
  accepted: Set<string>;
  unexpected: string[];
}

let invariantsChecked = 0;
/** Proof the runs did something: steps that succeeded, failed, and faults injected. */
const stats = { ok: 0, failed: 0, faults: 0, accepted: 0, dropped: 0, deleted: 0 };

async function settle(): Promise<void> {
  // An abandoned slow request finishes (as a reset) after its delay; let it go before resetting.
  await new Promise((resolve) => setTimeout(resolve, 220));
}

async function run(backend: Backend, variant: AtlasVariant, steps: Step[]): Promise<void> {
  const emu = emulator();
  emu.control.reset();
  emu.log.clear();
  // The defaults play the least favourable Atlas: a blind second POST would show up as a
  // duplicate (duplicateInvitePolicy "duplicate") instead of being absorbed.
  emu.control.setKnobs(variant.knobs);
  const kind = steps.length % 2 === 0 ? "digest" : "serviceAccount";
  const lines: string[] = [];
  // Each step is a deployment of its own, as `pulumi up` runs are: a fresh provider.
  const deployment = async () => {
    const h = await harness(emu, { kind, api: backend });
    return { provider: h.provider, done: () => lines.push(...h.lines) };
  };
  const state = new Map<number, { id: string; outs: OrgInvitationOutputs }>();
  const trace: Trace = {
    texts: lines,
    deletedIds: new Set(),
    droppedIds: new Set(),
    accepted: new Set(),
    unexpected: [],
  };
  const note = (result: { ok: boolean; error?: unknown }) => {
    stats[result.ok ? "ok" : "failed"] += 1;
    if (result.ok) return;
    const error = result.error as Error;
    trace.texts.push(...renderings(error));
    if (!EXPECTED_ERRORS.has(error.name)) trace.unexpected.push(`${error.name}: ${error.message}`);
  };

  let slow = false;
  for (const s of steps) {
    const username = "user" in s ? (USERS[s.user] as string) : "";
    const held = "user" in s ? state.get(s.user) : undefined;
    if (s.kind === "fault") {
      const fault = FAULTS[s.fault] as FaultSpec;
      slow ||= fault.delayMs !== undefined;
      stats.faults += 1;
      emu.control.injectFault({
        ...fault,
        match: { operationId: OPERATIONS[s.operation] as string },
      });
    } else if (s.kind === "expire") {
      // The invitee let it lapse, or an admin cancelled it in the UI: refresh must drop it.
      if (emu.control.invitations(emu.orgId).some((i) => i.username === username)) {
        emu.control.expireInvitation(emu.orgId, username);
      }
    } else if (s.kind === "accept") {
      const pending = emu.control.invitations(emu.orgId).some((i) => i.username === username);
      if (pending) {
        emu.control.acceptInvitation(emu.orgId, username);
        trace.accepted.add(username);
        stats.accepted += 1;
      }
    } else if (s.kind === "create" && !held) {
      const h = await deployment();
      const r = await outcome(
        h.provider.create({
          orgId: emu.orgId,
          username,
          roles: ROLES[s.roles] as string[],
          onAccepted: s.retain ? "retain" : "fail",
        }),
      );
      h.done();
      note(r);
      if (r.ok) state.set(s.user, { id: r.value.id, outs: r.value.outs as OrgInvitationOutputs });
    } else if (s.kind === "update" && held) {
      const h = await deployment();
      const news = {
        orgId: held.outs.orgId,
        username,
        roles: ROLES[s.roles] as string[],
        onAccepted: held.outs.onAccepted,
      };
      const r = await outcome(h.provider.update(held.id, asProps(held.outs), news));
      h.done();
      note(r);
      if (r.ok) state.set(s.user, { id: held.id, outs: r.value.outs as OrgInvitationOutputs });
    } else if (s.kind === "read" && held) {
      const h = await deployment();
      const r = await outcome(h.provider.read(held.id, asProps(held.outs)));
      h.done();
      note(r);
      if (r.ok) {
        if (r.value.props === undefined) {
          trace.droppedIds.add(held.id);
          stats.dropped += 1;
          state.delete(s.user);
        } else state.set(s.user, { id: held.id, outs: r.value.props });
      }
    } else if (s.kind === "delete" && held) {
      const h = await deployment();
      const r = await outcome(h.provider.delete(held.id, asProps(held.outs)));
      h.done();
      note(r);
      if (r.ok) {
        trace.deletedIds.add(held.id);
        stats.deleted += 1;
        state.delete(s.user);
      }
    }
  }
  emu.control.clearFaults();
  if (slow) await settle();
  checkInvariants(emu, trace);
}

function checkInvariants(emu: ReturnType<typeof emulator>, trace: Trace): void {
  const pending = emu.control.invitations(emu.orgId);
  const byUser = new Map<string, number>();
  for (const i of pending)
    byUser.set(i.username.toLowerCase(), (byUser.get(i.username.toLowerCase()) ?? 0) + 1);
  // Resources hold an invitation id (invites API) or a pending user's id (org users API).
  const pendingIds = new Set([
    ...pending.map((i) => i.id),
    ...emu.control
      .users(emu.orgId)
      .filter((u) => u.orgMembershipStatus === "PENDING")
      .map((u) => u.id),
  ]);
  const active = new Set(
    emu.control
      .users(emu.orgId)
      .filter((u) => u.orgMembershipStatus === "ACTIVE")
      .map((u) => u.username),
  );
  const violations = [
    ...[...byUser].filter(([, n]) => n > 1).map(([u, n]) => `${n} pending invitations for ${u}`),
    ...[...trace.deletedIds]
      .filter((id) => pendingIds.has(id))
      .map((id) => `invitation ${id} still pending after a successful delete`),
    ...[...trace.droppedIds]
      .filter((id) => pendingIds.has(id))
      .map((id) => `refresh dropped ${id} while it is still pending`),
    ...(emu.stats().activeUserRemovals > 0 ? ["a member was removed (removeOrgUser)"] : []),
    ...[...trace.accepted]
      .filter((u) => !active.has(u))
      .map((u) => `${u} accepted but is no longer an active member`),
    ...trace.unexpected.map((e) => `unexpected error ${e}`),
    ...leakedSentinels(trace.texts).map(() => "a secret appeared in an error or log line"),
  ];
  invariantsChecked += 6;
  if (violations.length > 0) throw new Error(violations.join("\n"));
}

describe("chaos", () => {
  describe.each(BACKENDS)("on the %s API", (backend) => {
    it.each(RELIABILITY_VARIANTS)(
      `keeps every invariant over random runs with Atlas $name (seed ${SEED})`,
      async (variant) => {
        // The defaults get the long run; every other knob value a shorter one of its own.
        const runs = Object.keys(variant.knobs).length === 0 ? RUNS : 6;
        try {
          await fc.assert(
            fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 40 }), (steps) =>
              run(backend, variant, steps),
            ),
            { seed: SEED, numRuns: runs },
          );
        } catch (error) {
          console.log(`chaos failed: replay with CHAOS_SEED=${SEED}`);
          throw error;
        }
        expect(invariantsChecked).toBeGreaterThanOrEqual(runs * 6);
        invariantsChecked = 0;
        if (runs === RUNS) {
          for (const [what, n] of Object.entries(stats)) {
            if (n === 0)
              throw new Error(
                `chaos never exercised "${what}" (seed ${SEED}): ${JSON.stringify(stats)}`,
              );
          }
        }
        for (const key of Object.keys(stats) as (keyof typeof stats)[]) stats[key] = 0;
      },
      120_000,
    );
  });

  it("reports duplicates, leftovers, dropped entries and lost members", async () => {
    const emu = emulator();
    emu.control.setDuplicateInvitePolicy("duplicate");
    const api = directApi(emu);
    const a = await api.createOrgInvite(emu.orgId, {
      username: "ann@example.com",
      roles: ["ORG_MEMBER"],
    });
    await api.createOrgInvite(emu.orgId, { username: "bob@example.com", roles: ["ORG_MEMBER"] });
    await api.createOrgInvite(emu.orgId, { username: "bob@example.com", roles: ["ORG_MEMBER"] });
    const trace: Trace = {
      texts: ["token SENTINEL-private-key-7f3a9c"],
      deletedIds: new Set([a.id as string]),
      droppedIds: new Set([a.id as string]),
      accepted: new Set(["cy@example.com"]),
      unexpected: ["TypeError: boom"],
    };
    let message = "";
    try {
      checkInvariants(emu, trace);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "2 pending invitations for bob@example.com",
      `invitation ${a.id} still pending after a successful delete`,
      `refresh dropped ${a.id} while it is still pending`,
      "cy@example.com accepted but is no longer an active member",
      "unexpected error TypeError: boom",
      "a secret appeared in an error or log line",
    ]);
  });
});

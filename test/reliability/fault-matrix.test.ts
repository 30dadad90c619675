/**
 * Each provider operation x each fault the emulator can inject, with both credential kinds: the
 * outcome, the exact calls Atlas saw, and what Atlas holds afterwards. One fault, injected once,
 * on the operation's own call.
 */
import type { FaultSpec } from "../../emulator";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import { ALICE, asProps, calls } from "../provider/helpers";
import { SENTINEL_EMULATOR, harness, leakedSentinels, outcome, renderings } from "./support";

const emulator = useEmulator(SENTINEL_EMULATOR);

type Fault =
  | "429 with Retry-After"
  | "429 without Retry-After"
  | "500"
  | "503"
  | "connection reset"
  | "slow response"
  | "reset after commit"
  | "RATE_LIMITED_IP"
  | "401"
  | "403"
  | "malformed JSON body";

const FAULTS: Record<Fault, FaultSpec> = {
  "429 with Retry-After": { status: 429, retryAfter: "1" },
  "429 without Retry-After": { status: 429 },
  "500": { status: 500 },
  "503": { status: 503 },
  "connection reset": { reset: true },
  // Past the 150 ms per-attempt timeout of the harness; the emulator never runs the operation.
  "slow response": { delayMs: 400 },
  "reset after commit": { commit: true, reset: true },
  RATE_LIMITED_IP: {
    status: 400,
    errorCode: "RATE_LIMITED_IP",
    detail: "Rate limit of 10 invitations per 1 minutes exceeded.",
  },
  "401": { status: 401 },
  "403": { status: 403 },
  "malformed JSON body": { malformedBody: true },
};

type Operation = "create" | "read" | "update" | "delete";

const OPERATION_ID: Record<Operation, string> = {
  create: "createOrgInvite",
  read: "getOrgInvite",
  update: "updateOrgInviteById",
  delete: "deleteOrgInvite",
};

/** `ok`, or the error's name and status. */
type Expected = { ok: true } | { error: string; status?: number };

interface Row {
  operation: Operation;
  fault: Fault;
  /** For the test name. */
  outcome: string;
  expected: Expected;
  calls: string[];
  /** Pending invitations for ALICE afterwards, with their roles. */
  final: string[][];
}

const OK = { ok: true } as const;
const MEMBER = ["ORG_MEMBER"];
const READ_ONLY = ["ORG_READ_ONLY"];
const TRANSIENT: Fault[] = [
  "429 with Retry-After",
  "429 without Retry-After",
  "500",
  "503",
  "connection reset",
];
const STATUS: Partial<Record<Fault, number>> = {
  "429 with Retry-After": 429,
  "429 without Retry-After": 429,
  "500": 500,
  "503": 503,
  "connection reset": 0,
};

function rows(kind: "digest" | "serviceAccount"): Row[] {
  const out: Row[] = [];
  const add = (
    operation: Operation,
    fault: Fault,
    rest: Omit<Row, "operation" | "fault" | "outcome">,
  ) => {
    const e = rest.expected;
    const said =
      "ok" in e ? "success" : `${e.error}${e.status === undefined ? "" : ` ${e.status}`}`;
    out.push({ operation, fault, outcome: said, ...rest });
  };
  // A bearer 401 renews the token and repeats the call once (the fault is consumed); a digest 401
  // without a fresh challenge is Atlas's final word.
  const renews = kind === "serviceAccount";

  // create: a POST is never repeated blindly. 429 and RATE_LIMITED_IP are refusals (repeat),
  // 5xx/reset/timeout are ambiguous (look up by username, then repeat or adopt).
  for (const f of ["429 with Retry-After", "429 without Retry-After"] as const) {
    add("create", f, {
      expected: OK,
      calls: ["listOrgInvites", "createOrgInvite:429", "createOrgInvite"],
      final: [MEMBER],
    });
  }
  for (const f of ["500", "503", "connection reset"] as const) {
    add("create", f, {
      expected: OK,
      calls: [
        "listOrgInvites",
        `createOrgInvite:${STATUS[f]}`,
        "listOrgInvites",
        "createOrgInvite",
      ],
      final: [MEMBER],
    });
  }
  add("create", "slow response", {
    expected: OK,
    calls: ["listOrgInvites", "listOrgInvites", "createOrgInvite", "createOrgInvite:0"],
    final: [MEMBER],
  });
  add("create", "reset after commit", {
    expected: OK,
    calls: ["listOrgInvites", "createOrgInvite:0", "listOrgInvites"],
    final: [MEMBER],
  });
  add("create", "RATE_LIMITED_IP", {
    expected: OK,
    calls: ["listOrgInvites", "createOrgInvite:400", "createOrgInvite"],
    final: [MEMBER],
  });
  add("create", "401", {
    expected: renews ? OK : { error: "AtlasApiError", status: 401 },
    calls: renews
      ? ["listOrgInvites", "createOrgInvite:401", "createOrgInvite"]
      : ["listOrgInvites", "createOrgInvite:401", "listOrgUsers"],
    final: renews ? [MEMBER] : [],
  });
  add("create", "403", {
    expected: { error: "AtlasApiError", status: 403 },
    calls: ["listOrgInvites", "createOrgInvite:403", "listOrgUsers"],
    final: [],
  });
  add("create", "malformed JSON body", {
    expected: OK,
    calls: ["listOrgInvites", "createOrgInvite", "listOrgInvites"],
    final: [MEMBER],
  });

  // read, update, delete: GET, PATCH and DELETE are safe to repeat.
  for (const op of ["read", "update", "delete"] as const) {
    const id = OPERATION_ID[op];
    const after = op === "update" ? [READ_ONLY] : op === "delete" ? [] : [MEMBER];
    for (const f of TRANSIENT) {
      add(op, f, { expected: OK, calls: [`${id}:${STATUS[f]}`, id], final: after });
    }
    add(op, "slow response", { expected: OK, calls: [id, `${id}:0`], final: after });
    add(op, "401", {
      expected: renews ? OK : { error: "AtlasApiError", status: 401 },
      calls: renews ? [`${id}:401`, id] : [`${id}:401`],
      final: renews ? after : [MEMBER],
    });
    add(op, "403", {
      expected: { error: "AtlasApiError", status: 403 },
      calls: [`${id}:403`],
      final: [MEMBER],
    });
  }
  add("read", "reset after commit", {
    expected: OK,
    calls: ["getOrgInvite:0", "getOrgInvite"],
    final: [MEMBER],
  });
  add("update", "reset after commit", {
    expected: OK,
    calls: ["updateOrgInviteById:0", "updateOrgInviteById"],
    final: [READ_ONLY],
  });
  // The DELETE landed; the repeat finds nothing and membership proves it is gone.
  add("delete", "reset after commit", {
    expected: OK,
    calls: ["deleteOrgInvite:0", "deleteOrgInvite:404", "listOrgUsers"],
    final: [],
  });
  // Only invitation-sending calls are paced and repeated on RATE_LIMITED_IP.
  add("read", "RATE_LIMITED_IP", {
    expected: { error: "AtlasApiError", status: 400 },
    calls: ["getOrgInvite:400"],
    final: [MEMBER],
  });
  add("update", "RATE_LIMITED_IP", {
    expected: OK,
    calls: ["updateOrgInviteById:400", "updateOrgInviteById"],
    final: [READ_ONLY],
  });
  add("delete", "RATE_LIMITED_IP", {
    expected: { error: "AtlasApiError", status: 400 },
    calls: ["deleteOrgInvite:400"],
    final: [MEMBER],
  });
  // A broken body is not retried: the read fails, the update fails although Atlas applied it
  // (the next refresh shows it), the delete's 204 has no body to break.
  add("read", "malformed JSON body", {
    expected: { error: "AtlasProtocolError" },
    calls: ["getOrgInvite"],
    final: [MEMBER],
  });
  add("update", "malformed JSON body", {
    expected: { error: "AtlasProtocolError" },
    calls: ["updateOrgInviteById"],
    final: [READ_ONLY],
  });
  add("delete", "malformed JSON body", {
    expected: OK,
    calls: ["deleteOrgInvite"],
    final: [],
  });
  return out;
}

/** The abandoned slow request is logged when the emulator gives up on it, after its delay. */
async function settled(emu: ReturnType<typeof emulator>): Promise<void> {
  for (let i = 0; i < 100 && !emu.log.entries().some((e) => e.faulted); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const INPUTS = { username: ALICE, roles: MEMBER, onAccepted: "fail" };

describe.each(["digest", "serviceAccount"] as const)("fault matrix with %s credentials", (kind) => {
  test.each(rows(kind))(
    "$operation under $fault ends in $outcome",
    async ({ operation, fault, expected, calls: expectedCalls, final }) => {
      const emu = emulator();
      const h = harness(emu, { kind });
      const inputs = { ...INPUTS, orgId: emu.orgId };
      let id = "";
      let outs: OrgInvitationOutputs | undefined;
      if (operation !== "create") {
        const created = await h.provider.create(inputs);
        id = created.id;
        outs = created.outs as OrgInvitationOutputs;
      }
      emu.log.clear();
      emu.control.injectFault({
        ...FAULTS[fault],
        match: { operationId: OPERATION_ID[operation] },
      });

      const result = await outcome<unknown>(
        operation === "create"
          ? h.provider.create(inputs)
          : operation === "read"
            ? h.provider.read(id, asProps(outs as OrgInvitationOutputs))
            : operation === "update"
              ? h.provider.update(id, asProps(outs as OrgInvitationOutputs), {
                  ...inputs,
                  roles: READ_ONLY,
                })
              : h.provider.delete(id, asProps(outs as OrgInvitationOutputs)),
      );

      if (fault === "slow response") await settled(emu);
      if ("ok" in expected) {
        if (!result.ok) throw result.error;
      } else {
        expect(result.ok).toBe(false);
        const error = (result as { error: unknown }).error as Error & { status?: number };
        expect(error.name).toBe(expected.error);
        if (expected.status !== undefined) expect(error.status).toBe(expected.status);
        // A clear error names the call and what Atlas said, never a raw dump.
        expect(error.message.length).toBeLessThan(400);
      }
      expect(calls(emu)).toEqual(expectedCalls);
      const pending = emu.control.invitations(emu.orgId).filter((i) => i.username === ALICE);
      expect(pending.map((i) => i.roles)).toEqual(final);
      if (operation !== "create" && final.length === 1) expect(pending[0]?.id).toBe(id);
      expect(
        emu.control.users(emu.orgId).filter((u) => u.orgMembershipStatus === "ACTIVE"),
      ).toEqual([]);
      const texts = [...h.lines, ...(result.ok ? [] : renderings(result.error))];
      expect(leakedSentinels(texts)).toEqual([]);
    },
  );
});

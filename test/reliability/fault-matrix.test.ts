/**
 * Each provider operation x each fault the emulator can inject, with both credential kinds: the
 * outcome, the exact calls Atlas saw, and what Atlas holds afterwards. One fault, injected once,
 * on the operation's own call.
 */
import type { FaultSpec } from "../../emulator";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import { ALICE, asProps, expectCalls, freshProcessState } from "../provider/helpers";
import { BACKENDS, RELIABILITY_VARIANTS, knob } from "../support/variants";
import type { AtlasVariant, Backend } from "../support/variants";
import { SENTINEL_EMULATOR, harness, leakedSentinels, outcome, renderings } from "./support";

const emulator = useEmulator(SENTINEL_EMULATOR);
freshProcessState();

type Fault =
  | "429 with Retry-After"
  | "429 without Retry-After"
  | "500"
  | "503"
  | "connection reset"
  | "slow response"
  | "reset after commit"
  | "invitation limit"
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
  // Replaced per variant by the code the emulator plays (invitationLimitCode).
  "invitation limit": { status: 400 },
  "401": { status: 401 },
  "403": { status: 403 },
  "malformed JSON body": { malformedBody: true },
};

type Operation = "create" | "read" | "update" | "delete";

/**
 * Where each operation's faulted call sits on each backend: the calls before it (`pre`; an array
 * inside is concurrent), the call itself (`op`), and the look-up that checks whether an ambiguous
 * create landed (`probe`).
 */
function shape(
  backend: Backend,
  operation: Operation,
): { pre: (string | string[])[]; op: string; probe: string } {
  const invites = backend === "invites";
  switch (operation) {
    case "create":
      return invites
        ? {
            pre: [["listOrgInvites", "listOrgUsers"]],
            op: "createOrgInvite",
            probe: "listOrgInvites",
          }
        : { pre: ["listOrgUsers"], op: "createOrgUser", probe: "listOrgUsers" };
    case "read":
      return { pre: [], op: invites ? "getOrgInvite" : "getOrgUser", probe: "" };
    case "update":
      return invites
        ? { pre: [], op: "updateOrgInviteById", probe: "" }
        : { pre: ["getOrgUser"], op: "updateOrgUser", probe: "" };
    case "delete":
      return invites
        ? { pre: [], op: "deleteOrgInvite", probe: "" }
        : { pre: ["getOrgUser"], op: "removeOrgUser", probe: "" };
  }
}

/** `ok`, or the error's name and status. */
type Expected = { ok: true } | { error: string; status?: number };

interface Row {
  operation: Operation;
  fault: Fault;
  /** For the test name. */
  outcome: string;
  expected: Expected;
  calls: (string | string[])[];
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

function rows(kind: "digest" | "serviceAccount", backend: Backend, v: AtlasVariant): Row[] {
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

  // create: a POST is never repeated blindly. 429 and the invitation limit are refusals (repeat);
  // 5xx, resets and timeouts are ambiguous: look the person up, then adopt or repeat.
  {
    const { pre, op, probe } = shape(backend, "create");
    for (const f of ["429 with Retry-After", "429 without Retry-After"] as const) {
      add("create", f, { expected: OK, calls: [...pre, `${op}:429`, op], final: [MEMBER] });
    }
    for (const f of ["500", "503", "connection reset"] as const) {
      add("create", f, {
        expected: OK,
        calls: [...pre, `${op}:${STATUS[f]}`, probe, op],
        final: [MEMBER],
      });
    }
    add("create", "slow response", {
      expected: OK,
      calls: [...pre, probe, op, `${op}:0`],
      final: [MEMBER],
    });
    add("create", "reset after commit", {
      expected: OK,
      calls: [...pre, `${op}:0`, probe],
      final: [MEMBER],
    });
    add("create", "invitation limit", {
      expected: OK,
      calls: [...pre, `${op}:400`, op],
      final: [MEMBER],
    });
    add("create", "401", {
      expected: renews ? OK : { error: "AtlasApiError", status: 401 },
      calls: renews ? [...pre, `${op}:401`, op] : [...pre, `${op}:401`, "listOrgUsers"],
      final: renews ? [MEMBER] : [],
    });
    add("create", "403", {
      expected: { error: "AtlasApiError", status: 403 },
      calls: [...pre, `${op}:403`, "listOrgUsers"],
      final: [],
    });
    add("create", "malformed JSON body", {
      expected: OK,
      calls: [...pre, op, probe],
      final: [MEMBER],
    });
  }

  // read, update, delete: GET, PATCH and DELETE are safe to repeat (the org users writes re-read
  // the user's status before each attempt: the guard is part of `pre` on every repeat).
  for (const operation of ["read", "update", "delete"] as const) {
    const { pre, op } = shape(backend, operation);
    const after = operation === "update" ? [READ_ONLY] : operation === "delete" ? [] : [MEMBER];
    for (const f of TRANSIENT) {
      add(operation, f, {
        expected: OK,
        calls: [...pre, `${op}:${STATUS[f]}`, ...pre, op],
        final: after,
      });
    }
    add(operation, "slow response", {
      expected: OK,
      calls: [...pre, ...pre, op, `${op}:0`],
      final: after,
    });
    add(operation, "401", {
      expected: renews ? OK : { error: "AtlasApiError", status: 401 },
      calls: renews ? [...pre, `${op}:401`, op] : [...pre, `${op}:401`],
      final: renews ? after : [MEMBER],
    });
    add(operation, "403", {
      expected: { error: "AtlasApiError", status: 403 },
      calls: [...pre, `${op}:403`],
      final: [MEMBER],
    });
    add(operation, "malformed JSON body", {
      expected: operation === "delete" ? OK : { error: "AtlasProtocolError" },
      calls: [...pre, op],
      final: after,
    });
  }
  const gone = Number(knob(v, "missingInvitationAnswer"));
  const { pre: readPre, op: readOp } = shape(backend, "read");
  add("read", "reset after commit", {
    expected: OK,
    calls: [...readPre, `${readOp}:0`, readOp],
    final: [MEMBER],
  });
  const { pre: updatePre, op: updateOp } = shape(backend, "update");
  add("update", "reset after commit", {
    expected: OK,
    calls: [...updatePre, `${updateOp}:0`, ...updatePre, updateOp],
    final: [READ_ONLY],
  });
  // The DELETE landed; the repeat finds nothing and membership proves it is gone.
  add("delete", "reset after commit", {
    expected: OK,
    calls:
      backend === "invites"
        ? ["deleteOrgInvite:0", `deleteOrgInvite:${gone}`, "listOrgUsers"]
        : ["getOrgUser", "removeOrgUser:0", "getOrgUser:404", "listOrgUsers"],
    final: [],
  });
  // Only invitation-sending calls are paced and repeated on the invitation limit.
  add("read", "invitation limit", {
    expected: { error: "AtlasApiError", status: 400 },
    calls: [...readPre, `${readOp}:400`],
    final: [MEMBER],
  });
  add("update", "invitation limit", {
    expected: OK,
    calls: [...updatePre, `${updateOp}:400`, ...updatePre, updateOp],
    final: [READ_ONLY],
  });
  const { pre: deletePre, op: deleteOp } = shape(backend, "delete");
  add("delete", "invitation limit", {
    expected: { error: "AtlasApiError", status: 400 },
    calls: [...deletePre, `${deleteOp}:400`],
    final: [MEMBER],
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

describe.each(BACKENDS)("fault matrix on the %s API", (backend: Backend) => {
  describe.each(RELIABILITY_VARIANTS)("with Atlas $name", (v: AtlasVariant) => {
    beforeEach(() => emulator().control.setKnobs(v.knobs));

    describe.each(["digest", "serviceAccount"] as const)("and %s credentials", (kind) => {
      test.each(rows(kind, backend, v))(
        "$operation under $fault ends in $outcome",
        async ({ operation, fault, expected, calls: expectedCalls, final }) => {
          const emu = emulator();
          const h = await harness(emu, { kind, api: backend });
          const inputs = { ...INPUTS, orgId: emu.orgId };
          let id = "";
          let outs: OrgInvitationOutputs | undefined;
          if (operation !== "create") {
            const created = await h.provider.create(inputs);
            id = created.id;
            outs = created.outs as OrgInvitationOutputs;
          }
          emu.log.clear();
          const spec =
            fault === "invitation limit"
              ? {
                  status: 400,
                  errorCode: knob(v, "invitationLimitCode"),
                  detail: "Rate limit of 10 invitations per 1 minutes exceeded.",
                }
              : FAULTS[fault];
          emu.control.injectFault({
            ...spec,
            match: { operationId: shape(backend, operation).op },
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
            expect(error.message.length).toBeLessThan(500);
          }
          expectCalls(emu, expectedCalls);
          const pending = emu.control.invitations(emu.orgId).filter((i) => i.username === ALICE);
          expect(pending.map((i) => i.roles)).toEqual(final);
          expect(
            emu.control.users(emu.orgId).filter((u) => u.orgMembershipStatus === "ACTIVE"),
          ).toEqual([]);
          const texts = [...h.lines, ...(result.ok ? [] : renderings(result.error))];
          expect(leakedSentinels(texts)).toEqual([]);
        },
      );
    });
  });
});

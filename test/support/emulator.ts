/**
 * The one way test suites start the emulator: every exchange it serves is checked against the
 * OpenAPI slice (test/support/contract.ts), and `useEmulator` fails a test whose requests or
 * responses left the contract, the way msw resets handlers between tests.
 */
import { startEmulator } from "../../emulator";
import type { EmulatorOptions, Exchange, RequestLog, RunningEmulator } from "../../emulator";
import { describeViolations, validateExchange } from "./contract";
import type { ContractViolation } from "./contract";

export type TestEmulatorOptions = EmulatorOptions & {
  /** "strict" (default) validates every exchange; "off" records nothing. */
  contract?: "strict" | "off";
};

export type TestEmulator = RunningEmulator & {
  /** Violations found since the start or the last clear/take. */
  violations(): ContractViolation[];
  /** Throws one error listing every violation found. */
  assertContract(): void;
  clearViolations(): void;
  /**
   * Returns the violations found and forgets them: for a test that sends an off-contract request
   * on purpose (say a wrong Accept version) and asserts on what was flagged.
   */
  takeViolations(): ContractViolation[];
};

/**
 * What the request log knows about an exchange: whether an injected fault answered it, and
 * whether its body is deliberately malformed (FaultSpec.malformedBody answers the real status
 * with bytes that are not JSON, which the emulator reports as an undefined body). Injected error
 * statuses are not exempt from the contract: they still need an ApiError body.
 */
function faultOf(
  exchange: Exchange,
  log: RequestLog,
): { injected: boolean; malformedBody: boolean } {
  const injected = log
    .entries({ method: exchange.method, status: exchange.status })
    .some((e) => e.faulted && e.path === exchange.path);
  const length = Number(exchange.responseHeaders["content-length"] ?? "0");
  const unparsed = exchange.responseBody === undefined && (injected || length > 0);
  return { injected, malformedBody: unparsed };
}

function check(exchange: Exchange, log: RequestLog): ContractViolation[] {
  try {
    return validateExchange(exchange, faultOf(exchange, log));
  } catch (err: unknown) {
    // A validator bug must fail the test, not pass silently or crash the request handler.
    const reason = err instanceof Error ? err.message : String(err);
    return [
      {
        where: "response",
        operationId: exchange.operationId,
        method: exchange.method,
        path: exchange.path,
        status: exchange.status,
        message: `contract validator threw on ${exchange.method} ${exchange.path}: ${reason}`,
      },
    ];
  }
}

export async function startTestEmulator(options: TestEmulatorOptions = {}): Promise<TestEmulator> {
  const { contract = "strict", onExchange, ...rest } = options;
  // Exchanges are checked lazily, when violations are asked for: by then the request log holds
  // the entry of every finished request, whichever the emulator writes first.
  const pending: Exchange[] = [];
  const found: ContractViolation[] = [];
  const emulator = await startEmulator({
    ...rest,
    onExchange: (exchange: Exchange) => {
      if (contract === "strict") pending.push(exchange);
      onExchange?.(exchange);
    },
  });
  const flush = (): ContractViolation[] => {
    for (const exchange of pending.splice(0)) found.push(...check(exchange, emulator.log));
    return found;
  };
  const extra = {
    violations: (): ContractViolation[] => [...flush()],
    clearViolations: (): void => {
      pending.length = 0;
      found.length = 0;
    },
    takeViolations: (): ContractViolation[] => flush().splice(0),
    assertContract: (): void => {
      const all = flush();
      if (all.length === 0) return;
      throw new Error(`${all.length} OpenAPI contract violation(s):\n${describeViolations(all)}`);
    },
  };
  return Object.assign(emulator, extra);
}

/**
 * Jest lifecycle: one emulator per suite (beforeAll), fresh state and no recorded violations for
 * each test (beforeEach), the contract asserted after each test (a divergence fails that test),
 * closed in afterAll. Call the returned getter inside tests or hooks.
 */
export function useEmulator(options?: TestEmulatorOptions): () => TestEmulator {
  let emulator: TestEmulator | undefined;
  const get = (): TestEmulator => {
    if (emulator === undefined) {
      throw new Error("useEmulator: the emulator is not running (use the getter inside a test)");
    }
    return emulator;
  };
  beforeAll(async () => {
    emulator = await startTestEmulator(options);
  });
  beforeEach(async () => {
    await get().control.reset();
    get().clearViolations();
  });
  afterEach(() => {
    // Undefined only when beforeAll failed, which jest already reports.
    emulator?.assertContract();
  });
  afterAll(async () => {
    await emulator?.close();
    emulator = undefined;
  });
  return get;
}

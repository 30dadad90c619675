/**
 * One email address in two Unicode forms (issue 19, item 5), for the tests that send one. UAX #15
 * (https://unicode.org/reports/tr15/) makes "é" as one code point (Normalization Form C) and "e"
 * followed by U+0301 COMBINING ACUTE ACCENT (Form D) canonically equivalent: one address to a
 * person, two strings to a program.
 *
 * The OpenAPI slice types usernames as `format: email`, which is ASCII only (JSON Schema leaves
 * internationalised addresses to `idn-email`), so every exchange that carries such an address
 * breaks that one rule. The emulator accepts them on purpose (emulator/validate.ts), and
 * `useEmulatorWithUnicodeAddresses` lets exactly that rule pass while every other contract
 * violation still fails the test.
 */
import type { ContractViolation } from "./contract";
import { describeViolations } from "./contract";
import { useEmulator } from "./emulator";
import type { TestEmulator, TestEmulatorOptions } from "./emulator";

/** "rené@example.com" with é as U+00E9 (NFC). */
export const RENE_NFC = "ren\u00e9@example.com";
/** The same address with e + U+0301 (NFD). */
export const RENE_NFD = "rene\u0301@example.com";
/** NFD, and another letter case. */
export const RENE_NFD_SHOUTED = "Rene\u0301@Example.COM";

/** The one rule a non-ASCII address breaks: the slice's `format: email`, in a body or a query. */
function isAddressFormat(violation: ContractViolation): boolean {
  return /must match format "email"$/.test(violation.message);
}

/**
 * `useEmulator` (one emulator per file, reset before each test, the contract checked after each),
 * except that a username's `format: email` is not enforced. Its check runs before useEmulator's,
 * because jest runs afterEach hooks in the order they were declared.
 */
export function useEmulatorWithUnicodeAddresses(options?: TestEmulatorOptions): () => TestEmulator {
  // `get` is read only when the hook runs, after useEmulator below has set it.
  afterEach(() => {
    const emulator = get();
    const others = emulator.takeViolations().filter((v) => !isAddressFormat(v));
    if (others.length > 0) {
      throw new Error(
        `${others.length} OpenAPI contract violation(s):\n${describeViolations(others)}`,
      );
    }
  });
  const get = useEmulator(options);
  return get;
}

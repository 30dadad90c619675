/**
 * The Atlas variants every lifecycle and reliability suite runs under: each behaviour the emulator
 * plays where no recording or spec text settles Atlas's answer (emulator/README.md, "Unconfirmed
 * Atlas behaviours").
 * - SAFETY_VARIANTS: every combination of the three knobs a safety decision could rest on
 *   (letter case of usernames, the answer for a missing invitation, a second POST for a pending
 *   person): 2 x 2 x 3.
 * - ONE_AT_A_TIME: every other value of every other knob, alone (the rest at their defaults).
 * - BACKENDS: both Atlas APIs that can carry the invitations.
 */
import { KNOB_VALUES } from "../../emulator";
import type { KnobSettings } from "../../emulator";

export interface AtlasVariant {
  /** Reads as a sentence fragment: "with Atlas usernameCase=exact, ...". */
  name: string;
  knobs: Partial<KnobSettings>;
}

function describeKnobs(knobs: Partial<KnobSettings>): string {
  const parts = Object.entries(knobs).map(
    ([k, v]) => `${k}=${v === null ? "none" : JSON.stringify(v).replace(/"/g, "")}`,
  );
  return parts.length > 0 ? parts.join(", ") : "defaults";
}

function variant(knobs: Partial<KnobSettings>): AtlasVariant {
  return { name: describeKnobs(knobs), knobs };
}

export const SAFETY_VARIANTS: readonly AtlasVariant[] = KNOB_VALUES.usernameCase.flatMap(
  (usernameCase) =>
    KNOB_VALUES.missingInvitationAnswer.flatMap((missingInvitationAnswer) =>
      KNOB_VALUES.duplicateInvitePolicy.map((duplicateInvitePolicy) =>
        variant({ usernameCase, missingInvitationAnswer, duplicateInvitePolicy }),
      ),
    ),
);

const SAFETY_KNOBS: readonly string[] = [
  "usernameCase",
  "missingInvitationAnswer",
  "duplicateInvitePolicy",
];

/** Each non-default value of each other knob, alone; the no-rate-limit-headers Atlas among them. */
export const ONE_AT_A_TIME: readonly AtlasVariant[] = [
  ...Object.entries(KNOB_VALUES)
    .filter(([name]) => !SAFETY_KNOBS.includes(name))
    .flatMap(([name, values]) => values.slice(1).map((value) => variant({ [name]: value }))),
  variant({ tokenBucket: null }),
];

export const ALL_VARIANTS: readonly AtlasVariant[] = [...SAFETY_VARIANTS, ...ONE_AT_A_TIME];

/**
 * The reliability suites' set: the defaults (the least favourable answer of every knob), then
 * every other value of every knob, one at a time.
 */
export const RELIABILITY_VARIANTS: readonly AtlasVariant[] = [
  variant({}),
  ...Object.entries(KNOB_VALUES)
    .filter(([name]) => SAFETY_KNOBS.includes(name))
    .flatMap(([name, values]) => values.slice(1).map((value) => variant({ [name]: value }))),
  ...ONE_AT_A_TIME,
];

export type Backend = "invites" | "users";
export const BACKENDS: readonly Backend[] = ["invites", "users"];

/** The value a knob has in a variant: its own, or the emulator's default (the first value). */
export function knob<K extends keyof typeof KNOB_VALUES>(
  v: AtlasVariant,
  name: K,
): (typeof KNOB_VALUES)[K][number] {
  return (v.knobs[name] as (typeof KNOB_VALUES)[K][number] | undefined) ?? KNOB_VALUES[name][0];
}

/**
 * The knobs' names and allowed values, and the check a patch of knobs passes (in process or
 * decoded from JSON) before the control API applies it.
 */
import { ControlError } from "./errors";
import type { KnobSettings } from "./types";

/** Every knob's allowed values; the first is the default (the least favourable answer). */
export const KNOB_VALUES = {
  duplicateInvitePolicy: ["duplicate", "replace", "reject"],
  missingInvitationAnswer: ["400", "404"],
  usernameCase: ["exact", "insensitive"],
  usernameNormalization: ["none", "nfc"],
  usernameStorage: ["as-sent", "lower-case"],
  invitationLimitCode: ["INVITATIONS_RATE_LIMITED_IP", "RATE_LIMITED_IP"],
  acceptedUserId: ["new", "same"],
  reinvitedUserId: ["new", "same"],
  lapsedInvitations: ["listed", "dropped"],
} as const satisfies {
  [K in keyof KnobSettings]?: readonly KnobSettings[K][];
};

const KNOB_NAMES: readonly (keyof KnobSettings)[] = [
  ...(Object.keys(KNOB_VALUES) as (keyof typeof KNOB_VALUES)[]),
  "invitationLimit",
  "tokenBucket",
];

/** Knobs also arrive as JSON over HTTP: refuse bad values with a plain message. */
export function checkKnobs(patch: Partial<KnobSettings>): void {
  const bad = (what: string): never => {
    throw new ControlError(`invalid knob ${what}`, 400);
  };
  if (typeof patch !== "object" || patch === null) bad(": the knobs must be an object");
  for (const name of Object.keys(patch)) {
    if (!KNOB_NAMES.includes(name as keyof KnobSettings)) {
      bad(`${name}: no such knob (knobs: ${KNOB_NAMES.join(", ")})`);
    }
  }
  for (const [name, allowed] of Object.entries(KNOB_VALUES) as [string, readonly string[]][]) {
    const value = (patch as Record<string, unknown>)[name];
    if (value !== undefined && !allowed.includes(value as string)) {
      bad(
        `${name} ${JSON.stringify(value)}: use one of ${allowed.map((a) => `"${a}"`).join(", ")}`,
      );
    }
  }
  const { invitationLimit: lim, tokenBucket: tb } = patch;
  if (lim !== undefined && lim !== null) {
    if (!(isPositive(lim.count) && isPositive(lim.windowMs))) {
      bad("invitationLimit: {count, windowMs} must be positive numbers, or null for no limit");
    }
  }
  if (tb !== undefined && tb !== null) {
    if (!(
      isPositive(tb.capacity) &&
      typeof tb.refillPerSecond === "number" &&
      tb.refillPerSecond >= 0
    )) {
      bad(
        "tokenBucket: {capacity > 0, refillPerSecond >= 0}, or null for no bucket and no headers",
      );
    }
  }
}

function isPositive(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

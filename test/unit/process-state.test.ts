/**
 * One owner for the process's shared state (issue 20, item 4): `resetProcessState` forgets all of
 * it, where tests used to call six `clear*` functions. Checked through the behaviour each piece
 * gives: one shared client per settings, one Sunset warning per process, the backend choice after
 * a 410, and the views and sessions the owner holds.
 */
import { getSharedAtlasClient } from "../../provider/atlas/client";
import { Secret } from "../../provider/atlas/secret";
import type { AtlasSettings } from "../../provider/atlas/settings";
import { backendFor, moveToUsers } from "../../provider/backends/select";
import { noticeSunset } from "../../provider/backends/sunset";
import { processState, resetProcessState } from "../../provider/process-state";

const SETTINGS: AtlasSettings = {
  baseUrl: "http://127.0.0.1:9",
  credentials: { kind: "digest", publicKey: "pub", privateKey: new Secret("priv") },
};
const SUNSET = { status: 200, headers: { sunset: "Thu, 1 Jul 2027 00:00:00 GMT" } };

afterEach(() => resetProcessState());

describe("the process's shared state", () => {
  it("hands out one shared client per settings until the reset, then a new one", () => {
    const first = getSharedAtlasClient(SETTINGS);
    expect(getSharedAtlasClient(SETTINGS)).toBe(first);
    resetProcessState();
    expect(getSharedAtlasClient(SETTINGS)).not.toBe(first);
  });

  it("warns about the Sunset header once per process, and again after the reset", () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => void warnings.push(m) };
    noticeSunset(SUNSET, "auto", logger);
    noticeSunset(SUNSET, "auto", logger);
    expect(warnings).toHaveLength(1);
    resetProcessState();
    noticeSunset(SUNSET, "auto", logger);
    expect(warnings).toHaveLength(2);
  });

  it("forgets the move to the org users API that a 410 made", () => {
    const client = getSharedAtlasClient(SETTINGS);
    expect(moveToUsers(SETTINGS.baseUrl, {})).toBe(true);
    expect(backendFor("auto", SETTINGS.baseUrl, client).api).toBe("users");
    resetProcessState();
    expect(backendFor("auto", SETTINGS.baseUrl, client).api).toBe("invites");
  });

  it("empties every map the Atlas client shares, and the coalescers", () => {
    const client = getSharedAtlasClient(SETTINGS);
    processState.coalescers.set(client, new Map());
    processState.atlas.digestSessions.set("k", { challenge: undefined, nc: 0, gate: undefined });
    resetProcessState();
    const { atlas } = processState;
    expect([
      atlas.clients.size,
      atlas.digestSessions.size,
      atlas.tokenSessions.size,
      atlas.buckets.size,
      atlas.invitationViews.size,
      processState.coalescers.has(client),
    ]).toEqual([0, 0, 0, 0, 0, false]);
  });
});

/**
 * Secrets on the reliability paths: sentinel credentials in Pulumi config and the environment
 * never show in the provider object, its errors or its log lines, nor does any Authorization
 * value (a bearer token or a digest response).
 */
import { inspect } from "node:util";
import { OrgInvitationProvider } from "../../provider/provider";
import { configRequest } from "../provider/helpers";
import { useEmulator } from "../support/emulator";
import {
  SENTINELS,
  SENTINEL_EMULATOR,
  harness,
  leakedSentinels,
  outcome,
  renderings,
} from "./support";

const emulator = useEmulator(SENTINEL_EMULATOR);

describe("secrets", () => {
  it("keeps config secrets out of the serialized and inspected provider", async () => {
    const provider = new OrgInvitationProvider();
    await provider.configure(
      configRequest({
        "mongodbatlas:publicKey": "public",
        "mongodbatlas:privateKey": SENTINELS.privateKey,
        "mongodbatlas:clientId": "mdb_sa_id_x",
        "mongodbatlas:clientSecret": SENTINELS.clientSecret,
      }),
    );
    const shown = [JSON.stringify(provider), inspect(provider, { depth: 10, showHidden: true })];
    expect(leakedSentinels(shown)).toEqual([]);
    // The settings still resolve from the private copy.
    expect(provider.settings().atlas.credentials.kind).toBe("serviceAccount");
  });

  it.each(["digest", "serviceAccount"] as const)(
    "says nothing secret when %s credentials are refused on every call",
    async (kind) => {
      const emu = emulator();
      const h = await harness(emu, { kind });
      emu.control.injectFault({ status: 401, times: Infinity });
      const result = await outcome(
        h.provider.create({
          orgId: emu.orgId,
          username: "jane@example.com",
          roles: ["ORG_MEMBER"],
        }),
      );
      expect(result.ok).toBe(false);
      const texts = [...h.lines, ...renderings((result as { error: unknown }).error)];
      expect(leakedSentinels(texts)).toEqual([]);
    },
  );
});

/**
 * Behind a corporate HTTPS proxy under the real CLI: the proxy variables, the private CA
 * (`NODE_EXTRA_CA_CERTS`) and the proxy's Basic credentials are set in the environment of the
 * `pulumi` command only, and must reach the dynamic-provider plugin the CLI starts. The provider
 * uses its default base URL, https://cloud.mongodb.com, which the loopback DNS preload and the
 * proxy's tunnels turn into the TLS emulator (test/host/proxy-support.ts). Up, a refresh after an
 * acceptance and a refused destroy all go through tunnels to cloud.mongodb.com:443, and the proxy
 * password appears in no output, no file of the backend and no exported state.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliStack } from "../../host-harness/cli-stack";
import type { ConnectProxy } from "../support/connect-proxy";
import type { TestEmulator } from "../support/emulator";
import { SECRET_CONFIG_KEYS, expectNoMemberRemoved } from "../host/helpers";
import {
  ATLAS_HOST,
  PROXY_PASSWORD_SENTINEL,
  PROXY_USER,
  expectNoSecret,
  proxiedConfig,
  proxiedEnv,
  proxyUrlWith,
  startTlsEmulator,
  tunnelTo,
} from "../host/proxy-support";
import { expectExit, invitationOf, opsOf, useCli, useConsumer } from "./helpers";

describe("the provider behind an HTTPS proxy with Basic credentials, under the real CLI", () => {
  const consumer = useConsumer();
  const cli = useCli();
  let emulator: TestEmulator;
  let hostHeaders: string[];
  let proxy: ConnectProxy;
  let dir: string;
  let stack: CliStack;

  beforeAll(async () => {
    let caFile: string;
    ({ emulator, hostHeaders, caFile } = await startTlsEmulator());
    proxy = await tunnelTo(emulator, {
      auth: { username: PROXY_USER, password: PROXY_PASSWORD_SENTINEL },
    });
    dir = await mkdtemp(join(tmpdir(), "engine-proxy-"));
    stack = await CliStack.create({
      consumer: consumer(),
      cli: cli(),
      dir,
      stack: "proxied",
      env: proxiedEnv({ httpsProxy: proxyUrlWith(proxy.port, PROXY_PASSWORD_SENTINEL), caFile }),
    });
    const { config } = proxiedConfig(emulator, "serviceAccount");
    await stack.setConfig(config, SECRET_CONFIG_KEYS);
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("creates, refreshes and refuses the accepted one's delete through tunnels to cloud.mongodb.com:443, writing the proxy password nowhere", async () => {
    const program = [invitationOf("rosa", emulator.orgId), invitationOf("sami", emulator.orgId)];
    const up = await stack.up(program);
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["rosa: create", "sami: create"]);
    emulator.control.acceptInvitation(emulator.orgId, "rosa@example.com");
    const refresh = await stack.refresh();
    expectExit(refresh, 0);
    expect(refresh.steps.find((s) => s.name === "rosa")?.outputs?.["status"]).toBe("ACCEPTED");
    const destroy = await stack.destroy();
    expect(destroy.exitCode).toBe(1);
    expect(destroy.steps.find((s) => s.name === "rosa")?.errors.join("\n")).toMatch(/accepted/);
    expect(emulator.control.invitations(emulator.orgId)).toEqual([]);
    expectNoMemberRemoved(emulator);

    // Every request went through an authenticated tunnel, addressed to Atlas's own host.
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    for (const tunnel of proxy.tunnels)
      expect(tunnel).toMatchObject({
        authority: `${ATLAS_HOST}:443`,
        proxyAuthorizationPresent: true,
        proxyAuthorizationValid: true,
      });
    expect(proxy.refusedTunnels).toEqual([]);
    expect(proxy.plainRequests).toEqual([]);
    expect(new Set(hostHeaders)).toEqual(new Set([ATLAS_HOST]));

    const places: Record<string, string> = {
      "pulumi stack export": JSON.stringify(await stack.exportState()),
    };
    for (const r of [up, refresh, destroy]) {
      places[`pulumi ${r.command} stdout`] = r.stdout;
      places[`pulumi ${r.command} stderr`] = r.stderr;
      places[`pulumi ${r.command} events`] = JSON.stringify(r.events);
    }
    for (const f of await stack.backendFiles()) places[f.path] = f.text;
    expectNoSecret(places, [PROXY_PASSWORD_SENTINEL], PROXY_USER);
  }, 300_000);
});

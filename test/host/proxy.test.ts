/**
 * Issue 11: the packed provider behind a corporate HTTPS proxy (`HTTPS_PROXY`, `NO_PROXY`),
 * trusting a private CA (`NODE_EXTRA_CA_CERTS`), through the SDK's real dynamic-provider host.
 *
 * The emulator serves HTTPS with a throwaway CA whose leaf covers cloud.mongodb.com; a local
 * CONNECT proxy (test/support/connect-proxy.ts) sends every tunnel to it. The provider keeps its
 * default base URL, https://cloud.mongodb.com (no `mongodbatlas:baseUrl` in the stack config), so
 * it reaches the emulator only through the proxy, with TLS end to end. The settings are the host
 * child's environment, since Node reads NODE_EXTRA_CA_CERTS when it starts; and the child loads
 * test/support/loopback-dns.js, so no host name can resolve to anything but 127.0.0.1 and no DNS
 * query is ever sent: nothing here can reach the real Atlas.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { serializeDeclarations } from "../../host-harness";
import type { HostClient, Props, Registration } from "../../host-harness";
import { childEnv } from "../../host-harness/exec";
import type { ConnectProxy } from "../support/connect-proxy";
import type { TestEmulator } from "../support/emulator";
import {
  STRATEGIES,
  apiCalls,
  expectRequestsOnContract,
  invitation,
  takeLog,
  useConsumer,
} from "./helpers";
import {
  ATLAS_HOST,
  PROXY_PASSWORD_SENTINEL,
  PROXY_USER,
  proxyUrlWith,
  startTlsEmulator,
  tunnelTo,
  LOOPBACK_DNS_ANNOUNCEMENT,
  QUICK_RETRIES,
  closedPort,
  declare,
  expectNoSecret,
  hostFailure,
  portOf,
  proxiedEnv,
  startProxiedHost,
} from "./proxy-support";

const WRONG_PROXY_PASSWORD_SENTINEL = "SENTINEL-WRONG-proxy-pass-8b2c";
const SETUP_TIMEOUT_MS = 120_000;

describe("the packed provider behind an HTTPS proxy, trusting a private CA, through the real host", () => {
  const consumer = useConsumer();
  let emulator: TestEmulator;
  let hostHeaders: string[];
  let caFile: string;
  let template: Registration;
  let seq = 0;
  const fresh = (prefix: string, args: Props = {}) => declare(template, `${prefix}-${++seq}`, args);

  beforeAll(async () => {
    ({ emulator, hostHeaders, caFile } = await startTlsEmulator());
    [template] = (await serializeDeclarations(consumer(), [
      invitation("template", emulator.orgId),
    ])) as [Registration];
  }, SETUP_TIMEOUT_MS);

  beforeEach(() => {
    takeLog(emulator);
    hostHeaders.length = 0;
    emulator.clearViolations();
  });
  afterEach(() => expectRequestsOnContract(emulator));
  afterAll(async () => {
    await emulator?.close();
  });

  it("the hosts' DNS preload resolves every name to 127.0.0.1 and refuses queries to DNS servers", async () => {
    const script = `
      const dns = require("node:dns");
      Promise.all([
        dns.promises.lookup("${ATLAS_HOST}"),
        new Promise((r) => dns.lookup("${ATLAS_HOST}", { all: true }, (e, a) => r(e ? e.code : a))),
        dns.promises.resolve4("${ATLAS_HOST}").catch((e) => e.code),
        new dns.promises.Resolver().resolveAny("${ATLAS_HOST}").catch((e) => e.code),
      ]).then((r) => process.stdout.write(JSON.stringify(r)));`;
    const child = spawn(process.execPath, ["-e", script], {
      env: childEnv(proxiedEnv({ caFile })),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const [code] = (await once(child, "exit")) as [number | null];
    expect({ code, stderr: stderr.trim() }).toEqual({ code: 0, stderr: LOOPBACK_DNS_ANNOUNCEMENT });
    expect(JSON.parse(stdout)).toEqual([
      { address: "127.0.0.1", family: 4 },
      [{ address: "127.0.0.1", family: 4 }],
      "ECONNREFUSED",
      "ECONNREFUSED",
    ]);
  });

  describe.each(STRATEGIES)("with %s credentials, through a tunnelling proxy", (strategy) => {
    let proxy: ConnectProxy;
    let host: HostClient;

    beforeAll(async () => {
      proxy = await tunnelTo(emulator);
      host = await startProxiedHost(consumer(), emulator, {
        strategy,
        httpsProxy: proxy.url,
        caFile,
      });
    }, SETUP_TIMEOUT_MS);
    afterAll(async () => {
      await host?.close();
      await proxy?.close();
    });

    it("checks, creates, reads, updates and deletes a pending invitation at https://cloud.mongodb.com, through tunnels to cloud.mongodb.com:443", async () => {
      const { urn, inputs } = fresh(`proxied-${strategy}`);
      const checked = await host.check(urn, {}, inputs);
      expect(checked.failures).toEqual([]);

      const { id, properties } = await host.create(urn, checked.inputs);
      expect(properties).toMatchObject({ invitationId: id, status: "PENDING" });
      const stored = () => emulator.control.invitations(emulator.orgId).find((i) => i.id === id);
      expect(stored()?.username).toBe(inputs["username"]);

      const read = await host.read(urn, id, properties, checked.inputs);
      expect(read).toMatchObject({ id, properties: { status: "PENDING", roles: ["ORG_MEMBER"] } });

      const news = { ...checked.inputs, roles: ["ORG_READ_ONLY"] };
      const updated = await host.update(urn, id, read.properties, news, checked.inputs);
      expect(updated.properties).toMatchObject({ invitationId: id, roles: ["ORG_READ_ONLY"] });
      expect(stored()?.roles).toEqual(["ORG_READ_ONLY"]);

      await host.delete(urn, id, updated.properties, news);
      expect(stored()).toBeUndefined();

      const calls = apiCalls(takeLog(emulator));
      for (const call of [
        "GET listOrgInvites",
        "POST createOrgInvite",
        "PATCH updateOrgInviteById",
        "DELETE deleteOrgInvite",
      ])
        expect(calls).toContain(call);
      // Every request Atlas got was addressed to its default host, on 443: through the tunnel.
      expect(new Set(hostHeaders)).toEqual(new Set([ATLAS_HOST]));
      expect(proxy.tunnels.length).toBeGreaterThan(0);
      expect(new Set(proxy.tunnels.map((t) => t.authority))).toEqual(
        new Set([`${ATLAS_HOST}:443`]),
      );
      expect(proxy.refusedTunnels).toEqual([]);
      expect(proxy.plainRequests).toEqual([]);
    });

    it("refuses to delete an accepted invitation through the proxy, leaving the member active", async () => {
      const { urn, inputs } = fresh(`proxied-accepted-${strategy}`);
      const checked = await host.check(urn, {}, inputs);
      const { id, properties } = await host.create(urn, checked.inputs);
      emulator.control.acceptInvitation(emulator.orgId, id);
      const refreshed = await host.read(urn, id, properties, checked.inputs);
      expect(refreshed.properties["status"]).toBe("ACCEPTED");
      takeLog(emulator);

      const error = await hostFailure(host.delete(urn, id, refreshed.properties, checked.inputs));
      expect(error.message).toContain(inputs["username"]);
      expect(error.message).toMatch(/onAccepted: "retain"/);
      expect(apiCalls(takeLog(emulator))).toEqual(["GET listOrgUsers"]);
      const member = emulator.control
        .users(emulator.orgId)
        .find((u) => u.username === inputs["username"]);
      expect(member?.orgMembershipStatus).toBe("ACTIVE");
      expect(new Set(proxy.tunnels.map((t) => t.authority))).toEqual(
        new Set([`${ATLAS_HOST}:443`]),
      );
      expect(proxy.plainRequests).toEqual([]);
    });

    it("ran with the loopback DNS preload and wrote no Atlas credential", () => {
      const { stdout, stderr } = host.output();
      expect(stderr).toContain(LOOPBACK_DNS_ANNOUNCEMENT);
      const { privateKey, clientSecret } = emulator.credentials;
      expectNoSecret({ stdout, stderr }, [privateKey, clientSecret]);
    });
  });

  describe("through a proxy that requires Basic credentials", () => {
    let proxy: ConnectProxy;
    let host: HostClient;

    beforeAll(async () => {
      proxy = await tunnelTo(emulator, {
        auth: { username: PROXY_USER, password: PROXY_PASSWORD_SENTINEL },
      });
      host = await startProxiedHost(consumer(), emulator, {
        strategy: "serviceAccount",
        httpsProxy: proxyUrlWith(proxy.port, PROXY_PASSWORD_SENTINEL),
        caFile,
      });
    }, SETUP_TIMEOUT_MS);
    afterAll(async () => {
      await host?.close();
      await proxy?.close();
    });

    it("creates, reads and deletes with the credentials of HTTPS_PROXY, and writes the proxy password in no output, error or state", async () => {
      const { urn, inputs } = fresh("basic-auth");
      const checked = await host.check(urn, {}, inputs);
      const created = await host.create(urn, checked.inputs);
      const read = await host.read(urn, created.id, created.properties, checked.inputs);
      expect(read.properties["status"]).toBe("PENDING");
      await host.delete(urn, created.id, read.properties, checked.inputs);
      expect(emulator.control.invitations(emulator.orgId)).toEqual([]);

      // And a refusal, so an error message passes through the same check.
      const accepted = fresh("basic-auth-accepted");
      const acceptedChecked = await host.check(accepted.urn, {}, accepted.inputs);
      const made = await host.create(accepted.urn, acceptedChecked.inputs);
      emulator.control.acceptInvitation(emulator.orgId, made.id);
      const refusal = await hostFailure(
        host.delete(accepted.urn, made.id, made.properties, acceptedChecked.inputs),
      );
      expect(refusal.message).toMatch(/onAccepted: "retain"/);

      expect(proxy.tunnels.length).toBeGreaterThan(0);
      for (const tunnel of proxy.tunnels) {
        expect(tunnel).toMatchObject({
          authority: `${ATLAS_HOST}:443`,
          proxyAuthorizationPresent: true,
          proxyAuthorizationValid: true,
        });
      }
      expect(proxy.refusedTunnels).toEqual([]);
      expect(proxy.plainRequests).toEqual([]);
      const { stdout, stderr } = host.output();
      expectNoSecret(
        {
          stdout,
          stderr,
          error: `${refusal.message}\n${refusal.stack ?? ""}`,
          state: JSON.stringify([checked, created, read, acceptedChecked, made]),
        },
        [PROXY_PASSWORD_SENTINEL],
        PROXY_USER,
      );
    });
  });

  describe("a proxy variable written without a scheme", () => {
    // `HTTPS_PROXY=proxy.corp:3128` is a common corporate setting, and curl, Go's net/http and
    // Python's requests all read a scheme-less proxy as http://; so does the provider (proxy-from-env
    // alone would borrow the request's scheme and speak TLS to a plain HTTP proxy).
    it("HTTPS_PROXY=127.0.0.1:PORT is an http:// proxy, as curl reads it: create goes through its tunnel", async () => {
      const proxy = await tunnelTo(emulator);
      const host = await startProxiedHost(consumer(), emulator, {
        strategy: "digest",
        httpsProxy: `127.0.0.1:${proxy.port}`,
        caFile,
        config: { ...QUICK_RETRIES },
      });
      try {
        const { urn, inputs } = fresh("scheme-less");
        const checked = await host.check(urn, {}, inputs);
        const created = await host.create(urn, checked.inputs).then(
          (c) => c,
          (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
        );
        expect("error" in created ? created : created.properties["status"]).toBe("PENDING");
        expect(new Set(proxy.tunnels.map((t) => t.authority))).toEqual(
          new Set([`${ATLAS_HOST}:443`]),
        );
        // Leave the org as the next tests expect it: empty.
        if (!("error" in created))
          await host.delete(urn, created.id, created.properties, checked.inputs);
        expect(emulator.control.invitations(emulator.orgId)).toEqual([]);
      } finally {
        await host.close();
        await proxy.close();
      }
    });
  });

  describe("NO_PROXY", () => {
    let proxy: ConnectProxy;
    beforeAll(async () => {
      proxy = await tunnelTo(emulator);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    /** Creates, reads and deletes one invitation at https://cloud.mongodb.com:<emulator port>. */
    async function lifecycleAtAtlasPort(noProxy: string | undefined): Promise<void> {
      const port = portOf(emulator);
      const host = await startProxiedHost(consumer(), emulator, {
        strategy: "digest",
        httpsProxy: proxy.url,
        ...(noProxy !== undefined && { noProxy }),
        caFile,
        config: { "mongodbatlas:baseUrl": `https://${ATLAS_HOST}:${port}` },
      });
      try {
        const { urn, inputs } = fresh(noProxy === undefined ? "proxied-port" : "no-proxy");
        const checked = await host.check(urn, {}, inputs);
        const { id, properties } = await host.create(urn, checked.inputs);
        const read = await host.read(urn, id, properties, checked.inputs);
        expect(read.properties["status"]).toBe("PENDING");
        await host.delete(urn, id, read.properties, checked.inputs);
        expect(emulator.control.invitations(emulator.orgId)).toEqual([]);
        expect(apiCalls(takeLog(emulator))).toContain("POST createOrgInvite");
        expect(new Set(hostHeaders)).toEqual(new Set([`${ATLAS_HOST}:${port}`]));
        expect(host.output().stderr).toContain(LOOPBACK_DNS_ANNOUNCEMENT);
      } finally {
        await host.close();
      }
    }

    it("with NO_PROXY=cloud.mongodb.com the provider connects directly, verifies the certificate against NODE_EXTRA_CA_CERTS, and opens no tunnel", async () => {
      await lifecycleAtAtlasPort(ATLAS_HOST);
      expect(proxy.tunnels).toEqual([]);
      expect(proxy.refusedTunnels).toEqual([]);
      expect(proxy.plainRequests).toEqual([]);
    });

    it("without NO_PROXY the same base URL goes through a tunnel to cloud.mongodb.com at that port", async () => {
      const before = proxy.tunnels.length;
      await lifecycleAtAtlasPort(undefined);
      expect(proxy.tunnels.length).toBeGreaterThan(before);
      expect(new Set(proxy.tunnels.map((t) => t.authority))).toEqual(
        new Set([`${ATLAS_HOST}:${portOf(emulator)}`]),
      );
      expect(proxy.plainRequests).toEqual([]);
    });
  });

  describe("a proxy that refuses the tunnel or cannot be reached", () => {
    interface RefusalCase {
      name: string;
      /** Starts what the host's HTTPS_PROXY points at; the URL carries credentials. */
      start(): Promise<{ port: number; proxy?: ConnectProxy }>;
      password: string;
      what: RegExp;
      expectProxySaw?: (proxy: ConnectProxy) => void;
    }
    const attempts = Number(QUICK_RETRIES["atlasInvitations:maxRetries"]) + 1;
    const CASES: RefusalCase[] = [
      {
        name: "wrong proxy credentials (407)",
        start: async () => {
          const proxy = await tunnelTo(emulator, {
            auth: { username: PROXY_USER, password: "the-right-password" },
          });
          return { port: proxy.port, proxy };
        },
        password: WRONG_PROXY_PASSWORD_SENTINEL,
        what: /refused the tunnel with 407 Proxy Authentication Required/,
        expectProxySaw: (proxy) => {
          expect(proxy.refusedTunnels.length).toBeGreaterThanOrEqual(attempts);
          for (const refused of proxy.refusedTunnels) {
            expect(refused).toMatchObject({
              status: 407,
              authority: `${ATLAS_HOST}:443`,
              proxyAuthorizationPresent: true,
              proxyAuthorizationValid: false,
            });
          }
        },
      },
      {
        name: "a proxy answering 502 Bad Gateway",
        start: async () => {
          const proxy = await tunnelTo(emulator, { mode: "bad-gateway" });
          return { port: proxy.port, proxy };
        },
        password: PROXY_PASSWORD_SENTINEL,
        what: /refused the tunnel with 502/,
        expectProxySaw: (proxy) => {
          expect(proxy.refusedTunnels.length).toBeGreaterThanOrEqual(attempts);
          for (const refused of proxy.refusedTunnels)
            expect(refused).toMatchObject({ status: 502, authority: `${ATLAS_HOST}:443` });
        },
      },
      {
        name: "nothing listening at the proxy's port (connection refused)",
        start: async () => ({ port: await closedPort() }),
        password: PROXY_PASSWORD_SENTINEL,
        what: /could not be reached \(ECONNREFUSED\)/,
      },
    ];

    it.each(CASES)(
      "$name fails create after its retries, within the budget, naming the proxy without its credentials and HTTPS_PROXY",
      async ({ start, password, what, expectProxySaw }) => {
        const { port, proxy } = await start();
        const host = await startProxiedHost(consumer(), emulator, {
          strategy: "digest",
          httpsProxy: proxyUrlWith(port, password),
          caFile,
          config: { ...QUICK_RETRIES },
        });
        try {
          const { urn, inputs } = fresh("refused");
          const checked = await host.check(urn, {}, inputs);
          expect(checked.failures).toEqual([]);
          const started = performance.now();
          const error = await hostFailure(host.create(urn, checked.inputs));
          const elapsed = performance.now() - started;

          expect(error.message).toContain(`The proxy http://127.0.0.1:${port} (from HTTPS_PROXY)`);
          expect(error.message).toMatch(what);
          expect(error.message).not.toContain("@127.0.0.1");
          expect(error.message).not.toMatch(/did not complete within/);
          // Two retries wait at least 250 + 500 ms (equal jitter of 500 ms doubling), and the
          // operation ends well inside its 20 s budget.
          expect(elapsed).toBeGreaterThanOrEqual(700);
          expect(elapsed).toBeLessThan(Number(QUICK_RETRIES["atlasInvitations:deadlineMs"]));
          expect(emulator.log.count()).toBe(0);
          expect(emulator.control.invitations(emulator.orgId)).toEqual([]);
          if (proxy) {
            expectProxySaw?.(proxy);
            expect(proxy.tunnels).toEqual([]);
            expect(proxy.plainRequests).toEqual([]);
          }
          const { stdout, stderr } = host.output();
          expectNoSecret(
            { stdout, stderr, error: `${error.message}\n${error.stack ?? ""}` },
            [password],
            PROXY_USER,
          );
        } finally {
          await host.close();
          await proxy?.close();
        }
      },
    );

    it("a proxy that keeps refusing ends create when the budget runs out first, naming atlasInvitations:deadlineMs and the proxy without its credentials", async () => {
      const proxy = await tunnelTo(emulator, { mode: "bad-gateway" });
      const deadlineMs = 1500;
      const host = await startProxiedHost(consumer(), emulator, {
        strategy: "digest",
        httpsProxy: proxyUrlWith(proxy.port, PROXY_PASSWORD_SENTINEL),
        caFile,
        config: {
          "atlasInvitations:maxRetries": "20",
          "atlasInvitations:requestTimeoutMs": "1000",
          "atlasInvitations:deadlineMs": String(deadlineMs),
        },
      });
      try {
        const { urn, inputs } = fresh("refused-budget");
        const checked = await host.check(urn, {}, inputs);
        const started = performance.now();
        const error = await hostFailure(host.create(urn, checked.inputs));
        const elapsed = performance.now() - started;

        expect(error.message).toMatch(/did not complete within the operation's budget of 1\.5 s/);
        expect(error.message).toContain("atlasInvitations:deadlineMs");
        expect(error.message).toContain(`the proxy http://127.0.0.1:${proxy.port} (HTTPS_PROXY)`);
        expect(error.message).toMatch(/answered 502/);
        expect(elapsed).toBeLessThan(deadlineMs + 1000);
        expect(proxy.refusedTunnels.length).toBeGreaterThanOrEqual(2);
        expect(proxy.refusedTunnels.length).toBeLessThan(21);
        expect(emulator.log.count()).toBe(0);
        const { stdout, stderr } = host.output();
        expectNoSecret(
          { stdout, stderr, error: `${error.message}\n${error.stack ?? ""}` },
          [PROXY_PASSWORD_SENTINEL],
          PROXY_USER,
        );
      } finally {
        await host.close();
        await proxy.close();
      }
    });
  });

  describe("TLS that fails verification through the tunnel", () => {
    interface TlsCase {
      name: string;
      tlsCertificate: "valid" | "expired" | "wrong-host";
      /** Trust the emulator's own CA, or only another one (the suite emulator's). */
      trustOwnCa: boolean;
      code: string;
      reason: string;
      fix: RegExp;
    }
    const CASES: TlsCase[] = [
      {
        name: "an expired certificate",
        tlsCertificate: "expired",
        trustOwnCa: true,
        code: "CERT_HAS_EXPIRED",
        reason: "its certificate has expired",
        fix: /clock/,
      },
      {
        name: "a certificate for another host name",
        tlsCertificate: "wrong-host",
        trustOwnCa: true,
        code: "ERR_TLS_CERT_ALTNAME_INVALID",
        reason: "its certificate is for another host name",
        fix: /mongodbatlas:baseUrl/,
      },
      {
        name: "a CA that is not in NODE_EXTRA_CA_CERTS",
        tlsCertificate: "valid",
        trustOwnCa: false,
        code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        reason: "its certificate is signed by an authority this process does not trust",
        fix: /set NODE_EXTRA_CA_CERTS to that authority's PEM file/,
      },
    ];

    it.each(CASES)(
      "$name fails create naming cloud.mongodb.com, the reason and the fix, before any request reaches Atlas",
      async ({ tlsCertificate, trustOwnCa, code, reason, fix }) => {
        const other = await startTlsEmulator({ tlsCertificate });
        const proxy = await tunnelTo(other.emulator);
        let host: HostClient | undefined;
        try {
          host = await startProxiedHost(consumer(), other.emulator, {
            strategy: "digest",
            httpsProxy: proxy.url,
            caFile: trustOwnCa ? other.caFile : caFile,
            config: { ...QUICK_RETRIES },
          });
          const { urn, inputs } = fresh(`tls-${tlsCertificate}`);
          const checked = await host.check(urn, {}, inputs);
          const error = await hostFailure(host.create(urn, checked.inputs));

          expect(error.message).toContain(`TLS to ${ATLAS_HOST} failed`);
          expect(error.message).toContain(reason);
          expect(error.message).toContain(`(${code})`);
          expect(error.message).toMatch(fix);
          expect(other.emulator.log.count()).toBe(0);
          expect(other.hostHeaders).toEqual([]);
          expect(proxy.tunnels.length).toBeGreaterThan(0);
          expect(new Set(proxy.tunnels.map((t) => t.authority))).toEqual(
            new Set([`${ATLAS_HOST}:443`]),
          );
          expect(proxy.plainRequests).toEqual([]);
          const { privateKey } = other.emulator.credentials;
          const { stdout, stderr } = host.output();
          expectNoSecret({ stdout, stderr, error: error.message }, [privateKey]);
        } finally {
          await host?.close();
          await proxy.close();
          await other.emulator.close();
        }
      },
    );
  });
});

/**
 * The emulator over TLS: a fresh CA and leaf per start, the CA file for NODE_EXTRA_CA_CERTS, and
 * the certificate variants (expired, wrong host) that make clients fail the way they would against
 * a broken corporate proxy or a misconfigured trust store.
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:https";
import type { OutgoingHttpHeaders } from "node:http";
import { isIP } from "node:net";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { checkServerIdentity, connect } from "node:tls";
import { promisify } from "node:util";
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate as PeculiarCertificate,
} from "@peculiar/x509";
import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import { generateTlsMaterial } from "../../emulator/tls";
import { INVITES, TEAM_A, V2023, obj, parseChallenges, signDigest } from "./support";

const SANS = ["cloud.mongodb.com", "localhost", "127.0.0.1", "::1"];

type Probe = { ok: true; leaf: X509Certificate } | { ok: false; code: string };

/**
 * A real handshake with 127.0.0.1:port, verifying the chain against `ca` (Node's default roots
 * when undefined) and the leaf against `name` (SNI for DNS names; IP names are checked by
 * tls.checkServerIdentity, since the emulator only listens on 127.0.0.1).
 */
function probe(port: number, name: string, ca: string | undefined): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = connect({
      host: "127.0.0.1",
      port,
      ...(ca === undefined ? {} : { ca }),
      ...(isIP(name) === 0 ? { servername: name } : {}),
      checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
    });
    socket.once("secureConnect", () => {
      const leaf = socket.getPeerX509Certificate();
      socket.end();
      if (!leaf) resolve({ ok: false, code: "NO_PEER_CERTIFICATE" });
      else resolve({ ok: true, leaf });
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve({ ok: false, code: error.code ?? error.message });
    });
  });
}

interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function httpsCall(
  url: string,
  ca: string,
  method = "GET",
  headers: OutgoingHttpHeaders = {},
  body?: string,
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function tlsOf(emulator: RunningEmulator): { caFile: string; caPem: string } {
  if (!emulator.tls) throw new Error("expected an HTTPS emulator");
  return emulator.tls;
}

function portOf(emulator: RunningEmulator): number {
  return Number(new URL(emulator.baseUrl).port);
}

async function fetchErrorCode(url: string): Promise<string> {
  try {
    await fetch(url);
  } catch (error: unknown) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? String(error);
  }
  throw new Error(`fetch ${url} unexpectedly succeeded`);
}

describe("a valid certificate", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ tls: true });
  });
  afterAll(() => emu.close());

  test("serves https on 127.0.0.1 and writes the CA PEM to a temp file", () => {
    expect(emu.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { caFile, caPem } = tlsOf(emu);
    expect(caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(readFileSync(caFile, "utf8")).toBe(caPem);
  });

  test("the CA is CA:true with keyCertSign; the leaf is not a CA, is signed by it, lasts days", async () => {
    const caPem = tlsOf(emu).caPem;
    const ca = new X509Certificate(caPem);
    expect(ca.ca).toBe(true);
    const parsed = new PeculiarCertificate(caPem);
    expect(parsed.getExtension(BasicConstraintsExtension)?.ca).toBe(true);
    const usages = parsed.getExtension(KeyUsagesExtension)?.usages ?? 0;
    expect(usages & KeyUsageFlags.keyCertSign).toBe(KeyUsageFlags.keyCertSign);

    const result = await probe(portOf(emu), "cloud.mongodb.com", caPem);
    if (!result.ok) throw new Error(`handshake failed: ${result.code}`);
    const { leaf } = result;
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(1);
    expect(days).toBeLessThan(8);
    expect(Date.parse(leaf.validFrom)).toBeLessThan(Date.now());
  });

  test.each(SANS)("the chain verifies for %s", async (name) => {
    const result = await probe(portOf(emu), name, tlsOf(emu).caPem);
    expect(result).toMatchObject({ ok: true });
  });

  test("the leaf's subjectAltName lists exactly the default names", async () => {
    const result = await probe(portOf(emu), "localhost", tlsOf(emu).caPem);
    if (!result.ok) throw new Error(result.code);
    expect(result.leaf.subjectAltName?.split(", ")).toEqual([
      "DNS:cloud.mongodb.com",
      "DNS:localhost",
      "IP Address:127.0.0.1",
      "IP Address:0:0:0:0:0:0:0:1",
    ]);
  });

  test("without the CA the chain does not verify", async () => {
    const result = await probe(portOf(emu), "cloud.mongodb.com", undefined);
    expect(result).toEqual({ ok: false, code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    // Only the leaf is sent (as real servers do), so fetch fails on the leaf, not on a root.
    expect(await fetchErrorCode(`${emu.baseUrl}/__emulator/info`)).toBe(
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    );
  });

  test("another CA (another emulator's) does not verify it either", async () => {
    const other = await generateTlsMaterial();
    const result = await probe(portOf(emu), "cloud.mongodb.com", other.caPem);
    expect(result).toEqual({ ok: false, code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });

  test("the control API answers over https and reports the https base URL", async () => {
    const answer = await httpsCall(`${emu.baseUrl}/__emulator/info`, tlsOf(emu).caPem);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ baseUrl: emu.baseUrl, orgId: emu.orgId });
  });

  test("the Atlas routes, digest auth and the request log work the same over https", async () => {
    emu.control.reset();
    const ca = tlsOf(emu).caPem;
    const url = `${emu.baseUrl}${INVITES}`;
    const first = await httpsCall(url, ca, "POST", { Accept: V2023 });
    expect(first.status).toBe(401);
    const [challenge] = parseChallenges(String(first.headers["www-authenticate"]));
    if (!challenge) throw new Error("no digest challenge");
    const body = JSON.stringify({
      username: "tls.user@example.com",
      roles: ["ORG_MEMBER"],
      teamIds: [TEAM_A],
    });
    const created = await httpsCall(
      url,
      ca,
      "POST",
      {
        Accept: V2023,
        "Content-Type": V2023,
        Authorization: signDigest({
          challenge,
          method: "POST",
          uri: INVITES,
          username: emu.credentials.publicKey,
          password: emu.credentials.privateKey,
          nc: 1,
        }),
      },
      body,
    );
    expect(created.status).toBe(200);
    const invitation = obj(JSON.parse(created.text));
    expect(invitation["username"]).toBe("tls.user@example.com");
    // Any self link the emulator writes names the https base URL.
    expect(created.text).not.toContain("http://");
    expect(emu.log.entries().map((e) => [e.operationId, e.status])).toEqual([
      ["createOrgInvite", 401],
      ["createOrgInvite", 200],
    ]);
    expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
  });

  test("a fresh Node process trusts it through NODE_EXTRA_CA_CERTS (and not without)", async () => {
    const script =
      "fetch(process.argv[1]).then(async (r) => console.log(r.status, (await r.json()).baseUrl))" +
      ".catch((e) => { console.log('failed', e.cause && e.cause.code); })";
    const run = promisify(execFile);
    const url = `${emu.baseUrl}/__emulator/info`;
    const { NODE_EXTRA_CA_CERTS: _ignored, ...env } = process.env;
    const trusted = await run(process.execPath, ["-e", script, url], {
      env: { ...env, NODE_EXTRA_CA_CERTS: tlsOf(emu).caFile },
    });
    expect(trusted.stdout.trim()).toBe(`200 ${emu.baseUrl}`);
    const untrusted = await run(process.execPath, ["-e", script, url], { env });
    expect(untrusted.stdout.trim()).toBe("failed UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });
});

test("tlsHostnames adds names to the defaults", async () => {
  const emu = await startEmulator({
    tls: true,
    tlsHostnames: ["atlas.proxy.internal", "10.0.0.7"],
  });
  try {
    const ca = tlsOf(emu).caPem;
    for (const name of [...SANS, "atlas.proxy.internal", "10.0.0.7"]) {
      expect(await probe(portOf(emu), name, ca)).toMatchObject({ ok: true });
    }
    expect(await probe(portOf(emu), "other.internal", ca)).toEqual({
      ok: false,
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
  } finally {
    await emu.close();
  }
});

test("an expired leaf fails with CERT_HAS_EXPIRED", async () => {
  const emu = await startEmulator({ tls: true, tlsCertificate: "expired" });
  try {
    const ca = tlsOf(emu).caPem;
    expect(await probe(portOf(emu), "cloud.mongodb.com", ca)).toEqual({
      ok: false,
      code: "CERT_HAS_EXPIRED",
    });
    await expect(httpsCall(`${emu.baseUrl}/__emulator/info`, ca)).rejects.toMatchObject({
      code: "CERT_HAS_EXPIRED",
    });
  } finally {
    await emu.close();
  }
});

test("a wrong-host leaf chains to the CA but fails with ERR_TLS_CERT_ALTNAME_INVALID", async () => {
  const emu = await startEmulator({
    tls: true,
    tlsCertificate: "wrong-host",
    tlsHostnames: ["wrong.example"],
  });
  try {
    const ca = tlsOf(emu).caPem;
    expect(await probe(portOf(emu), "wrong.example", ca)).toMatchObject({ ok: true });
    for (const name of SANS) {
      expect(await probe(portOf(emu), name, ca)).toEqual({
        ok: false,
        code: "ERR_TLS_CERT_ALTNAME_INVALID",
      });
    }
    await expect(httpsCall(`${emu.baseUrl}/__emulator/info`, ca)).rejects.toMatchObject({
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
  } finally {
    await emu.close();
  }
});

test("wrong-host without tlsHostnames covers only wrong.example", async () => {
  const material = await generateTlsMaterial({ kind: "wrong-host" });
  expect(material.hostnames).toEqual(["wrong.example"]);
  expect(new X509Certificate(material.certPem).subjectAltName).toBe("DNS:wrong.example");
});

test("close() removes the CA file and its directory, and can be called twice", async () => {
  const emu = await startEmulator({ tls: true });
  const { caFile } = tlsOf(emu);
  expect(existsSync(caFile)).toBe(true);
  await emu.close();
  await emu.close();
  expect(existsSync(caFile)).toBe(false);
  expect(existsSync(dirname(caFile))).toBe(false);
});

test("each start gets its own CA and CA file", async () => {
  const [a, b] = await Promise.all([startEmulator({ tls: true }), startEmulator({ tls: true })]);
  try {
    expect(tlsOf(a).caFile).not.toBe(tlsOf(b).caFile);
    expect(tlsOf(a).caPem).not.toBe(tlsOf(b).caPem);
    expect(await probe(portOf(a), "localhost", tlsOf(b).caPem)).toMatchObject({ ok: false });
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("plain http has no tls field; TLS-only options need tls: true; names are checked", async () => {
  const emu = await startEmulator();
  try {
    expect(emu.baseUrl).toMatch(/^http:\/\//);
    expect(emu.tls).toBeUndefined();
  } finally {
    await emu.close();
  }
  await expect(startEmulator({ tlsCertificate: "expired" })).rejects.toThrow(/tls: true/);
  await expect(startEmulator({ tls: true, tlsHostnames: ["bad name"] })).rejects.toThrow(
    /tlsHostnames/,
  );
});

test("generating the chain is fast enough for tests", async () => {
  await generateTlsMaterial(); // loads selfsigned and @peculiar/x509
  const started = performance.now();
  for (let i = 0; i < 5; i++) await generateTlsMaterial();
  const perChain = (performance.now() - started) / 5;
  expect(perChain).toBeLessThan(1000);
});

test("the CLI with --tls prints the base URL, then the CA file, and serves HTTPS", async () => {
  // detached: the child leads its own process group, so npx, tsx and node stop together.
  const child = spawn("npx", ["tsx", "emulator/main.ts", "--tls", "--port", "0"], {
    cwd: resolve(__dirname, "../.."),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("spawn failed");
  try {
    const lines: string[] = [];
    const reader = createInterface({ input: child.stdout });
    reader.on("line", (line) => lines.push(line));
    await new Promise<void>((done, fail) => {
      reader.on("line", (line) => {
        if (line.startsWith("Press Ctrl+C")) done();
      });
      child.once("exit", (code) => fail(new Error(`the CLI exited early (${code})`)));
    });
    const [baseUrl = "", caFile = ""] = lines;
    expect(baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(caFile).toMatch(/atlas-emulator-tls-[^/]+\/ca\.pem$/);
    expect(lines).toContain(`  export NODE_EXTRA_CA_CERTS=${caFile}  # read at Node start-up`);
    expect(lines).toContain(`  export MONGODB_ATLAS_BASE_URL=${baseUrl}`);

    const info = await httpsCall(`${baseUrl}/__emulator/info`, readFileSync(caFile, "utf8"));
    expect(info.status).toBe(200);
    expect(JSON.parse(info.text)).toMatchObject({ baseUrl });
    expect(await fetchErrorCode(`${baseUrl}/__emulator/info`)).toBe(
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    );

    const exited = once(child, "exit");
    process.kill(-pid, "SIGTERM");
    await exited;
    // npx may exit before the emulator's node process has finished close(): poll briefly.
    for (let i = 0; i < 50 && existsSync(caFile); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(caFile)).toBe(false);
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-pid, "SIGKILL");
  }
}, 20_000);

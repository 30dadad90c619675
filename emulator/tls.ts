/**
 * TLS for the emulator: a fresh throwaway certificate chain per start (a CA and a leaf it signs),
 * generated with `selfsigned` (itself @peculiar/x509 on WebCrypto), never hand-rolled ASN.1. The
 * CA certificate is written to a fresh temp directory so that a client process can trust it with
 * `NODE_EXTRA_CA_CERTS`; the leaf key stays in memory. EC P-256 keys keep generation to tens of
 * milliseconds. `selfsigned` is a devDependency and is loaded only when TLS is asked for.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TlsCertificateKind } from "./types";

/** What the leaf covers by default: the real Atlas host plus every loopback spelling. */
const DEFAULT_TLS_HOSTNAMES: readonly string[] = [
  "cloud.mongodb.com",
  "localhost",
  "127.0.0.1",
  "::1",
];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** The names in the leaf's subjectAltName, in order. */
  hostnames: string[];
}

interface TlsMaterialOptions {
  /** Names added to DEFAULT_TLS_HOSTNAMES, or the only names for "wrong-host". */
  hostnames?: string[] | undefined;
  /** @default "valid" */
  kind?: TlsCertificateKind | undefined;
}

function checkHostnames(names: string[]): string[] {
  for (const name of names) {
    if (typeof name !== "string" || !/^(?:[A-Za-z0-9*.-]+|[0-9A-Fa-f:.]+)$/.test(name)) {
      throw new TypeError(`tlsHostnames: not a DNS name or IP address: ${JSON.stringify(name)}`);
    }
  }
  return [...new Set(names)];
}

/** The leaf's subjectAltName: "valid"/"expired" cover the defaults plus extras; "wrong-host" only the extras. */
function leafHostnames(kind: TlsCertificateKind, extra: string[] = []): string[] {
  if (kind !== "valid" && kind !== "expired" && kind !== "wrong-host") {
    throw new TypeError(`tlsCertificate must be "valid", "expired" or "wrong-host", got ${kind}`);
  }
  if (kind === "wrong-host") return checkHostnames(extra.length > 0 ? extra : ["wrong.example"]);
  return checkHostnames([...DEFAULT_TLS_HOSTNAMES, ...extra]);
}

/**
 * A CA (CA:true, keyCertSign; valid from an hour ago for three days) and a leaf signed by it
 * (serverAuth; valid for the same window, or, for "expired", from ten days ago until yesterday).
 */
export async function generateTlsMaterial(options: TlsMaterialOptions = {}): Promise<TlsMaterial> {
  const kind = options.kind ?? "valid";
  const hostnames = leafHostnames(kind, options.hostnames);
  const { generate } = await import("selfsigned");
  // The real clock, never the emulator's `now`: TLS peers check validity against theirs.
  const now = Date.now();
  const caNotBefore = new Date(now - HOUR);
  const caNotAfter = new Date(now + 3 * DAY);
  const ca = await generate(
    [
      { name: "commonName", value: `Atlas Emulator Test CA ${now.toString(36)}` },
      { name: "organizationName", value: "Atlas emulator (tests only)" },
    ],
    {
      keyType: "ec",
      curve: "P-256",
      algorithm: "sha256",
      notBeforeDate: caNotBefore,
      notAfterDate: caNotAfter,
      extensions: [
        { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      ],
    },
  );
  const expired = kind === "expired";
  const notBefore = expired ? new Date(now - 10 * DAY) : caNotBefore;
  const notAfter = expired ? new Date(now - DAY) : caNotAfter;
  const leaf = await generate([{ name: "commonName", value: hostnames[0] ?? "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: hostnames.map((name) =>
          isIP(name) !== 0 ? { type: 7 as const, ip: name } : { type: 2 as const, value: name },
        ),
      },
    ],
  });
  return { caPem: ca.cert, certPem: leaf.cert, keyPem: leaf.private, hostnames };
}

/** Writes the CA certificate to `<tmp>/atlas-emulator-tls-XXXXXX/ca.pem`; remove() deletes the directory. */
export async function writeCaFile(
  caPem: string,
): Promise<{ caFile: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "atlas-emulator-tls-"));
  const caFile = join(dir, "ca.pem");
  await writeFile(caFile, caPem, { mode: 0o644 });
  return { caFile, remove: () => rm(dir, { recursive: true, force: true }) };
}

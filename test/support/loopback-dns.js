/**
 * A preload for child processes of the proxy tests (`NODE_OPTIONS=--require <this file>`): every
 * host name resolves to 127.0.0.1, and no real DNS query can be made.
 *
 * Why: those tests run the provider with its default base URL, `https://cloud.mongodb.com`, and
 * a local CONNECT proxy that sends every tunnel to the emulator. If the proxy were bypassed (a
 * NO_PROXY test, or a bug in the provider's proxy handling), the provider would look up the real
 * Atlas host and could reach the real service. With this preload loaded, a direct connection can
 * only ever reach loopback (where the emulator's certificate, which covers cloud.mongodb.com, is
 * the only one that verifies), and nothing is sent to a DNS server: `dns.lookup` (what `net`,
 * `tls`, `http` and `https` use) answers 127.0.0.1 without asking the system resolver, and the
 * c-ares functions that query DNS servers (`dns.resolve*`, `dns.Resolver`, their promise forms)
 * fail with ECONNREFUSED.
 *
 * Plain CommonJS JavaScript, not TypeScript: Node loads it with `--require` before anything else,
 * in the SDK's dynamic-provider host, where no TypeScript loader exists. It announces itself on
 * stderr once (ANNOUNCEMENT), so a test can check it was really loaded.
 */
"use strict";
const dns = require("node:dns");

const LOOPBACK = { address: "127.0.0.1", family: 4 };
const ANNOUNCEMENT = "loopback-dns: every host name resolves to 127.0.0.1 in this process";

/** `dns.lookup(hostname[, options], callback)`, answered asynchronously as the real one is. */
function lookup(hostname, options, callback) {
  const cb = typeof options === "function" ? options : callback;
  const all = typeof options === "object" && options !== null && options.all === true;
  if (typeof cb !== "function") throw new TypeError("dns.lookup: callback must be a function");
  process.nextTick(() => {
    if (all) cb(null, [{ ...LOOPBACK }]);
    else cb(null, LOOPBACK.address, LOOPBACK.family);
  });
  return {};
}

function promiseLookup(_hostname, options) {
  const all = typeof options === "object" && options !== null && options.all === true;
  return Promise.resolve(all ? [{ ...LOOPBACK }] : { ...LOOPBACK });
}

function refusal(name) {
  const error = new Error(`${name}: real DNS queries are disabled by test/support/loopback-dns.js`);
  error.code = "ECONNREFUSED";
  return error;
}

function refuseCallback(name) {
  return (...args) => {
    const cb = args.reverse().find((a) => typeof a === "function");
    if (cb) process.nextTick(() => cb(refusal(name)));
    return {};
  };
}

const refusePromise = (name) => () => Promise.reject(refusal(name));

const RESOLVERS = [
  "resolve",
  "resolve4",
  "resolve6",
  "resolveAny",
  "resolveCaa",
  "resolveCname",
  "resolveMx",
  "resolveNaptr",
  "resolveNs",
  "resolvePtr",
  "resolveSoa",
  "resolveSrv",
  "resolveTxt",
  "reverse",
];

dns.lookup = lookup;
dns.promises.lookup = promiseLookup;
for (const name of RESOLVERS) {
  if (typeof dns[name] === "function") dns[name] = refuseCallback(`dns.${name}`);
  if (typeof dns.promises[name] === "function") dns.promises[name] = refusePromise(`dns.${name}`);
  if (typeof dns.Resolver.prototype[name] === "function")
    dns.Resolver.prototype[name] = refuseCallback(`dns.Resolver#${name}`);
  if (typeof dns.promises.Resolver.prototype[name] === "function")
    dns.promises.Resolver.prototype[name] = refusePromise(`dns.promises.Resolver#${name}`);
}

process.stderr.write(`${ANNOUNCEMENT}\n`);

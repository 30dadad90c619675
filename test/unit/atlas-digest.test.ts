import { createHash } from "node:crypto";
import { parseChallenges } from "../../provider/atlas/auth/challenge";
import {
  describeChallenges,
  digestAuthorization,
  selectDigestChallenge,
} from "../../provider/atlas/auth/digest-math";
import type { DigestChallenge } from "../../provider/atlas/auth/digest-math";
import { Secret } from "../../provider/atlas/secret";

// RFC 7616 §3.9.1: the specification's own worked example.
const RFC = {
  username: "Mufasa",
  password: "Circle of Life",
  realm: "http-auth@example.org",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
  cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  uri: "/dir/index.html",
};

function rfcChallenge(algorithm: DigestChallenge["algorithm"]): DigestChallenge {
  return {
    realm: RFC.realm,
    nonce: RFC.nonce,
    opaque: RFC.opaque,
    algorithm,
    qop: "auth",
    stale: false,
  };
}

function sign(
  challenge: DigestChallenge,
  overrides: { nc?: number; uri?: string; method?: string } = {},
) {
  return digestAuthorization({
    challenge,
    method: overrides.method ?? "GET",
    uri: overrides.uri ?? RFC.uri,
    username: RFC.username,
    password: new Secret(RFC.password),
    nc: overrides.nc ?? 1,
    cnonce: RFC.cnonce,
  });
}

const h = (alg: string, s: string) => createHash(alg).update(s).digest("hex");

describe("digest response (RFC 7616 §3.9.1 test vectors)", () => {
  it("computes the MD5 response of the RFC example", () => {
    expect(sign(rfcChallenge("MD5")).response).toBe("8ca523f5e9506fed4657c9700eebdbec");
  });

  it("computes the SHA-256 response of the RFC example", () => {
    expect(sign(rfcChallenge("SHA-256")).response).toBe(
      "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
    );
  });

  it("writes every field the RFC example's Authorization header carries", () => {
    expect(sign(rfcChallenge("SHA-256")).header).toBe(
      `Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, ` +
        `nonce="${RFC.nonce}", nc=00000001, cnonce="${RFC.cnonce}", qop=auth, ` +
        `response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="${RFC.opaque}"`,
    );
  });

  it("writes the nonce count as eight hex digits", () => {
    expect(sign(rfcChallenge("MD5"), { nc: 255 }).header).toContain("nc=000000ff,");
    expect(sign(rfcChallenge("MD5"), { nc: 255 }).response).not.toBe(
      sign(rfcChallenge("MD5")).response,
    );
  });

  it("signs the query string as part of the uri", () => {
    const plain = sign(rfcChallenge("MD5"), { uri: "/api/x" });
    const withQuery = sign(rfcChallenge("MD5"), { uri: "/api/x?username=a%40b.com" });
    expect(withQuery.header).toContain('uri="/api/x?username=a%40b.com"');
    expect(withQuery.response).not.toBe(plain.response);
  });

  it("hashes the session key for -sess algorithms (RFC 7616 §3.4.2)", () => {
    const ha1 = h(
      "sha256",
      `${h("sha256", `${RFC.username}:${RFC.realm}:${RFC.password}`)}:${RFC.nonce}:${RFC.cnonce}`,
    );
    const ha2 = h("sha256", `GET:${RFC.uri}`);
    const expected = h("sha256", `${ha1}:${RFC.nonce}:00000001:${RFC.cnonce}:auth:${ha2}`);
    expect(sign(rfcChallenge("SHA-256-sess")).response).toBe(expected);
  });

  it("answers an RFC 2069 challenge without qop with no nc or cnonce", () => {
    const { header, response } = sign({ ...rfcChallenge("MD5"), qop: undefined });
    const ha1 = h("md5", `${RFC.username}:${RFC.realm}:${RFC.password}`);
    expect(response).toBe(h("md5", `${ha1}:${RFC.nonce}:${h("md5", `GET:${RFC.uri}`)}`));
    expect(header).not.toMatch(/nc=|cnonce=|qop=/);
  });

  it("never puts the password in the header", () => {
    expect(sign(rfcChallenge("MD5")).header).not.toContain(RFC.password);
  });
});

describe("WWW-Authenticate parsing", () => {
  it("reads Atlas's challenge", () => {
    const header =
      'Digest realm="MMS Public API", domain="", nonce="abc/+=", algorithm=MD5, qop="auth", stale=false';
    expect(selectDigestChallenge(header)).toEqual({
      realm: "MMS Public API",
      nonce: "abc/+=",
      opaque: undefined,
      algorithm: "MD5",
      qop: "auth",
      stale: false,
    });
  });

  it("splits several challenges joined into one header and unescapes quoted pairs", () => {
    const header =
      'Basic realm="x", Digest realm="a \\"b\\"", nonce="n1", algorithm=SHA-256, qop="auth,auth-int", Bearer';
    expect(parseChallenges(header)).toEqual([
      { scheme: "basic", params: { realm: "x" } },
      {
        scheme: "digest",
        params: { realm: 'a "b"', nonce: "n1", algorithm: "SHA-256", qop: "auth,auth-int" },
      },
      { scheme: "bearer", params: {} },
    ]);
  });

  it("picks the first digest challenge it supports, in the server's order (RFC 7616 §3.7)", () => {
    const header =
      'Digest realm="r", nonce="n0", algorithm=SHA-512-256, qop="auth", ' +
      'Digest realm="r", nonce="n1", algorithm=SHA-256, qop="auth", ' +
      'Digest realm="r", nonce="n2", algorithm=MD5, qop="auth"';
    expect(selectDigestChallenge(header)).toMatchObject({ nonce: "n1", algorithm: "SHA-256" });
  });

  it("defaults the algorithm to MD5, reads stale=true and skips auth-int-only challenges", () => {
    expect(
      selectDigestChallenge('Digest realm="r", nonce="n", qop="auth", stale=TRUE'),
    ).toMatchObject({
      algorithm: "MD5",
      stale: true,
    });
    expect(selectDigestChallenge('Digest realm="r", nonce="n", qop="auth-int"')).toBeUndefined();
  });

  it('reads an empty qop="" as no qop at all (RFC 2617 compatibility), not as a refusal', () => {
    expect(
      selectDigestChallenge('Digest realm="r", nonce="n", algorithm=MD5, qop=""'),
    ).toMatchObject({ nonce: "n", algorithm: "MD5", qop: undefined });
    expect(selectDigestChallenge('Digest realm="r", nonce="n", qop=" "')).toMatchObject({
      qop: undefined,
    });
    expect(selectDigestChallenge('Digest realm="r", nonce="n"')).toMatchObject({ qop: undefined });
    expect(
      selectDigestChallenge('Digest realm="r", nonce="n", qop="auth-int, AUTH"'),
    ).toMatchObject({
      qop: "auth",
    });
  });

  it("skips a challenge offering only an algorithm it does not compute", () => {
    expect(
      selectDigestChallenge('Digest realm="r", nonce="n", algorithm=SHA-512-256, qop="auth"'),
    ).toBeUndefined();
    expect(
      selectDigestChallenge('Digest realm="r", nonce="n", algorithm=sha-256-SESS, qop="auth"'),
    ).toMatchObject({ algorithm: "SHA-256-sess" });
  });

  it("finds no digest challenge in a missing, empty or Bearer-only header", () => {
    expect(selectDigestChallenge(undefined)).toBeUndefined();
    expect(selectDigestChallenge("")).toBeUndefined();
    expect(selectDigestChallenge('Bearer realm="x"')).toBeUndefined();
    expect(selectDigestChallenge('Digest realm="x"')).toBeUndefined();
  });
});

describe("describeChallenges", () => {
  it("lists each challenge's scheme, algorithm and qop, never its nonce or realm", () => {
    const header =
      'Digest realm="MMS Public API", nonce="secret-nonce", algorithm=SHA-512-256, qop="auth-int", ' +
      'Digest realm="r", nonce="n2", qop="", Basic realm="b", Bearer';
    const text = describeChallenges(header);
    expect(text).toBe('Digest algorithm=SHA-512-256 qop=auth-int, Digest qop="", Basic, Bearer');
    expect(text).not.toContain("secret-nonce");
    expect(text).not.toContain("MMS Public API");
  });

  it("describes a missing header as nothing offered", () => {
    expect(describeChallenges(undefined)).toBe("");
    expect(describeChallenges("")).toBe("");
  });
});

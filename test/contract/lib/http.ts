/**
 * Plain Node fetch against the emulator, authenticated with a service-account Bearer token from
 * POST /api/oauth/token (RFC 6749 §4.4, Basic client authentication): the contract tests exercise
 * the emulator's side of the wire without depending on the provider's client.
 */
export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

export interface CallOptions {
  accept?: string;
  body?: unknown;
  contentType?: string;
  query?: Record<string, string>;
  /** false sends no Authorization header. */
  auth?: boolean;
}

export type Call = (method: string, path: string, options?: CallOptions) => Promise<Answer>;

export async function bearerToken(
  baseUrl: string,
  clientId: string,
  secret: string,
): Promise<string> {
  const basic = Buffer.from(`${clientId}:${secret}`).toString("base64");
  const res = await fetch(`${baseUrl}/api/oauth/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${basic}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  const body = (await res.json()) as { access_token?: unknown };
  if (res.status !== 200 || typeof body.access_token !== "string") {
    throw new Error(`token request answered ${res.status}`);
  }
  return body.access_token;
}

export function caller(baseUrl: string, token: string): Call {
  return async (method, path, options = {}) => {
    const url = new URL(path, baseUrl);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.append(k, v);
    const headers: Record<string, string> = {};
    if (options.accept !== undefined) headers["accept"] = options.accept;
    if (options.auth !== false) headers["authorization"] = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = options.contentType ?? options.accept ?? "application/json";
    }
    const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text === "" ? undefined : parse(text),
    };
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

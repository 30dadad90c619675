/**
 * Parses `WWW-Authenticate` (RFC 9110 §11.6.1) into challenges. Node joins repeated
 * `WWW-Authenticate` fields with ", ", so one string may hold several challenges (RFC 7616 §3.7
 * lets a server offer one per algorithm): a bare token not followed by "=" starts a new one.
 */
export interface Challenge {
  /** Lower-case auth scheme, e.g. "digest". */
  scheme: string;
  /** Parameters with lower-case names; quoted values unescaped. */
  params: Record<string, string>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

export function parseChallenges(header: string | undefined): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  let i = 0;
  const skip = (chars: RegExp): void => {
    while (i < header.length && chars.test(header.charAt(i))) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < header.length && TCHAR.test(header.charAt(i))) i++;
    return header.slice(start, i);
  };
  const quoted = (): string => {
    let value = "";
    i++; // opening quote
    while (i < header.length && header.charAt(i) !== '"') {
      if (header.charAt(i) === "\\") i++; // quoted-pair
      value += header.charAt(i);
      i++;
    }
    i++; // closing quote
    return value;
  };

  let current: Challenge | undefined;
  while (i < header.length) {
    skip(/[\s,]/);
    const name = token();
    if (!name) {
      i++; // a character no rule accepts: skip it rather than loop
      continue;
    }
    skip(/\s/);
    if (header.charAt(i) === "=") {
      i++;
      skip(/\s/);
      // A token68 such as "abc==" also lands here; only digest parameters matter to us.
      const value = header.charAt(i) === '"' ? quoted() : token();
      if (current) current.params[name.toLowerCase()] = value;
    } else {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

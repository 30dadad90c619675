/** proxy-from-env ships no types; this is its one function (README, "API"). */
declare module "proxy-from-env" {
  /** The proxy URL for `url` from the standard variables, or "" when none applies. */
  export function getProxyForUrl(url: string | URL): string;
}

/**
 * Package identity for the `User-Agent` header, read once from package.json. `../../package.json`
 * resolves both from `provider/atlas/` (ts-jest, tsx) and from `dist/atlas/` (the built package), and the
 * `files` list ships package.json with every install, so there is no second copy to keep in sync.
 */
// A require keeps package.json outside tsc's rootDir (provider/) for the build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require("../../package.json") as { name: string; version: string };

export const PACKAGE_NAME: string = pkg.name;
export const PACKAGE_VERSION: string = pkg.version;

/** Names the package and its version (RFC 9110 §10.1.5 product tokens), plus the Node runtime. */
export const USER_AGENT = `${PACKAGE_NAME}/${PACKAGE_VERSION} (node ${process.version})`;

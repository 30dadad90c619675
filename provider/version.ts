/** The package's name and version (atlas/version.ts reads them from package.json). */
export { PACKAGE_NAME, PACKAGE_VERSION, USER_AGENT } from "./atlas/version";

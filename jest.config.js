/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    // tsconfig sets isolatedModules, so ts-jest only transpiles; `tsc` type-checks once in `npm test`.
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  testTimeout: 30000,
  globalSetup: "<rootDir>/test/global-setup.ts",
};

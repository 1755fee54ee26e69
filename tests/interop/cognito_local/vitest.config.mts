// Runs cognito-local's vendored tests (upstream/, unchanged) with shim/ standing in for the
// files they import from cognito-local itself: its in-process server start-up and helpers.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const shim = (name: string) => fileURLToPath(new URL(`./shim/${name}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^\.\/setup$/, replacement: shim("setup.ts") },
      { find: /^\.\.\/\.\.\/src\/__tests__\/clockFake$/, replacement: shim("clockFake.ts") },
      { find: /^\.\.\/\.\.\/src\/__tests__\/testContext$/, replacement: shim("testContext.ts") },
      {
        find: /^\.\.\/\.\.\/src\/services\/cognitoService$/,
        replacement: shim("cognitoService.ts"),
      },
      {
        find: /^\.\.\/\.\.\/src\/services\/userPoolService$/,
        replacement: shim("userPoolService.ts"),
      },
    ],
  },
  test: {
    root: fileURLToPath(new URL("./upstream", import.meta.url)),
    include: ["integration-tests/aws-sdk/*.test.ts"],
    // Every test starts its own emulator process: two workers keep a 2-core machine usable.
    maxWorkers: 2,
    minWorkers: 1,
  },
});

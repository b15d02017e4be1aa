// Playwright end-to-end tests against the release build in dist/, served under /refleqt/ on
// 127.0.0.1, in Debian's Chromium (never a downloaded browser).
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 4173);
// connections.spec.mjs: a real authorization server and a resource server on 127.0.0.1. The
// build's connect-src must list both (scripts/test.sh sets REFLEQT_CONNECT_SRC to match).
const asPort = Number(process.env.E2E_AS_PORT ?? 4175);
const rsPort = Number(process.env.E2E_RS_PORT ?? 4176);

export default defineConfig({
  testDir: ".",
  testMatch: /.*\.spec\.mjs$/,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}/refleqt/`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [
    {
      command: `node tests/e2e/serve-dist.mjs`,
      cwd: "../..",
      // E2E_SWITCHABLE: offline.spec.mjs serves a second build to test the update flow.
      env: { PORT: String(port), BASE_PATH: "/refleqt/", DIST_DIR: "dist", E2E_SWITCHABLE: "1" },
      url: `http://127.0.0.1:${port}/refleqt/`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
    {
      command: `node tests/e2e/oauth-servers.mjs`,
      cwd: "../..",
      env: {
        AS_PORT: String(asPort),
        RS_PORT: String(rsPort),
        APP_PORT: String(port),
        APP_BASE: "/refleqt/",
      },
      url: `http://127.0.0.1:${asPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
  ],
});

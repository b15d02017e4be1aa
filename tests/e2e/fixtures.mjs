// Shared fixture: every test fails on any console error, uncaught page error, failed request or
// HTTP error response, and on any request that leaves 127.0.0.1.
//
// One exception, and only one: a request that the browser itself cancels (net::ERR_ABORTED)
// because the page navigated away or reloaded after the request started — e.g. the favicon of a
// page that a test reloads. That is not a failure of the app or the server; any other failure,
// and any abort without a later navigation, still fails the test.
import { test as base, expect } from "@playwright/test";

export const test = base.extend({
  page: async ({ page }, use) => {
    const problems = [];
    let navigations = 0;
    const startedAt = new WeakMap();
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("request", (req) => {
      startedAt.set(req, navigations);
      if (req.isNavigationRequest() && req.frame() === page.mainFrame()) navigations += 1;
      const url = new URL(req.url());
      if (
        !["127.0.0.1", "localhost"].includes(url.hostname) &&
        !url.protocol.startsWith("data") &&
        !url.protocol.startsWith("blob")
      ) {
        problems.push(`request outside 127.0.0.1: ${req.url()}`);
      }
    });
    page.on("requestfailed", (req) => {
      const error = req.failure()?.errorText ?? "";
      const leftBehind = navigations > (startedAt.get(req) ?? navigations);
      if (error.includes("ERR_ABORTED") && leftBehind && !req.isNavigationRequest()) return;
      problems.push(`request failed: ${req.url()} (${error})`);
    });
    page.on("response", (res) => {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
    });
    await use(page);
    expect(problems, "console errors, page errors and failed requests").toEqual([]);
  },
});

export { expect };

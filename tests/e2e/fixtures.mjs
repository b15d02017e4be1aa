// Shared fixture: every test fails on any console error, uncaught page error, failed request or
// HTTP error response, on any request that leaves 127.0.0.1, and on any Content-Security-Policy
// violation (a `securitypolicyviolation` event in the page, reported through an exposed binding).
//
// Exceptions, both requests the browser itself cancels (net::ERR_ABORTED), which are not failures
// of the app or the server:
// - any request left behind because the page navigated away or reloaded after it started, or
//   made by the page being left while such a navigation was under way;
// - the browser's own favicon fetch, which Chromium restarts (aborting the previous one) on
//   same-document navigations such as `#/import` → `#/calendar`. That the favicon is served is
//   tested on its own in shell.spec.mjs.
// Any other failure, and any other abort without a later navigation, still fails the test.
//
// A test that provokes an HTTP error on purpose (connections.spec.mjs: a resource server answering
// 401, 429 or 500, a token endpoint refusing a code) lists the URLs it expects to fail in
// `expectHttpErrors` (one regular expression, none by default); only those responses, and the
// browser's "Failed to load resource" console line for them, are let through.
import { test as base, expect } from "@playwright/test";

export const test = base.extend({
  expectHttpErrors: [null, { option: true }],
  page: async ({ page, expectHttpErrors }, use) => {
    const expected = (url) => expectHttpErrors !== null && expectHttpErrors.test(url);
    const problems = [];
    let navigations = 0;
    let navigating = false;
    const startedAt = new WeakMap();
    await page.exposeBinding("__reportCspViolation", (_source, v) => {
      problems.push(
        `CSP violation: ${v.directive} blocked ${v.blocked || "inline"} ` +
          `(${v.source}:${v.line}) ${v.sample}`,
      );
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        window.__reportCspViolation({
          directive: e.effectiveDirective,
          blocked: e.blockedURI,
          source: e.sourceFile,
          line: e.lineNumber,
          sample: e.sample,
        });
      });
    });
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      const failedLoad = msg.text().startsWith("Failed to load resource: the server responded");
      if (failedLoad && expected(msg.location()?.url ?? "")) return;
      problems.push(`console error: ${msg.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("request", (req) => {
      // A request made while the main frame is navigating belongs to the document being left
      // (e.g. a worker's script asked for just as a reload starts): it counts as left behind.
      startedAt.set(req, navigating ? navigations - 1 : navigations);
      if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
        navigations += 1;
        navigating = true;
      }
      const url = new URL(req.url());
      if (
        !["127.0.0.1", "localhost"].includes(url.hostname) &&
        !url.protocol.startsWith("data") &&
        !url.protocol.startsWith("blob")
      ) {
        problems.push(`request outside 127.0.0.1: ${req.url()}`);
      }
    });
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigating = false;
    });
    page.on("requestfailed", (req) => {
      const error = req.failure()?.errorText ?? "";
      const leftBehind = navigations > (startedAt.get(req) ?? navigations);
      const favicon = /\/favicon\.(svg|ico)$/.test(new URL(req.url()).pathname);
      if (error.includes("ERR_ABORTED") && (leftBehind || favicon) && !req.isNavigationRequest()) {
        return;
      }
      problems.push(`request failed: ${req.url()} (${error})`);
    });
    page.on("response", (res) => {
      if (res.status() >= 400 && !expected(res.url())) {
        problems.push(`HTTP ${res.status()}: ${res.url()}`);
      }
    });
    await use(page);
    expect(problems, "console errors, page errors and failed requests").toEqual([]);
  },
});

export { expect };

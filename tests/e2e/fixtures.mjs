// Shared fixture: every test fails on any console error, uncaught page error, failed request or
// HTTP error response, and on any request that leaves 127.0.0.1.
import { test as base, expect } from "@playwright/test";

export const test = base.extend({
  page: async ({ page }, use) => {
    const problems = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("requestfailed", (req) =>
      problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`),
    );
    page.on("response", (res) => {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
    });
    page.on("request", (req) => {
      const url = new URL(req.url());
      if (!["127.0.0.1", "localhost"].includes(url.hostname) && !url.protocol.startsWith("data") && !url.protocol.startsWith("blob")) {
        problems.push(`request outside 127.0.0.1: ${req.url()}`);
      }
    });
    await use(page);
    expect(problems, "console errors, page errors and failed requests").toEqual([]);
  },
});

export { expect };

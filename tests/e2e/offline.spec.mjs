// The installable offline app (issue 10): after one visit the service worker answers everything,
// so the app, the demo calendar and an attribution run in the worker work without a network; a
// new build is announced, waits, and replaces the old one only when the user reloads.
import { readdir, rm } from "node:fs/promises";
import { test, expect } from "./fixtures.mjs";
import { AppShell } from "./pages/app-shell.mjs";
import { CalendarPage } from "./pages/calendar.mjs";
import { AttributionPage } from "./pages/attribution.mjs";
import { AppUpdates } from "./pages/updates.mjs";
import { secondBuild } from "./second-build.mjs";

// Serve `dir` (or dist/ again when empty) from the test server, at the same origin.
async function serve(request, dir) {
  const res = await request.put("/__e2e/dist-dir", { data: dir });
  expect(res.status(), await res.text()).toBe(204);
}

test("after one visit, the app, the demo and an attribution run work offline", async ({ page, context }) => {
  const calendar = new CalendarPage(page);
  const updates = new AppUpdates(page);
  await calendar.open();
  await updates.controlled();
  expect(await updates.caches()).toHaveLength(1);

  await context.setOffline(true);
  try {
    await page.reload();
    await calendar.heading.waitFor();
    await expect(calendar.demoBanner).toContainText("Demo workspace");
    await expect(calendar.rows).toHaveCount(30);

    const attribution = new AttributionPage(page);
    await attribution.open();
    await expect(attribution.grid).toBeVisible();
    await expect(attribution.status).toContainText("computed in a background worker");
    const report = await attribution.report();
    expect(report.models.length).toBe(7);

    // A fresh navigation (not only a reload) is answered from the cache too.
    await new AppShell(page).open();
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  } finally {
    await context.setOffline(false);
  }
});

test("a new build is announced, waits, and reloading gives it", async ({ page, request }) => {
  const shell = new AppShell(page);
  const updates = new AppUpdates(page);
  await shell.open();
  await updates.controlled();
  const [firstCache] = await updates.caches();
  const next = await secondBuild();
  try {
    const oldHref = await updates.stylesheet("main-");
    expect(oldHref).toBe(`./${next.oldCss}`);
    await serve(request, next.dir);

    // The reload still runs the old version (from its cache); the browser finds the new worker.
    await page.reload();
    await shell.nav.waitFor();
    await expect(updates.notice).toBeVisible({ timeout: 30_000 });
    await expect(updates.notice).toContainText("A new version is ready — reload to update");
    expect(await updates.stylesheet("main-")).toBe(oldHref);

    await Promise.all([page.waitForEvent("load"), updates.reloadButton.click()]);
    await shell.nav.waitFor();
    await expect.poll(() => updates.stylesheet("main-")).toBe(`./${next.newCss}`);
    await expect(updates.notice).toHaveCount(0);
    // The old version's cache is gone; the new one holds the new files.
    const caches = await updates.caches();
    expect(caches).toHaveLength(1);
    expect(caches[0]).not.toBe(firstCache);
  } finally {
    await serve(request, "");
    await rm(next.dir, { recursive: true, force: true });
  }
});

test("installable by Chromium's criteria, and the worker precaches exactly the build's files", async ({ page, context, request }) => {
  const updates = new AppUpdates(page);
  await new AppShell(page).open();
  await updates.controlled();
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  // Playwright's contexts are incognito, which Chromium never installs from; that is the browser
  // profile, not the app. Anything about the manifest, icons or service worker would show here.
  expect(installabilityErrors.filter((e) => e.errorId !== "in-incognito")).toEqual([]);

  const sw = await (await request.get("sw.js")).text();
  const listed = JSON.parse(sw.match(/const PRECACHE_FILES = (\[[^\]]*\]);/)[1]);
  // Everything the build holds but the worker itself and the host's `_headers` file.
  const built = (await readdir(new URL("../../dist/", import.meta.url))).filter(
    (f) => f !== "sw.js" && f !== "_headers",
  );
  expect(listed).toEqual(built.sort());
  const cache = await page.evaluate(async () => {
    const [name] = (await caches.keys()).filter((n) => n.startsWith("refleqt-"));
    const keys = await (await caches.open(name)).keys();
    return keys.map((req) => new URL(req.url).pathname.replace(/^\/refleqt\//, "")).sort();
  });
  expect(cache).toEqual(listed);
});

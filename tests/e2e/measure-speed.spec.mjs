// A measurement, not a check (run it with REFLEQT_MEASURE=1; it is skipped otherwise): the
// browser goals of the speed issue on the simulator's event log (1M journeys by default, or
// REFLEQT_MEASURE_JOURNEYS): from the file chosen on the Attribution page to the point estimates
// on screen, and to every model with its 95 % intervals; one model switch; and the page thread's
// long tasks (over 50 ms) meanwhile. Times are taken on the page's own clock. The numbers are
// printed, never asserted.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, expect } from "./fixtures.mjs";
import { AttributionPage } from "./pages/attribution.mjs";

test.use({ serviceWorkers: "block" });

const root = path.resolve(import.meta.dirname, "../..");

// The event log, written by the CLI (built for release on first use).
function eventLog(journeys) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "refleqt-speed-"));
  const events = path.join(dir, "events.csv");
  const built = path.join(root, "target/release/refleqt");
  const [cmd, args] = existsSync(built)
    ? [built, []]
    : ["cargo", ["run", "-q", "--release", "-p", "refleqt-cli", "--"]];
  execFileSync(
    cmd,
    [...args, "simulate", "--journeys", String(journeys), "--seed", "1", "--events", events],
    { cwd: root, stdio: "inherit" },
  );
  return events;
}

test("the attribution run on a big event log: time to estimates, to intervals, a model switch, long tasks", async ({
  page,
}) => {
  test.skip(!process.env.REFLEQT_MEASURE, "a measurement: REFLEQT_MEASURE=1 runs it");
  test.setTimeout(900_000);
  const journeys = Number(process.env.REFLEQT_MEASURE_JOURNEYS ?? 1_000_000);
  const events = eventLog(journeys);
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  const a = new AttributionPage(page);
  await a.open();
  // Every change of the run's state, and the moment the file is chosen, on the page's clock.
  await page.evaluate(() => {
    window.__long = [];
    window.__marks = [];
    const status = document.querySelector('[data-testid="run-status"]');
    new MutationObserver(() =>
      window.__marks.push([status.dataset.state, performance.now()]),
    ).observe(status, { attributes: true, attributeFilter: ["data-state"] });
    document
      .querySelector('[data-testid="source-file"]')
      .addEventListener("change", () => window.__marks.push(["chosen", performance.now()]), {
        capture: true,
      });
  });
  await page.getByTestId("source-file").setInputFiles(events);
  await expect(a.sourceLabel).toContainText("events.csv", { timeout: 600_000 });
  await page.waitForFunction(
    () =>
      window.__marks.some(([s]) => s === "refining") &&
      document.querySelector('[data-testid="run-status"]')?.dataset.state === "idle",
    null,
    { timeout: 600_000 },
  );
  const marks = await page.evaluate(() => window.__marks);
  const at = (s) => marks.find(([name]) => name === s)?.[1];
  const chosen = at("chosen");
  const estimates = at("refining");
  const done = marks.filter(([s]) => s === "idle").at(-1)?.[1];
  const long = await page.evaluate(() => window.__long);

  // One model switch: from the change event to the second animation frame after it (the new
  // numbers painted).
  const switchMs = await page.evaluate(async () => {
    const select = document.querySelector('[data-testid="artifact-model"]');
    const next = [...select.options].map((o) => o.value).find((v) => v !== select.value);
    const t = performance.now();
    select.value = next;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t;
  });

  const report = await a.report();
  const mb = statSync(events).size / 1e6;
  console.log(
    [
      `event log: ${journeys} journeys, ${mb.toFixed(0)} MB, ${report.models.length} models`,
      `file chosen -> point estimates: ${(estimates - chosen).toFixed(0)} ms`,
      `file chosen -> all models with 95 % intervals: ${(done - chosen).toFixed(0)} ms`,
      `model switch (change -> painted): ${switchMs.toFixed(1)} ms`,
      `page-thread long tasks during the run: ${long.length}` +
        (long.length ? `, longest ${Math.max(...long).toFixed(0)} ms` : ""),
      `state changes: ${marks.map(([s, t]) => `${s}@${(t - chosen).toFixed(0)}`).join(" ")}`,
    ].join("\n"),
  );
  expect(report.models.length).toBeGreaterThanOrEqual(7);
});

// The attribution workbench and dashboards on the demo workspace.
import { test, expect } from "./fixtures.mjs";
import { AttributionPage, DashboardsPage, canvasIsDrawn } from "./pages/attribution.mjs";
import { EntryPage } from "./pages/calendar.mjs";
import { ImportPage } from "./pages/import.mjs";

const MODELS = ["first", "last", "linear", "time-decay", "position", "markov", "shapley"];

test("shows all seven models for every channel", async ({ page }) => {
  const a = new AttributionPage(page);
  await a.open();
  const report = await a.report();
  expect(report.models.map((m) => m.model)).toEqual(MODELS);
  for (const channel of report.input.channels) {
    for (const m of MODELS) {
      await expect(a.share(channel, m)).toHaveText(/%/);
    }
  }
  await expect(a.truth).toBeVisible();
});

test("the data-driven model says why it is off on the demo and runs when asked", async ({ page }) => {
  const a = new AttributionPage(page);
  await a.open();
  const before = await a.report();
  expect(before.models.map((m) => m.model)).not.toContain("logistic");
  const skipped = before.skipped.find((s) => s.model === "logistic");
  expect(skipped.reason).toContain("1000");
  await expect(page.getByTestId("skipped")).toContainText("needs at least 1000");
  await expect(a.grid.locator('th[data-model="logistic"]')).toHaveText(/Data-driven \(logistic\)/);

  await page.getByTestId("param-force-logistic").check();
  await expect.poll(async () => (await a.report()).parameters.force_logistic, { timeout: 60_000 }).toBe(true);
  await a.finished();
  const after = await a.report();
  const logistic = after.models.find((m) => m.model === "logistic");
  expect(logistic.logistic.converged).toBe(true);
  expect(logistic.truth_l1).toBeGreaterThan(0);
  for (const channel of after.input.channels) {
    await expect(a.share(channel, "logistic")).toHaveText(/%/);
  }
});

test("changing the half-life changes time-decay numbers and nothing else", async ({ page }) => {
  const a = new AttributionPage(page);
  await a.open();
  const before = await a.shares();
  const reportBefore = await a.report();
  await a.halfLife.fill("2");
  await expect.poll(async () => (await a.report()).parameters.half_life_days, { timeout: 60_000 }).toBe(2);
  await a.finished();
  const after = await a.shares();
  const reportAfter = await a.report();
  let changed = 0;
  for (const key of Object.keys(before)) {
    if (key.startsWith("time-decay|")) {
      if (before[key] !== after[key]) changed++;
    } else {
      expect(after[key], key).toBe(before[key]);
    }
  }
  expect(changed).toBeGreaterThan(0);
  for (const [i, m] of reportBefore.models.entries()) {
    if (m.model !== "time-decay") expect(reportAfter.models[i]).toEqual(m);
  }
});

test("the recommendation follows the rules and changes with the business type", async ({ page }) => {
  const a = new AttributionPage(page);
  await a.open();
  const report = await a.report();
  const [lo, hi] = report.input.date_range.map((d) => Date.parse(d));
  const months = Math.max((hi - lo) / 86_400_000 / 30.4375, 1);
  const perMonth = report.totals.conversions / months;
  // Demo settings: B2C, 14-day cycle.
  const expected = perMonth < 100 ? "last" : perMonth > 1000 ? "markov" : "linear";
  await expect(a.sentence).toHaveAttribute("data-model", expected);
  const b2c = await a.sentence.textContent();
  await a.businessType.selectOption("b2b");
  if (perMonth >= 100) {
    await expect(a.sentence).toHaveAttribute("data-model", "position");
    await expect(a.sentence).not.toHaveText(b2c);
  }
  await a.salesCycle.fill("60");
  await a.salesCycle.press("Tab");
  if (perMonth >= 100) await expect(a.sentence).toHaveAttribute("data-model", "time-decay");
});

test("every chart canvas is drawn, and the table toggle shows the engine's numbers", async ({ page }) => {
  const a = new AttributionPage(page);
  await a.open();
  const { canvas, toggle, table } = a.chart("chart-model-shares");
  await expect(canvas).toHaveAttribute("aria-label", /Share of conversions/);
  expect(await canvasIsDrawn(canvas)).toBe(true);
  await toggle.click();
  await expect(table).toBeVisible();
  const report = await a.report();
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(report.input.channels.length);
  for (const [g, channel] of report.input.channels.entries()) {
    const cells = rows.nth(g).locator("td");
    await expect(cells.nth(0)).toHaveText(channel);
    for (const [k, m] of report.models.entries()) {
      const c = m.channels.find((x) => x.channel === channel);
      await expect(cells.nth(k + 1)).toHaveText(`${pct(c.share)} (${pct(c.share_low)} – ${pct(c.share_high)})`);
    }
  }

  const dashboards = new DashboardsPage(page);
  await dashboards.open();
  for (const id of ["chart-channel-money", "chart-accuracy", "chart-transitions"]) {
    const c = dashboards.chart(id).canvas;
    await expect(c).toBeVisible({ timeout: 60_000 });
    await expect.poll(() => canvasIsDrawn(c), { message: id }).toBe(true);
  }
  await expect(dashboards.paths.locator("tbody tr").first()).toBeVisible();

  await new EntryPage(page).open(1);
  const trend = a.chart("chart-entry-trend").canvas;
  await expect(trend).toBeVisible();
  await expect.poll(() => canvasIsDrawn(trend)).toBe(true);
});

test("an event log imported as a data set is analysed from storage", async ({ page }) => {
  const importPage = new ImportPage(page);
  await importPage.open();
  await importPage.importFile("tests/e2e/fixtures/event_log_small.csv");
  await expect(importPage.summary).toContainText("data set");
  const a = new AttributionPage(page);
  await a.open();
  await expect(a.storedDataset).toContainText("event_log_small.csv");
  await a.useDataset.click();
  await expect(a.sourceLabel).toContainText("(stored data set)");
  await expect.poll(async () => (await a.report()).input.source, { timeout: 60_000 }).toContain("event_log_small");
  await a.finished();
  const report = await a.report();
  expect(report.models.map((m) => m.model)).toEqual(MODELS);
  expect(report.totals.conversions).toBe(3);
  expect(report.totals.revenue).toBe(400);
});

// The marketer's daily view (issue 15): ROI per artifact from the workspace's costs on imported
// data, intervals on artifact ROI, the Overview agreeing with the Attribution page.
import { test, expect } from "./fixtures.mjs";
import { AttributionPage } from "./pages/attribution.mjs";
import { EntryPage } from "./pages/calendar.mjs";
import { ImportPage } from "./pages/import.mjs";
import { OverviewPage } from "./pages/overview.mjs";

test("an imported event log's artifacts take their cost from the workspace", async ({ page }) => {
  // Entry 1's cost in the workspace: a recorded $50 (the log's own cost column says 2.5 a touch).
  const entry = new EntryPage(page);
  await entry.open(1);
  await entry.metric("Cost (USD)").fill("$50");
  await entry.save.click();
  await expect(entry.status).toContainText("Saved");

  const importPage = new ImportPage(page);
  await importPage.open();
  await importPage.importFile("tests/e2e/fixtures/event_log_small.csv");
  const a = new AttributionPage(page);
  await a.open();
  await a.useDataset.click();
  await expect.poll(async () => (await a.report()).input.source, { timeout: 60_000 }).toContain("event_log_small");
  await a.finished();
  const report = await a.report();
  const linear = report.models.find((m) => m.model === "linear");
  const e1 = linear.entries.find((e) => e.entry === 1);
  expect(e1.cost).toBe(50);
  expect(e1.cost_source).toBe("workspace");
  expect(e1.roi).toBeCloseTo(((e1.revenue - 50) / 50) * 100, 9);
  // The page shows the same: cost, its source, and the ROI with its interval.
  const row = page.locator('[data-testid="artifacts"] tr[data-entry="1"]');
  await expect(row.locator('[data-col="cost"]')).toHaveText("$50.00");
  await expect(row.locator('[data-col="cost-source"]')).toHaveText("workspace");
  await expect(row.locator('[data-col="roi"] .interval')).toHaveText(/%.*–.*%/);
  await expect(page.getByTestId("artifact-cost-sources")).toContainText("from the workspace");
});

test("every artifact's ROI has an interval that contains it", async ({ page }) => {
  const a = new AttributionPage(page);
  await a.open();
  const report = await a.report();
  let checked = 0;
  for (const m of report.models) {
    for (const e of m.entries) {
      if (e.roi === undefined) continue;
      expect(e.roi_low, `${m.model} cal-${e.entry}`).toBeLessThanOrEqual(e.roi + 1e-9);
      expect(e.roi_high, `${m.model} cal-${e.entry}`).toBeGreaterThanOrEqual(e.roi - 1e-9);
      expect(e.revenue_low).toBeLessThanOrEqual(e.revenue + 1e-9);
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(30);
  const first = page.locator('[data-testid="artifacts"] tbody tr').first();
  await expect(first.locator('[data-col="roi"] .interval')).toHaveText(/–/);
  await expect(first.locator('[data-col="revenue"] .interval')).toHaveText(/–/);
});

test("the overview's figures match the attribution page for the same period and model", async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.open();
  await overview.finished();
  await overview.period.selectOption("90");
  await overview.model.selectOption("position");
  await expect(overview.figures).toContainText("Position-based");
  await expect(page.getByTestId("overview-before")).toBeVisible({ timeout: 60_000 });
  await overview.finished();
  const spend = await overview.spend.textContent();
  const revenue = await overview.revenue.textContent();
  const roi = await overview.roi.textContent();
  await expect(overview.roiRange).toHaveText(/–/);
  await expect(overview.best.locator("li")).toHaveCount(3);
  await expect(overview.next).toBeVisible();
  await expect(overview.attention).toBeVisible();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Attribution" }).click();
  const a = new AttributionPage(page);
  await a.finished();
  await expect(page.getByLabel("Period", { exact: true })).toHaveValue("90");
  await expect(page.getByTestId("artifact-model")).toHaveValue("position");
  await expect(page.getByTestId("results-window")).toBeVisible();
  await expect(page.getByTestId("totals-revenue")).toHaveText(revenue);
  await expect(page.getByTestId("totals-cost")).toHaveText(spend);
  await expect(page.getByTestId("totals-roi")).toHaveText(roi);
  const report = await a.report();
  expect(report.truth).toBeUndefined();
});

test("a new entry's publish date starts at today", async ({ page }) => {
  await page.goto("./#/calendar/new");
  const today = new Date().toISOString().slice(0, 10);
  await expect(page.getByLabel("Publish date")).toHaveValue(today);
  await page.goto("./#/calendar/new?date=2025-07-04");
  await page.reload();
  await expect(page.getByLabel("Publish date")).toHaveValue("2025-07-04");
});

test("the month grid moves between months and opens an entry", async ({ page }) => {
  await page.goto("./#/calendar?view=month");
  const grid = page.getByTestId("calendar-grid");
  const title = page.getByTestId("grid-title");
  await expect(grid).toBeVisible();
  const first = (await title.textContent()).trim();
  expect(first).toMatch(/^[A-Z][a-z]+ \d{4}$/);
  // The demo opens at a month with entries, each a link coloured by its channel.
  const chips = grid.locator("a.chip");
  expect(await chips.count()).toBeGreaterThan(0);
  await page.getByTestId("grid-next").click();
  await expect(title).not.toHaveText(first);
  const next = (await title.textContent()).trim();
  await page.getByTestId("grid-prev").click();
  await expect(title).toHaveText(first);
  await page.getByTestId("grid-prev").click();
  await expect(title).not.toHaveText(first);
  await expect(title).not.toHaveText(next);
  await page.getByTestId("grid-next").click();
  await expect(title).toHaveText(first);
  // Keyboard: the chip is a link reached by Tab and opened by Enter.
  const chip = chips.first();
  const id = await chip.getAttribute("data-entry");
  const chipTitle = (await chip.locator(".chip-title").textContent()).trim();
  await chip.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`#/entry/${id}$`));
  await expect(page.getByTestId("entry-title")).toHaveText(chipTitle);
  // A day's "+" opens the form at that day.
  await page.goto("./#/calendar?view=month");
  const day = grid.locator("td[data-date]").nth(10);
  const date = await day.getAttribute("data-date");
  await day.getByRole("link", { name: `New entry on ${date}` }).click();
  await expect(page.getByLabel("Publish date")).toHaveValue(date);
});

for (const width of [1280, 1920]) {
  test(`the seven-model grid and the month grid fit their cards at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    const a = new AttributionPage(page);
    await a.open();
    const fits = (selector) =>
      page.evaluate((sel) => {
        const wrap = document.querySelector(sel)?.closest(".table-wrap");
        return wrap ? wrap.scrollWidth <= wrap.clientWidth + 1 : null;
      }, selector);
    expect(await fits('[data-testid="model-grid"]')).toBe(true);
    // The last column ends inside the card, not cut at its edge.
    const inside = await page.evaluate(() => {
      const th = document.querySelector('[data-testid="model-grid"] th[data-model="shapley"]');
      const wrap = th.closest(".table-wrap").getBoundingClientRect();
      return th.getBoundingClientRect().right <= wrap.right + 1;
    });
    expect(inside).toBe(true);
    await page.goto("./#/calendar?view=month");
    await page.getByTestId("calendar-grid").waitFor();
    expect(await fits("table.month")).toBe(true);
  });
}

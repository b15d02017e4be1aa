// Issue 12 in the app: the cross-channel journey map (journeys as timelines with each touch's
// credit under the data-driven model and the chosen model, filters, the channel graph) and the
// creators page (the demo's creators ranked by their planted skill; a planned entry's match).
import { test, expect } from "./fixtures.mjs";
import { canvasIsDrawn } from "./pages/attribution.mjs";
import { CalendarPage, EntryForm, EntryPage } from "./pages/calendar.mjs";

const pct = (text) => Number(text.replace(/[^\d.\-]/g, ""));

test("the journey map shows journeys with per-touch credit under both models, filters them and draws the graph", async ({ page }) => {
  await page.goto("./#/dashboards");
  await page.getByTestId("to-journey-map").click();
  await expect(page.getByRole("heading", { level: 1, name: "Journey map" })).toBeVisible();
  const cards = page.getByTestId("journey");
  await expect(cards.first()).toBeVisible({ timeout: 60_000 });
  await expect(cards).toHaveCount(10);
  await expect(page.getByTestId("journey-sample")).toContainText(/A sample of [\d,]+ of the [\d,]+ journeys/);

  // A converted journey: day-by-day touches, each with its share under Shapley and under the
  // chosen model (first touch), each column adding up to the whole conversion.
  await page.getByTestId("journey-outcome").selectOption("converted");
  await page.getByTestId("journey-length").selectOption("2-3");
  await page.getByTestId("journeys-model").selectOption("first");
  const card = cards.first();
  await expect(card.locator("thead")).toContainText("Credit: Shapley");
  await expect(card.locator("thead")).toContainText("Credit: First touch");
  await expect(card.locator("tbody th").first()).toHaveText("Day 1");
  await expect(card.getByTestId("journey-outcome-cell")).toContainText("Conversion");
  const dd = (await card.getByTestId("credit-data-driven").allTextContents()).map(pct);
  const chosen = (await card.getByTestId("credit-chosen").allTextContents()).map(pct);
  expect(dd.length).toBeGreaterThanOrEqual(2);
  expect(dd.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
  expect(chosen[0]).toBe(100);
  expect(chosen.slice(1).every((x) => x === 0)).toBe(true);

  // Filters narrow the list: a channel, then text in the path.
  const count = async () => pct(await page.getByTestId("journey-count").textContent());
  const before = await count();
  const channel = page.getByTestId("journey-channel");
  const email = await channel.locator("option", { hasText: /^email$/i }).getAttribute("value");
  await channel.selectOption(email);
  await expect.poll(count).toBeLessThan(before);
  const narrowed = await count();
  expect(narrowed).toBeGreaterThan(0);
  for (const c of await cards.all()) {
    await expect(c.locator("tbody td:nth-child(2)").filter({ hasText: /^email$/i }).first()).toBeVisible();
  }
  await page.getByTestId("journey-search").fill("no-such-channel");
  await expect(page.getByTestId("journey-count")).toHaveText("0 journeys match.");
  await expect(cards).toHaveCount(0);
  await page.getByTestId("journey-search").fill("");
  await expect.poll(count).toBe(narrowed);

  // The channel graph: drawn, with its table, the most probable paths (sorted) and groups.
  const graph = page.getByTestId("chart-journey-graph");
  await expect(graph.locator("canvas")).toBeVisible();
  await expect.poll(() => canvasIsDrawn(graph.locator("canvas"))).toBe(true);
  await graph.getByTestId("table-toggle").click();
  await expect(graph.getByTestId("chart-table").locator("tbody tr").first()).toBeVisible();
  const paths = page.getByTestId("probable-paths").locator("tbody tr");
  await expect(paths).toHaveCount(5);
  const probs = (await paths.locator("td").allTextContents()).map(pct);
  expect([...probs].sort((a, b) => b - a)).toEqual(probs);
  await expect(paths.first().locator("th")).toHaveText(/^\(start\) → .+ → \(conversion\)$/);
});

test("the creators page ranks the demo's creators by their planted skill, with intervals", async ({ page }) => {
  await page.goto("./#/creators");
  await expect(page.getByRole("heading", { level: 1, name: "Creators" })).toBeVisible();
  await expect(page.getByTestId("creator-metric")).toHaveValue("pageviews");
  const rows = page.getByTestId("creator-row");
  await expect(rows).toHaveCount(4);
  await expect(page.getByTestId("creator-name")).toHaveText(["Alex Morgan", "Blake Chen", "Casey Rivera", "Drew Patel"]);
  await expect(page.getByTestId("creator-rank")).toHaveText(["1", "2", "3", "4"]);
  const skills = await page.getByTestId("creator-score").evaluateAll((tds) => tds.map((td) => Number(td.dataset.skill)));
  expect([...skills].sort((a, b) => b - a)).toEqual(skills);
  await expect(page.getByTestId("creator-score").first()).toContainText("% above the usual pageviews");
  const chart = page.getByTestId("chart-creators");
  await expect.poll(() => canvasIsDrawn(chart.locator("canvas"))).toBe(true);
  await chart.getByTestId("table-toggle").click();
  await expect(chart.getByTestId("chart-table").locator("tbody tr")).toHaveCount(4);
  await expect(chart.getByTestId("chart-table").locator("tbody tr").first()).toContainText(/\(.+ – .+\)/);

  // Another metric re-ranks on that metric.
  await page.getByTestId("creator-metric").selectOption("signups");
  await expect(rows).toHaveCount(4);
  await expect(page.getByTestId("creator-score").first()).toContainText("the usual signups");
});

test("a planned entry names its creator's match in words", async ({ page }) => {
  const calendar = new CalendarPage(page);
  await calendar.open();
  await calendar.newEntry.click();
  const form = new EntryForm(page);
  await form.fill({ title: "Winter LinkedIn post", channel: "LinkedIn", date: "2030-01-14" });
  await page.getByLabel("Type").selectOption("Social post");
  await page.getByLabel("Creator").fill("Alex Morgan");
  await form.create.click();
  const entry = new EntryPage(page);
  await expect(entry.title).toHaveText("Winter LinkedIn post");
  await expect(page.getByTestId("creator-match")).toContainText(/^Creator match: Alex Morgan's social post artifacts on LinkedIn usually get \d+ % above the pageviews/);
});

// Accessibility: axe-core on every page, in the states a person reaches first. No serious or
// critical violation may remain.
import AxeBuilder from "@axe-core/playwright";
import { test, expect } from "./fixtures.mjs";

const PAGES = [
  ["overview", "#/", "overview-figures"],
  ["calendar month", "#/calendar?view=month", "calendar-grid"],
  ["calendar week", "#/calendar?view=week", "calendar-grid"],
  ["calendar table", "#/calendar?view=table", "entries"],
  ["new entry", "#/calendar/new", "new-entry"],
  ["entry", "#/entry/1", "entry-title"],
  ["edit entry", "#/entry/1/edit", null],
  ["attribution", "#/attribution", "results"],
  ["dashboards", "#/dashboards", null],
  ["journey map", "#/journeys", "journey"],
  ["creators", "#/creators", "creator-row"],
  ["insights", "#/insights", "segment-row"],
  ["alerts", "#/alerts", null],
  ["import", "#/import", null],
  ["settings", "#/settings", null],
  ["beliefs", "#/beliefs", "belief"],
  ["A/B tests", "#/ab-tests", "ab-test"],
  ["not found", "#/no-such-page", "not-found"],
];

for (const [name, hash, ready] of PAGES) {
  test(`axe finds no serious or critical violation on ${name}`, async ({ page }) => {
    await page.goto(`./${hash}`);
    await page.locator("main h1").first().waitFor();
    if (ready) await page.getByTestId(ready).first().waitFor({ timeout: 60_000 });
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    expect(bad, bad.join("\n")).toEqual([]);
  });
}

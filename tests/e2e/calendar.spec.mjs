// V1 end to end (issue 4): create a calendar entry, enter the spec's manual performance data, see
// the spec's ROI, reload and still see every value, delete and stay deleted after reload.
import { test, expect } from "./fixtures.mjs";
import { CalendarPage, EntryForm, EntryPage } from "./pages/calendar.mjs";
import { SettingsPage } from "./pages/settings.mjs";

test("the spec's V1 flow: Q1 Product Launch Blog reads 2,700% ROI and survives reloads", async ({ page }) => {
  const calendar = new CalendarPage(page);
  await calendar.open();
  // First run: a clearly labelled demo workspace.
  await expect(calendar.demoBanner).toContainText("Demo workspace");
  await expect(calendar.rows).toHaveCount(30);

  await calendar.newEntry.click();
  const form = new EntryForm(page);
  // Nothing is saved half-way: a bad form shows inline messages.
  await form.create.click();
  await expect(page.getByText("enter a title")).toBeVisible();
  await form.fill({
    title: "Q1 Product Launch Blog",
    channel: "Blog / organic",
    campaign: "Q1 Product Launch",
    date: "2025-03-14",
    url: "not a url",
  });
  await form.create.click();
  await expect(page.getByText("enter a full web address")).toBeVisible();
  await form.url.fill("https://example.com/blog/q1-launch");
  await form.create.click();

  const entry = new EntryPage(page);
  await expect(entry.title).toHaveText("Q1 Product Launch Blog");
  await expect(page.getByText("utm_content=cal-31", { exact: true })).toBeVisible();
  // No revenue or cost yet: an em dash that says why, never a number.
  await expect(entry.roi).toHaveText("—");
  await expect(entry.roi).toHaveAttribute("title", /No ROI/);

  await entry.metric("Pageviews").fill("2,847");
  await entry.metric("Time on page (m:ss)").fill("3:42");
  await entry.metric("Signups").fill("12");
  await entry.metric("Revenue (USD)").fill("$4,200");
  await expect(entry.roi).toHaveText("—");
  await entry.metric("Cost (USD)").fill("$150");
  await expect(entry.roi).toHaveText("2,700%");
  await entry.save.click();
  await expect(entry.status).toContainText("Saved 5 values");
  await expect(entry.badge("revenue")).toHaveText("manual");

  await page.reload();
  await expect(entry.title).toHaveText("Q1 Product Launch Blog");
  await expect(entry.metric("Pageviews")).toHaveValue("2,847");
  await expect(entry.metric("Time on page (m:ss)")).toHaveValue("3:42");
  await expect(entry.metric("Signups")).toHaveValue("12");
  await expect(entry.metric("Revenue (USD)")).toHaveValue("4,200");
  await expect(entry.metric("Cost (USD)")).toHaveValue("150");
  await expect(entry.roi).toHaveText("2,700%");
  for (const key of ["pageviews", "time_on_page", "signups", "revenue", "cost"]) {
    await expect(entry.badge(key)).toHaveText("manual");
  }

  await calendar.open();
  await expect(calendar.rows).toHaveCount(31);
  await expect(calendar.row("Q1 Product Launch Blog")).toContainText("2,700%");
  await calendar.row("Q1 Product Launch Blog").getByRole("link").click();
  await entry.delete.click();
  await entry.confirmDelete.click();
  await expect(calendar.heading).toBeVisible();
  await expect(calendar.row("Q1 Product Launch Blog")).toHaveCount(0);
  await page.reload();
  await expect(calendar.rows).toHaveCount(30);
  await expect(calendar.row("Q1 Product Launch Blog")).toHaveCount(0);
  await page.goto("./#/entry/31");
  await expect(page.getByRole("heading", { name: "Entry not found" })).toBeVisible();
});

test("filters by channel and campaign and sorts by date", async ({ page }) => {
  const calendar = new CalendarPage(page);
  await calendar.open();
  await expect(calendar.rows).toHaveCount(30);
  await calendar.channelFilter.selectOption("LinkedIn");
  const linkedIn = await calendar.rows.count();
  expect(linkedIn).toBeGreaterThan(0);
  expect(linkedIn).toBeLessThan(30);
  for (const row of await calendar.rows.all()) await expect(row).toContainText("LinkedIn");
  await calendar.channelFilter.selectOption("");
  await calendar.campaignFilter.selectOption("Summer Promo");
  for (const row of await calendar.rows.all()) await expect(row).toContainText("Summer Promo");
  await calendar.campaignFilter.selectOption("");
  const newestFirst = await calendar.dates();
  expect([...newestFirst].sort().reverse()).toEqual(newestFirst);
  await calendar.sortByDate.click();
  const oldestFirst = await calendar.dates();
  expect([...oldestFirst].sort()).toEqual(oldestFirst);
});

test("settings: start empty, refuse a foreign import, reset the demo", async ({ page }) => {
  const settings = new SettingsPage(page);
  await settings.open();
  await settings.replaceWith(settings.startEmpty);
  await expect(settings.message).toHaveText("Started an empty workspace.");
  await settings.importFile.setInputFiles({
    name: "other.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify({ hello: "world" })),
  });
  await expect(settings.message).toContainText("nothing was changed");
  await expect(settings.message).toContainText("not a Refleqt workspace file");
  // Reload once the empty workspace is stored (a reload during a save is warned about instead).
  await expect(page.getByTestId("storage-status")).toContainText("Saved in this browser");
  const calendar = new CalendarPage(page);
  await calendar.open();
  await expect(calendar.empty).toBeVisible();
  await page.reload();
  await expect(calendar.empty).toBeVisible();
  await settings.open();
  await settings.replaceWith(settings.resetDemo);
  await calendar.open();
  await expect(calendar.rows).toHaveCount(30);
});

test("settings: an exported workspace imports back, and the CSV has every entry", async ({ page }) => {
  const settings = new SettingsPage(page);
  await settings.open();
  const json = await settings.download(settings.exportJson);
  expect(json.suggestedFilename()).toMatch(/^refleqt-workspace-\d{4}-\d{2}-\d{2}\.json$/);
  const jsonPath = await json.path();
  const csv = await settings.download(settings.exportCsv);
  const fs = await import("node:fs/promises");
  const lines = (await fs.readFile(await csv.path(), "utf8")).trim().split("\r\n");
  expect(lines).toHaveLength(31);
  expect(lines[0]).toContain("entry_id,utm_content,title");
  await settings.replaceWith(settings.startEmpty);
  await settings.importFile.setInputFiles(jsonPath);
  await expect(settings.confirmation).toContainText("with the file's workspace (30 entries)");
  await settings.replace.click();
  await expect(settings.message).toHaveText("Imported the workspace file (30 entries).");
  await expect(page.getByTestId("storage-status")).toContainText("Saved in this browser");
  await page.reload();
  const calendar = new CalendarPage(page);
  await calendar.open();
  await expect(calendar.rows).toHaveCount(30);
});

// Issue 5 end to end: a Google Ads export matched to demo entries by cal-<id> and by campaign,
// previewed with its counts, confirmed, visible on the entries as imported, still there after a
// reload, and a cancelled import leaves no trace.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "./fixtures.mjs";
import { EntryPage } from "./pages/calendar.mjs";
import { ImportPage } from "./pages/import.mjs";
import { AppShell } from "./pages/app-shell.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ads = path.join(here, "fixtures", "google_ads_demo.csv");

test("a Google Ads export: preview counts, confirm, imported metrics survive a reload", async ({ page }) => {
  const importPage = new ImportPage(page);
  await importPage.open();
  await new AppShell(page).navLink("Import").waitFor();
  await importPage.choose(ads);
  await expect(importPage.preview).toContainText("Google Ads report");
  await expect(importPage.count("accepted")).toHaveText("4");
  await expect(importPage.count("rejected")).toHaveText("1");
  await expect(importPage.count("matched")).toHaveText("3");
  await expect(importPage.count("unmatched")).toHaveText("1");
  await expect(importPage.count("entries")).toHaveText("2");
  await expect(importPage.rejectedRows).toContainText("line 6");
  await expect(importPage.period).toContainText("2025-03-01 – 2025-03-02");
  await expect(importPage.matchedEntries).toContainText("#1 Google Ads campaign 1");
  await expect(importPage.matchedEntries).toContainText("#4 Google Ads campaign 4");
  // The unmatched row is assigned by hand to entry 3.
  await importPage.assignUnmatched(3);
  await expect(importPage.count("entries")).toHaveText("3");
  await importPage.confirm.click();
  await expect(importPage.summary).toContainText("to 3 entries");
  await expect(importPage.summary).toContainText("replaced 0");

  const entry = new EntryPage(page);
  const clicks = entry.metric("Ad clicks");
  await entry.open(1);
  await expect(clicks).toHaveValue("90");
  await expect(entry.badge("ad_clicks")).toHaveText("imported");
  await page.reload();
  await expect(clicks).toHaveValue("90");
  await expect(entry.metric("Ad impressions")).toHaveValue("1,800");
  await expect(entry.badge("ad_clicks")).toHaveText("imported");
  await entry.open(3);
  await expect(clicks).toHaveValue("1");

  // The same export again replaces, never duplicates.
  await importPage.open();
  await importPage.choose(ads);
  await importPage.confirm.click();
  await expect(importPage.summary).toContainText("Added");
  await expect(importPage.summary).not.toContainText("replaced 0 ");
  await entry.open(1);
  await expect(clicks).toHaveValue("90");
});

test("a cancelled import leaves no trace", async ({ page }) => {
  const importPage = new ImportPage(page);
  await importPage.open();
  await importPage.choose(ads);
  await expect(importPage.count("accepted")).toHaveText("4");
  await importPage.cancel.click();
  await expect(importPage.cancelled).toBeVisible();
  await expect(importPage.preview).toHaveCount(0);
  const entry = new EntryPage(page);
  const clicks = entry.metric("Ad clicks");
  await entry.open(1);
  await expect(clicks).not.toHaveValue("90");
  await page.reload();
  await expect(clicks).not.toHaveValue("90");
});

test("the entry page shows its tracking link", async ({ page }) => {
  const entry = new EntryPage(page);
  await entry.open(10);
  await expect(entry.tracking).toHaveText(
    /utm_source=linkedin&utm_medium=social&utm_campaign=q1-product-launch&utm_content=cal-10/,
  );
});

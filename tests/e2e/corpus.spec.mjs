// Issue 16 end to end: files of the import corpus (crates/engine/tests/fixtures/real/, sources
// in its README) through the Import page — what the preview says, the controls an error offers
// on the same screen, and Confirm only when something would be written.
import { test, expect } from "./fixtures.mjs";
import { ImportPage } from "./pages/import.mjs";

const real = (name) => `crates/engine/tests/fixtures/real/${name}`;

test("a Google Ads UI export states its period; GBP is warned about; nothing matched, nothing to confirm", async ({
  page,
}) => {
  const importPage = new ImportPage(page);
  await importPage.open();
  await importPage.choose(real("shaped_google_ads_ui_campaigns.csv"));
  await expect(importPage.preview).toContainText("Google Ads report");
  await expect(importPage.count("accepted")).toHaveText("2");
  await expect(importPage.count("rejected")).toHaveText("0");
  // The date-range line above the header is the period: no question asked.
  await expect(importPage.period).toContainText("2026-01-01 – 2026-05-29");
  await expect(page.getByTestId("import-warnings")).toContainText("GBP");
  // The demo has no "Spring Sale" campaign: nothing would be written until a row is assigned.
  await expect(importPage.count("matched")).toHaveText("0");
  await expect(importPage.confirm).toBeDisabled();
  await expect(page.getByTestId("confirm-hint")).toContainText("Nothing would be written");
  await importPage.assignUnmatched(1);
  await expect(importPage.confirm).toBeEnabled();
});

test("a GA4 report with only activeUsers, and a DP6 event log with source_medium", async ({ page }) => {
  const importPage = new ImportPage(page);
  await importPage.open();
  await importPage.choose(real("ga4_runreport_active_users_eur.json"));
  await expect(importPage.preview).toContainText("GA4 Data API report");
  await expect(importPage.count("accepted")).toHaveText("15");
  await expect(importPage.period).toContainText("2024-06-07 – 2024-07-07");
  await expect(page.getByTestId("import-columns")).toContainText("metric users");

  await importPage.importFile(real("dp6_test_dataset.csv"));
  await expect(importPage.summary).toContainText("saved the data set");
});

test("an unrecognised file offers Parse as on the error, and any column for any field", async ({ page }) => {
  const importPage = new ImportPage(page);
  await importPage.open();
  await importPage.file.setInputFiles({
    name: "report.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("Day,Spend,Clicks\n2025-03-01,12.50,3\n"),
  });
  const error = page.getByTestId("import-error");
  await expect(error).toContainText("Parse as");
  await error.getByLabel("Parse as").selectOption({ label: "Google Ads report" });
  await importPage.preview.waitFor();
  await expect(importPage.count("accepted")).toHaveText("1");
  // "Spend" is no Google Ads synonym: pick it for cost by hand.
  const extra = page.getByTestId("extra-column");
  await extra.getByLabel("Use a column for another field").selectOption({ label: "metric cost" });
  await extra.getByLabel("Column", { exact: true }).selectOption("Spend");
  await expect(page.getByTestId("import-columns")).toContainText("metric cost");
});

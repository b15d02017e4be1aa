// V3 learning end to end (issue 11): a planned entry in the demo gets a predicted 95 % range
// "based on N similar past artifacts"; an actual far outside it raises an alert with its size and
// direction, counted in the navigation, listed on the Alerts page, dismissable, kept on reload.
import { test, expect } from "./fixtures.mjs";
import { CalendarPage, EntryForm, EntryPage } from "./pages/calendar.mjs";
import { AlertsPage, PredictedBox } from "./pages/learning.mjs";
import { SettingsPage } from "./pages/settings.mjs";

test("a planned entry shows its predicted range; an out-of-range actual raises an alert", async ({ page }) => {
  const calendar = new CalendarPage(page);
  await calendar.open();
  await expect(calendar.rows).toHaveCount(30);
  const alerts = new AlertsPage(page);
  const before = await alerts.count();

  await calendar.newEntry.click();
  const form = new EntryForm(page);
  // An email: the demo's newsletters are alike in reach (a narrow pageviews range) but not in
  // revenue (a few drive most of it: too wide a range to plan with).
  await form.fill({ title: "Autumn newsletter", channel: "Email newsletter", date: "2030-06-03" });
  await page.getByLabel("Type").selectOption("Email");
  await page.getByLabel("Topics").fill("product, how-to");
  await page.getByLabel("Publish time").fill("09:30");
  await form.create.click();

  const entry = new EntryPage(page);
  await expect(entry.title).toHaveText("Autumn newsletter");
  const box = new PredictedBox(page);
  await expect(box.heading).toHaveText("Predicted performance");
  const pageviews = box.row("Pageviews");
  await expect(pageviews).toHaveCount(1);
  // A range of two numbers and the number of similar artifacts it rests on.
  await expect(pageviews.getByTestId("predicted-range")).toHaveText(/^[\d,.]+ – [\d,.]+$/);
  await expect(pageviews.getByTestId("predicted-basis")).toHaveText(/^Based on \d+ similar past artifacts$/);
  await expect(pageviews).toContainText(/HIGH|MEDIUM|LOW/);
  // A range wider than ×10 is not shown as a range: the spread of the similar artifacts is.
  const revenue = box.row("Revenue");
  await expect(revenue.getByTestId("predicted-range")).toHaveText("Too uncertain to predict");
  await expect(revenue).toContainText(/Too uncertain to predict: similar artifacts vary from \S+ to \S+/);
  await expect(revenue.getByTestId("predicted-basis")).toHaveText(/^Based on \d+ similar past artifacts$/);
  await expect(page.getByText("Type", { exact: true })).toBeVisible();

  // Results arrive, far above the range.
  await entry.metric("Pageviews").fill("1,000,000");
  await entry.save.click();
  await expect(entry.status).toContainText("Saved 1 value");
  await expect(box.heading).toHaveText("Predicted vs actual");
  await expect(pageviews).toContainText("alert raised");
  await expect(alerts.navCount).toHaveText(String(before + 1));

  await alerts.navLink.click();
  await alerts.heading.waitFor();
  const alert = alerts.alertFor("Autumn newsletter");
  await expect(alert).toHaveCount(1);
  await expect(alert).toContainText(/[\d,]+% above predicted pageviews/);
  await expect(alert).toContainText("Double down");

  await alert.getByRole("button", { name: "Dismiss" }).click();
  await expect(alerts.alertFor("Autumn newsletter")).toHaveCount(0);
  await page.reload();
  await alerts.heading.waitFor();
  await expect(alerts.alertFor("Autumn newsletter")).toHaveCount(0);
  expect(await alerts.count()).toBe(before);

  // The link leads back to the entry.
  await page.getByText(/Dismissed \(/).click();
  await page.getByRole("link", { name: "Autumn newsletter" }).click();
  await expect(entry.title).toHaveText("Autumn newsletter");
});

test("predictions imported from a planning tool replace the learned ones and raise alerts against their range", async ({ page }) => {
  const alerts = new AlertsPage(page);
  await alerts.open();
  const before = await alerts.count();
  const settings = new SettingsPage(page);
  await settings.open();

  // A file with an unknown entry is refused whole, with the reason.
  await settings.importPredictions.setInputFiles({
    name: "bad.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify({ predictions: { 9999: { pageviews: 10 } } })),
  });
  await expect(settings.message).toContainText("entry 9999 is not in this workspace");

  // Entry 1 was planned at one to two pageviews: its hundreds of actual pageviews are far above.
  const plan = { format: "refleqt-predictions", predictions: { 1: { pageviews: { low: 1, high: 2 } } } };
  await settings.importPredictions.setInputFiles({
    name: "plan.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(plan)),
  });
  await expect(settings.message).toContainText("Imported 1 prediction");
  await expect(alerts.navCount).toHaveText(String(before + 1));

  await alerts.open();
  const alert = alerts.alerts.filter({ has: page.locator('a[href="#/entry/1"]') });
  await expect(alert).toHaveCount(1);
  await expect(alert).toContainText(/above predicted pageviews/);
  await expect(alert).toContainText("range 1 – 2)");
});

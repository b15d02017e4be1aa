// Closing the loop end to end (issue 12): a belief written in the app is reinforced by outcomes
// that beat their predictions, with its evidence on the Beliefs page and a row on the entry page;
// an A/B test recorded in the app yields its insight, whose belief update is accepted and kept on
// reload; the beliefs file goes out and back in, and a bad file is refused whole.
import { test, expect } from "./fixtures.mjs";
import { CalendarPage, EntryForm, EntryPage } from "./pages/calendar.mjs";
import { AbTestsPage, BeliefsPage } from "./pages/beliefs.mjs";

async function webinarPost(page, title, date) {
  const calendar = new CalendarPage(page);
  await calendar.open();
  await calendar.newEntry.click();
  const form = new EntryForm(page);
  await form.fill({ title, channel: "LinkedIn", date });
  await page.getByLabel("Type").selectOption("Social post");
  await page.getByLabel("Topics").fill("webinar");
  await form.create.click();
  const entry = new EntryPage(page);
  await expect(entry.title).toHaveText(title);
  // Far above what its frozen prediction expected.
  await entry.metric("Pageviews").fill("1,000,000");
  await entry.save.click();
  await expect(entry.status).toContainText("Saved 1 value");
  return entry;
}

test("a written belief is reinforced by outcomes that beat their prediction", async ({ page }) => {
  // Two entries created and measured through the forms: longer than one page's worth.
  test.setTimeout(90_000);
  const beliefs = new BeliefsPage(page);
  await beliefs.open();
  await expect(beliefs.cards).toHaveCount(4);
  // The demo's beliefs: one reinforced, one weakened.
  await expect(beliefs.card("Social posts bring more visits than we plan for").getByTestId("belief-action")).toHaveText(/^Reinforce/);
  await expect(beliefs.card("Paid ads deliver the visits we plan for").getByTestId("belief-action")).toHaveText(/^Weaken/);

  // A belief without a metric is refused in words.
  await beliefs.write.click();
  await page.getByLabel("Statement").fill("Webinar posts beat their prediction");
  await beliefs.save.click();
  await expect(beliefs.formError).toHaveText("Choose the metric the belief is about.");
  await page.getByRole("button", { name: "Cancel" }).click();

  await beliefs.writeBelief({ statement: "Webinar posts beat their prediction", topics: "webinar", metric: "Pageviews" });
  await expect(beliefs.message).toContainText("Saved the new belief");
  const card = beliefs.card("Webinar posts beat their prediction");
  await expect(card.getByTestId("belief-evidence")).toHaveText("0 outcomes");
  await expect(card.getByTestId("belief-action")).toHaveText(/^Hold: no outcome matches/);

  await webinarPost(page, "Webinar recap one", "2025-07-01");
  const entry = await webinarPost(page, "Webinar recap two", "2025-07-02");
  // The entry page's "Belief | Impact | Action" row.
  const row = page.getByTestId("belief-rows").getByRole("row", { name: /Webinar posts beat their prediction/ });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("+0.");
  await expect(row).toContainText("Reinforce");
  // A demo entry no belief speaks about says so.
  await entry.open(1);
  await expect(page.getByTestId("belief-rows").or(page.getByTestId("no-belief-rows"))).toHaveCount(1);

  await beliefs.open();
  await expect(card.getByTestId("belief-evidence")).toHaveText("2 outcomes");
  await expect(card.getByTestId("belief-action")).toHaveText(/^Reinforce/);
  await expect(card.getByTestId("belief-score")).toContainText(/^\+\d\.\d\d \(95 % interval \+0\.\d\d to \+\d\.\d\d\)$/);
  await card.getByRole("button", { name: "Show history and evidence" }).click();
  await expect(card.getByTestId("belief-chart").locator("canvas")).toBeVisible();
  const moved = card.getByTestId("belief-movements");
  await expect(moved.getByRole("link", { name: "Webinar recap one" })).toHaveAttribute("href", /^#\/entry\/\d+$/);
  await expect(moved.getByRole("row")).toHaveCount(3);
  await card.getByRole("button", { name: "Show as table" }).click();
  await expect(card.getByTestId("chart-table")).toContainText("95 % interval");

  // Reload: the belief and its evidence are kept.
  await page.reload();
  await beliefs.heading.waitFor();
  await expect(card.getByTestId("belief-evidence")).toHaveText("2 outcomes");

  // Edit, then delete with a confirmation.
  await card.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Statement").fill("Webinar posts draw crowds");
  await beliefs.save.click();
  const edited = beliefs.card("Webinar posts draw crowds");
  await expect(edited).toHaveCount(1);
  await edited.getByRole("button", { name: "Delete" }).click();
  await edited.getByRole("button", { name: "Yes, delete this belief" }).click();
  await expect(edited).toHaveCount(0);
  await expect(beliefs.cards).toHaveCount(4);
});

test("an A/B test yields its insight; the accepted belief update is kept on reload", async ({ page }) => {
  test.setTimeout(60_000);
  const ab = new AbTestsPage(page);
  await ab.open();
  await expect(ab.test("Newsletter subject lines").getByTestId("ab-insight")).toContainText(
    /Question subject lines outperform statement subject lines by 25 %/,
  );

  await ab.record.click();
  // The variants from a CSV; a bad one is refused with its line.
  await ab.csv.setInputFiles({
    name: "bad.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("variant,value,exposures,successes\nA,statement,1000,100\nB,question,lots,130\n"),
  });
  await expect(ab.formError).toContainText("line 3: exposures “lots” is not a whole number");
  await ab.csv.setInputFiles({
    name: "headlines.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("variant,value,exposures,successes\nA,statement,1000,100\nB,question,1000,130\n"),
  });
  await expect(ab.variant(1, "Exposures")).toHaveValue("1000");
  await expect(ab.variant(1, "Conversions")).toHaveValue("130");
  await page.getByLabel("Test name").fill("Blog headlines");
  await page.getByLabel("Hypothesis").fill("Questions make people click");
  await page.getByLabel("Attribute that differs (e.g. headlines)").fill("headlines");
  await page.getByLabel("Metric", { exact: true }).fill("Email clicks");
  await page.getByLabel("Planned sample per variant (optional)").fill("1000");
  await ab.save.click();
  await expect(ab.message).toContainText("Recorded the test “Blog headlines”");

  const card = ab.test("Blog headlines");
  await expect(card.getByTestId("ab-verdict")).toContainText("Conclusive: “B” wins.");
  await expect(card.getByTestId("ab-insight")).toContainText(
    "Question headlines outperform statement headlines by 30 % (95 % CI",
  );
  await expect(card.getByTestId("ab-comparisons")).toContainText("+30.0 %");
  await expect(card.getByTestId("ab-planned")).toContainText("1000 per variant (as planned)");
  await card.getByRole("button", { name: "Accept the belief update" }).click();
  await expect(ab.message).toContainText("Accepted: created the belief");

  await page.reload();
  await ab.heading.waitFor();
  await expect(card.getByTestId("ab-decision")).toContainText(
    "Accepted: recorded on the belief “Question headlines outperform statement headlines”",
  );
  await expect(card.getByRole("button", { name: "Accept the belief update" })).toHaveCount(0);

  // An inconclusive test says so and offers nothing to accept.
  await ab.record.click();
  await page.getByLabel("Test name").fill("Tiny test");
  await page.getByLabel("Metric", { exact: true }).fill("Signups");
  for (const [i, name, n, x] of [[0, "A", "50", "3"], [1, "B", "50", "4"]]) {
    await ab.variant(i, "Name").fill(name);
    await ab.variant(i, "Exposures").fill(n);
    await ab.variant(i, "Conversions").fill(x);
  }
  await ab.save.click();
  const tiny = ab.test("Tiny test");
  await expect(tiny.getByTestId("ab-verdict")).toContainText("Inconclusive: too little data.");
  await expect(tiny.getByTestId("ab-insight")).toHaveCount(0);

  const beliefs = new BeliefsPage(page);
  await beliefs.open();
  const belief = beliefs.card("Question headlines outperform statement headlines");
  await expect(belief.getByTestId("belief-evidence")).toHaveText("0 outcomes · 1 accepted A/B test");
  await expect(belief).toContainText("about question");
});

test("the beliefs file goes out and back in; a bad file is refused whole", async ({ page }) => {
  const beliefs = new BeliefsPage(page);
  await beliefs.open();
  await expect(beliefs.cards).toHaveCount(4);
  const file = await beliefs.download();
  expect(file.suggestedFilename()).toBe("refleqt-beliefs.json");
  const path = await file.path();
  const text = (await import("node:fs")).readFileSync(path, "utf8");
  const json = JSON.parse(text);
  expect(json.format).toBe("refleqt-beliefs");
  expect(json.version).toBe(1);
  expect(json.beliefs).toHaveLength(4);

  const gone = beliefs.card("Pricing content converts better than expected");
  await gone.getByRole("button", { name: "Delete" }).click();
  await gone.getByRole("button", { name: "Yes, delete this belief" }).click();
  await expect(beliefs.cards).toHaveCount(3);

  const bad = { format: "refleqt-beliefs", version: 1, beliefs: [json.beliefs[0], { id: "x", statement: "", metric: "pageviews" }] };
  await beliefs.importFile.setInputFiles({ name: "bad.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(bad)) });
  await expect(beliefs.message).toHaveText("Import refused, nothing was changed: belief 2: it has no statement.");
  await expect(beliefs.cards).toHaveCount(3);

  await beliefs.importFile.setInputFiles({ name: "refleqt-beliefs.json", mimeType: "application/json", buffer: Buffer.from(text) });
  await expect(beliefs.message).toHaveText("Imported the beliefs file: 1 added, 3 replaced (same id).");
  await expect(beliefs.cards).toHaveCount(4);
  await expect(gone).toHaveCount(1);
  await page.reload();
  await beliefs.heading.waitFor();
  await expect(beliefs.cards).toHaveCount(4);
});

// The training-context export (issue 12): Settings → "Export training context" downloads
// refleqt-training-context-<date>.json; its format, version and every field the schema requires
// (schemas/training-context.v1.schema.json, read here) are checked. The full JSON Schema
// validation runs natively (crates/cli/tests/context.rs) on the same document the app builds.
import { readFileSync } from "node:fs";
import { test, expect } from "./fixtures.mjs";
import { SettingsPage } from "./pages/settings.mjs";
import { AttributionPage } from "./pages/attribution.mjs";
import { AppShell } from "./pages/app-shell.mjs";

const schema = JSON.parse(
  readFileSync(new URL("../../schemas/training-context.v1.schema.json", import.meta.url), "utf8"),
);

// Every key `required` by the object schema `s` is in `value`, recursively through properties,
// array items and $defs references; returns the missing paths.
function missing(s, value, path = "$") {
  if (s.$ref) return missing(schema.$defs[s.$ref.replace("#/$defs/", "")], value, path);
  if (s.oneOf) return value === null ? [] : missing(s.oneOf.find((o) => !(o.type === "null")), value, path);
  const out = [];
  if (s.type === "object" && value !== null && typeof value === "object") {
    for (const key of s.required ?? []) {
      if (!(key in value)) out.push(`${path}.${key}`);
      else if (s.properties?.[key]) out.push(...missing(s.properties[key], value[key], `${path}.${key}`));
    }
  } else if (s.type === "array" && Array.isArray(value) && s.items) {
    value.forEach((v, i) => out.push(...missing(s.items, v, `${path}[${i}]`)));
  }
  return out;
}

async function exportContext(page) {
  const settings = new SettingsPage(page);
  const file = await settings.download(settings.exportContext);
  const today = new Date().toISOString().slice(0, 10);
  expect(file.suggestedFilename()).toMatch(/^refleqt-training-context-\d{4}-\d{2}-\d{2}\.json$/);
  // The app's date is the browser's; it is today here, give or take midnight.
  expect(Math.abs(Date.parse(file.suggestedFilename().slice(25, 35)) - Date.parse(today))).toBeLessThanOrEqual(
    86_400_000,
  );
  await expect(settings.message).toContainText("Downloaded refleqt-training-context-");
  const text = readFileSync(await file.path(), "utf8");
  return JSON.parse(text);
}

test("the demo's training context downloads with every field the schema requires", async ({ page }) => {
  const settings = new SettingsPage(page);
  await settings.open();
  const doc = await exportContext(page);
  expect(doc.format).toBe("refleqt-training-context");
  expect(doc.version).toBe(1);
  expect(missing(schema, doc)).toEqual([]);
  expect(doc.artifacts).toHaveLength(30);
  expect(doc.artifacts[0].utm_content).toMatch(/^cal-\d+$/);
  expect(doc.outcomes.length).toBeGreaterThan(0);
  expect(doc.predictions.some((p) => p.source === "frozen" && typeof p.inside_range === "boolean")).toBe(true);
  // No attribution run in this tab: the stored last-touch results, without intervals.
  expect(doc.attribution.source).toBe("stored_results");
  expect(doc.parameters.currency).toMatch(/^[A-Z]{3}$/);
  expect(doc.date_range.first_publish_date <= doc.date_range.last_publish_date).toBe(true);
});

test("after an attribution run the export carries the workbench's models and intervals", async ({ page }) => {
  const a = new AttributionPage(page);
  await a.open();
  const report = await a.report();
  // Same tab, same app: go to Settings through the navigation (no reload).
  await new AppShell(page).navLink("Settings").click();
  await new SettingsPage(page).heading.waitFor();
  const doc = await exportContext(page);
  expect(missing(schema, doc)).toEqual([]);
  expect(doc.attribution.source).toBe("workbench_report");
  expect(doc.attribution.data).toContain("Demo data");
  expect(doc.attribution.models.map((m) => m.model)).toEqual(report.models.map((m) => m.model));
  const entries = doc.attribution.models.flatMap((m) => m.entries);
  expect(entries.length).toBeGreaterThan(0);
  const withInterval = entries.filter((e) => e.revenue_low !== null && e.revenue_high !== null);
  expect(withInterval.length).toBeGreaterThan(0);
  for (const e of withInterval) {
    expect(e.revenue_low).toBeLessThanOrEqual(e.revenue_high);
  }
});

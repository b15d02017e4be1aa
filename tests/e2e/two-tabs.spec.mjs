// Two tabs: an edit form opened before another tab's change never silently undoes it — a change
// to another field is kept, the same field changed in both asks the user.
import { test, expect } from "./fixtures.mjs";
import { EntryForm } from "./pages/calendar.mjs";

async function editForm(page) {
  await page.goto("./#/entry/1/edit");
  await page.getByRole("heading", { name: "Edit entry 1" }).waitFor();
  return new EntryForm(page);
}

async function save(page) {
  await page.getByRole("button", { name: "Save changes" }).click();
}

test("a stale edit form keeps another tab's change to a different field", async ({ page, context }) => {
  const mine = await editForm(page);
  const other = await context.newPage();
  const theirs = await editForm(other);
  await theirs.cost.fill("777");
  await save(other);
  await other.getByTestId("entry-title").waitFor();

  await mine.title.fill("Renamed in the first tab");
  await save(page);
  await expect(page.getByTestId("entry-title")).toHaveText("Renamed in the first tab");
  await expect(page.getByTestId("notice")).toContainText(
    "keeping what another tab changed meanwhile: Planned cost",
  );
  await page.goto("./#/entry/1/edit");
  await expect(new EntryForm(page).cost).toHaveValue("777");
});

test("the same field changed in two tabs asks before replacing", async ({ page, context }) => {
  const mine = await editForm(page);
  const other = await context.newPage();
  const theirs = await editForm(other);
  await theirs.cost.fill("777");
  await save(other);
  await other.getByTestId("entry-title").waitFor();

  await mine.cost.fill("555");
  await save(page);
  const conflict = page.getByTestId("edit-conflict");
  await expect(conflict).toContainText("another tab changed this entry");
  await expect(conflict).toContainText("Planned cost");
  // Nothing was saved over the other tab's value.
  await other.goto("./#/entry/1/edit");
  await expect(new EntryForm(other).cost).toHaveValue("777");

  await conflict.getByRole("button", { name: "Save my values anyway" }).click();
  await page.getByTestId("entry-title").waitFor();
  await page.goto("./#/entry/1/edit");
  await expect(new EntryForm(page).cost).toHaveValue("555");
});

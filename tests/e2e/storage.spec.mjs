// Nothing lost, nothing locked away: a full disk, no IndexedDB at all, an upgrade blocked by an
// older tab, and stored data this build cannot read — each with a clear message and the data kept.
import { test, expect } from "./fixtures.mjs";
import { AppShell } from "./pages/app-shell.mjs";
import { SettingsPage } from "./pages/settings.mjs";

// Runs in a page of the app's origin that is not the app (the manifest): write raw IndexedDB
// content the way an older build or another tab would have left it.
async function atOrigin(context, fn, arg) {
  const page = await context.newPage();
  await page.goto("./manifest.webmanifest");
  const result = await page.evaluate(fn, arg);
  return { page, result };
}

test("a full disk: the change stays in the tab, closing warns, and it saves once there is room", async ({
  page,
  context,
  baseURL,
}) => {
  // The disk is full before the app first opens (Chromium applies a quota override to database
  // connections opened after it, so it is set first): the demo cannot be saved either.
  const origin = new URL(baseURL).origin;
  const cdp = await context.newCDPSession(page);
  await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: 1 });
  const app = new AppShell(page);
  await app.open("#/settings");
  const settings = new SettingsPage(page);
  const banner = page.getByTestId("storage-error");
  await expect(banner).toContainText("Not saved");
  await expect(banner).toContainText("full");

  await page.getByLabel("Currency").selectOption("EUR");
  await expect(page.getByTestId("storage-status")).toContainText("Not saved");

  // Closing the tab now would lose the change: the browser asks first (it asks only on a page the
  // user has interacted with, hence a real click).
  await settings.heading.click();
  const dialog = page.waitForEvent("dialog");
  await page.close({ runBeforeUnload: true });
  const asked = await dialog;
  expect(asked.type()).toBe("beforeunload");
  await asked.dismiss();
  expect(page.isClosed()).toBe(false);

  // Room again: trying again saves, and a reload keeps the change.
  await cdp.send("Storage.overrideQuotaForOrigin", { origin });
  await page.getByRole("button", { name: "Try saving again" }).click();
  await expect(page.getByTestId("storage-status")).toContainText("Saved in this browser");
  await expect(banner).toHaveCount(0);
  await page.reload();
  await settings.heading.waitFor();
  await expect(page.getByLabel("Currency")).toHaveValue("EUR");
});

test("no IndexedDB at all: the app works in the tab and says nothing is saved", async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, "indexedDB", {
      get() {
        throw new DOMException("The user denied permission to access the database.", "SecurityError");
      },
    });
  });
  const app = new AppShell(page);
  await app.open("#/calendar");
  const banner = page.getByTestId("storage-error");
  await expect(banner).toContainText("Not saved: working in this tab only");
  await expect(banner).toContainText("export the workspace from Settings");
  // The demo is there to work with.
  await expect(page.getByRole("table").first()).toBeVisible();
});

test("an older tab holding the database: the new version waits, says why, then opens", async ({
  page,
  context,
}) => {
  // The "older tab": a connection at version 1 that ignores requests to close.
  const { page: older } = await atOrigin(context, async () => {
    await new Promise((resolve, reject) => {
      const request = indexedDB.open("refleqt", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("workspace");
      request.onsuccess = () => {
        window.__olderTab = request.result;
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
  });
  const app = new AppShell(page);
  await app.open("#/calendar");
  const waiting = page.getByTestId("storage-blocked");
  await expect(waiting).toContainText("Waiting for another Refleqt tab");
  await expect(waiting).toContainText("Close or reload the other Refleqt tabs");

  await older.evaluate(() => window.__olderTab.close());
  await expect(waiting).toHaveCount(0);
  await expect(page.getByRole("table").first()).toBeVisible();
  await older.close();
  await page.goto("./#/settings");
  await expect(page.getByTestId("storage-status")).toContainText("Saved in this browser");
});

test("stored data this build cannot read: export gives it back as stored, replacing keeps a copy", async ({
  page,
  context,
}) => {
  const stored = JSON.stringify({ format: "refleqt-workspace", schema_version: 999, workspace: {} });
  const { page: writer } = await atOrigin(
    context,
    async (text) => {
      await new Promise((resolve, reject) => {
        const request = indexedDB.open("refleqt", 2);
        request.onupgradeneeded = () => {
          for (const name of ["workspace", "datasets", "dataset_blobs"]) {
            request.result.createObjectStore(name);
          }
        };
        request.onsuccess = () => {
          const db = request.result;
          const tx = db.transaction("workspace", "readwrite");
          tx.objectStore("workspace").put(text, "current");
          tx.objectStore("workspace").put(7, "revision");
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        request.onerror = () => reject(request.error);
      });
    },
    stored,
  );
  await writer.close();

  const app = new AppShell(page);
  await app.open("#/settings");
  const settings = new SettingsPage(page);
  await expect(page.getByTestId("storage-error")).toContainText("could not be read");

  // Export gives back the stored bytes, not the empty workspace in the tab.
  const file = await settings.download(settings.exportJson);
  expect(file.suggestedFilename()).toMatch(/^refleqt-stored-unreadable-.*\.json$/);
  const path = await file.path();
  const { readFile } = await import("node:fs/promises");
  expect(await readFile(path, "utf8")).toBe(stored);

  // The confirmation states what is really replaced, not "0 entries".
  await settings.startEmpty.click();
  await expect(settings.confirmation).toContainText("the saved data that this version cannot read");
  await expect(settings.confirmation).not.toContainText("0 entries");
  await settings.replace.click();
  await expect(page.getByTestId("storage-status")).toContainText("Saved in this browser");

  // The unreadable text is kept beside the new workspace.
  const kept = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const request = indexedDB.open("refleqt");
        request.onsuccess = () => {
          const get = request.result
            .transaction("workspace")
            .objectStore("workspace")
            .get("backup-unreadable-7");
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        };
        request.onerror = () => reject(request.error);
      }),
  );
  expect(kept).toBe(stored);
});

test("settings say whether the browser may clear the data, and offer to ask it not to", async ({
  page,
}) => {
  const settings = new SettingsPage(page);
  await settings.open();
  const persistence = page.getByTestId("storage-persistence");
  await expect(persistence).toBeVisible();
  const text = await persistence.textContent();
  if (text.startsWith("Best effort")) {
    await page.getByRole("button", { name: "Ask the browser to keep this data" }).click();
    await expect(page.getByTestId("storage-panel").getByRole("status")).not.toBeEmpty();
  } else {
    expect(text).toMatch(/^Persistent/);
  }
});

// The app shell: it loads from a sub-path, navigates, shows not-found, never a blank page.
import { test, expect } from "./fixtures.mjs";
import { AppShell } from "./pages/app-shell.mjs";

test("loads from a sub-path and shows the overview", async ({ page }) => {
  const app = new AppShell(page);
  await app.open();
  await expect(page).toHaveTitle("Refleqt Attribution");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await expect(app.navLink("Overview")).toHaveAttribute("aria-current", "page");
  await expect(app.boot).toHaveCount(0);
  await expect(app.crash).toBeHidden();
});

test("unknown address shows not found, and the link leads back", async ({ page }) => {
  const app = new AppShell(page);
  await app.open("#/does-not-exist");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(app.main).toContainText("#/does-not-exist");
  await page.getByRole("link", { name: "Go to the overview" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
});

test("ships a favicon and a web app manifest", async ({ page, request }) => {
  const app = new AppShell(page);
  await app.open();
  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute("href");
  const manifest = await (await request.get(new URL(manifestHref, page.url()).href)).json();
  expect(manifest.name).toBe("Refleqt Attribution");
  expect(manifest.start_url).toBe("./");
  for (const icon of manifest.icons) {
    const res = await request.get(new URL(icon.src, page.url()).href);
    expect(res.status(), icon.src).toBe(200);
  }
  const ico = await request.get(new URL("favicon.ico", page.url()).href);
  expect(ico.status()).toBe(200);
});

test("a wasm load failure shows the crash message instead of a blank page", async ({ browser }) => {
  // A separate page without the strict fixture: this test provokes the failure on purpose.
  const page = await browser.newPage();
  await page.route(/\.wasm$/, (route) => route.fulfill({ status: 500, body: "broken" }));
  await page.goto("./");
  const shell = new AppShell(page);
  await expect(shell.crash).toBeVisible();
  await expect(shell.crash).toContainText("Refleqt stopped working");
  await page.close();
});

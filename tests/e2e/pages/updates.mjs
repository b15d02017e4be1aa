// Page object for the service worker as the page sees it: who controls the page, which caches
// exist, which build's files the page runs, and the "new version" notice.
export class AppUpdates {
  constructor(page) {
    this.page = page;
    this.notice = page.getByTestId("update-ready");
    this.reloadButton = page.getByRole("button", { name: "Reload to update" });
  }

  // Wait until a service worker controls the page (the first visit's worker claims it).
  async controlled() {
    await this.page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, {
      timeout: 30_000,
    });
  }

  // The app's cache names (`refleqt-<version>`), sorted.
  async caches() {
    return this.page.evaluate(async () =>
      (await caches.keys()).filter((name) => name.startsWith("refleqt-")).sort(),
    );
  }

  // The href of the page's stylesheet whose hashed name starts with `prefix` (e.g. "main-").
  async stylesheet(prefix) {
    return this.page
      .locator(`link[rel="stylesheet"][href*="/${prefix}"], link[rel="stylesheet"][href^="${prefix}"]`)
      .getAttribute("href");
  }
}

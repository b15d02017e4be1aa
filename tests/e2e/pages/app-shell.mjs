// Page object for the app shell: navigation, the current page, the crash banner.
export class AppShell {
  constructor(page) {
    this.page = page;
    this.nav = page.getByRole("navigation", { name: "Main" });
    this.main = page.locator("main");
    this.crash = page.locator("#crash");
    this.boot = page.locator("#boot");
  }

  async open(fragment = "#/") {
    await this.page.goto(fragment === "#/" ? "./" : `./${fragment}`);
    await this.nav.waitFor();
  }

  navLink(name) {
    return this.nav.getByRole("link", { name });
  }
}

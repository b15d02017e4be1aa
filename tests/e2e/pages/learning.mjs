// Page objects of the V3 learners: an entry's "Predicted performance" box and the Alerts page.
export class PredictedBox {
  constructor(page) {
    this.page = page;
    this.box = page.getByTestId("predicted");
    this.heading = this.box.getByRole("heading", { level: 2 });
    this.rows = this.box.getByTestId("predicted-row");
    this.ranges = this.box.getByTestId("predicted-range");
    this.basis = this.box.getByTestId("predicted-basis");
  }

  row(metric) {
    return this.rows.filter({ has: this.page.getByRole("rowheader", { name: metric, exact: true }) });
  }
}

export class AlertsPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole("heading", { level: 1, name: "Alerts" });
    this.alerts = page.getByTestId("alert");
    this.none = page.getByTestId("no-alerts");
    this.navCount = page.getByTestId("alert-count");
    this.navLink = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Alerts/ });
  }

  async open() {
    await this.page.goto("./#/alerts");
    await this.heading.waitFor();
  }

  // The number shown next to "Alerts" in the navigation (0 when no count is shown).
  async count() {
    if ((await this.navCount.count()) === 0) return 0;
    return Number(await this.navCount.textContent());
  }

  alertFor(title) {
    return this.alerts.filter({ has: this.page.getByRole("link", { name: title }) });
  }
}

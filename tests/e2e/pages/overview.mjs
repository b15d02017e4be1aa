// Page object of the Overview (#/): its period and model pickers and headline figures.
export class OverviewPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole("heading", { level: 1, name: "Overview" });
    this.period = page.getByLabel("Period", { exact: true });
    this.model = page.getByLabel("Model", { exact: true });
    this.figures = page.getByTestId("overview-figures");
    this.spend = page.getByTestId("overview-spend").locator(".figure-value");
    this.revenue = page.getByTestId("overview-revenue").locator(".figure-value");
    this.roi = page.getByTestId("overview-roi").locator(".figure-value");
    this.roiRange = page.getByTestId("overview-roi").locator(".interval");
    this.attention = page.getByTestId("attention");
    this.next = page.getByTestId("next-entries");
    this.best = page.getByTestId("overview-best");
    this.worst = page.getByTestId("overview-worst");
  }

  async open() {
    await this.page.goto("./#/");
    await this.heading.waitFor();
  }

  // Wait until the figures carry their intervals (the run is complete).
  async finished() {
    await this.page.waitForFunction(
      () =>
        document.querySelector('[data-testid="overview-figures"]')?.dataset.intervals === "true" &&
        document.querySelector('[data-testid="run-status"]')?.dataset.state === "idle",
      null,
      { timeout: 60_000 },
    );
  }
}

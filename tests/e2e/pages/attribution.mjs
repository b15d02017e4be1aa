// Page object for #/attribution and #/dashboards.
export class AttributionPage {
  constructor(page) {
    this.page = page;
    this.grid = page.getByTestId("model-grid");
    this.status = page.getByTestId("run-status");
    this.sentence = page.getByTestId("recommendation-sentence");
    this.results = page.getByTestId("results");
    this.truth = page.getByTestId("truth");
    this.halfLife = page.getByLabel("Time-decay half-life (days)");
    this.businessType = page.getByLabel("Business type");
    this.salesCycle = page.getByLabel("Sales cycle (days from first touch to purchase)");
    this.storedDataset = page.getByLabel("Stored data set");
    this.useDataset = page.getByTestId("use-dataset");
    this.sourceLabel = page.getByTestId("source-label");
  }

  // A chart by its test id: its canvas, its table toggle and its table.
  chart(testid) {
    const root = this.page.getByTestId(testid);
    return {
      root,
      canvas: root.locator("canvas"),
      toggle: root.getByTestId("table-toggle"),
      table: root.getByTestId("chart-table"),
    };
  }

  // The grid cell of one model and channel.
  share(channel, model) {
    return this.grid.locator(`tr[data-channel="${channel}"] td[data-model="${model}"] .share`);
  }

  async open() {
    await this.page.goto("./#/attribution");
    await this.finished();
  }

  // Wait until the run (including intervals) is done.
  async finished() {
    await this.results.waitFor({ timeout: 60_000 });
    await this.page.waitForFunction(
      () => document.querySelector('[data-testid="run-status"]')?.dataset.state === "idle",
      null,
      { timeout: 60_000 },
    );
  }

  // The engine's report behind the page (the same JSON as the context export).
  async report() {
    return JSON.parse(await this.page.getByTestId("report-json").textContent());
  }

  // share per model key and channel, as shown in the grid's data attributes.
  async shares() {
    return this.page.evaluate(() => {
      const out = {};
      for (const td of document.querySelectorAll('[data-testid="model-grid"] td[data-share]')) {
        const ch = td.closest("tr").dataset.channel;
        out[`${td.dataset.model}|${ch}`] = Number(td.dataset.share);
      }
      return out;
    });
  }
}

export class DashboardsPage extends AttributionPage {
  constructor(page) {
    super(page);
    this.heading = page.getByRole("heading", { level: 1, name: "Dashboards" });
    this.paths = page.getByTestId("paths-table");
  }

  async open() {
    await this.page.goto("./#/dashboards");
    await this.heading.waitFor();
  }
}

// Whether a canvas has more than one colour (not blank).
export async function canvasIsDrawn(locator) {
  return locator.evaluate((c) => {
    const ctx = c.getContext("2d");
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let nonWhite = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240) nonWhite++;
    }
    return c.width > 0 && nonWhite > 100;
  });
}

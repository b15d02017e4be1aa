// Page objects of the loop's pages: Beliefs (#/beliefs) and A/B tests (#/ab-tests).
export class BeliefsPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole("heading", { level: 1, name: "Beliefs" });
    this.cards = page.getByTestId("belief");
    this.write = page.getByRole("button", { name: "Write a belief" });
    this.exportJson = page.getByRole("button", { name: "Export beliefs (JSON)" });
    this.importFile = page.getByLabel("Import a beliefs file (JSON)");
    this.message = page.getByTestId("beliefs-message");
    this.formError = page.getByTestId("belief-form-error");
    this.save = page.getByRole("button", { name: "Save belief" });
  }

  async open() {
    await this.page.goto("./#/beliefs");
    await this.heading.waitFor();
  }

  card(statement) {
    return this.cards.filter({ has: this.page.getByRole("heading", { level: 2, name: statement, exact: true }) });
  }

  async writeBelief({ statement, topics, metric, direction }) {
    await this.write.click();
    await this.page.getByLabel("Statement").fill(statement);
    if (topics) await this.page.getByLabel("Topics").fill(topics);
    if (metric) await this.page.getByLabel("Metric").selectOption({ label: metric });
    if (direction) await this.page.getByLabel("These artifacts land").selectOption(direction);
    await this.save.click();
  }

  async download() {
    const [file] = await Promise.all([this.page.waitForEvent("download"), this.exportJson.click()]);
    return file;
  }
}

export class AbTestsPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole("heading", { level: 1, name: "A/B tests" });
    this.tests = page.getByTestId("ab-test");
    this.record = page.getByRole("button", { name: "Record a test" });
    this.csv = page.getByLabel("Fill the variants from a CSV (optional)");
    this.save = page.getByRole("button", { name: "Save test" });
    this.message = page.getByTestId("ab-message");
    this.formError = page.getByTestId("ab-form-error");
  }

  async open() {
    await this.page.goto("./#/ab-tests");
    await this.heading.waitFor();
  }

  test(name) {
    return this.tests.filter({ has: this.page.getByRole("heading", { level: 2, name, exact: true }) });
  }

  variant(index, label) {
    return this.page.getByTestId("ab-variant").nth(index).getByLabel(label, { exact: true });
  }
}

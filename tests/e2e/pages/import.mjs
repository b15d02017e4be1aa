// Page object of #/import (issue 5).
export class ImportPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole("heading", { name: "Import", exact: true });
    this.file = page.getByLabel("Choose an export file");
    this.preview = page.getByTestId("import-preview");
    this.confirm = page.getByTestId("import-confirm");
    this.cancel = page.getByTestId("import-cancel");
    this.summary = page.getByTestId("import-summary");
    this.cancelled = page.getByTestId("import-cancelled");
    this.datasets = page.getByTestId("datasets");
    this.rejectedRows = page.getByTestId("rejected-rows");
    this.period = page.getByTestId("import-period");
    this.matchedEntries = page.getByTestId("matched-entries");
    this.unmatchedRows = page.getByTestId("unmatched-rows");
  }

  // Assign the first unmatched row to a calendar entry by hand.
  async assignUnmatched(entryId) {
    await this.unmatchedRows.getByRole("combobox").first().selectOption(String(entryId));
  }

  // Choose a file, confirm the preview and wait for the summary.
  async importFile(path) {
    await this.choose(path);
    await this.confirm.click();
    await this.summary.waitFor();
  }

  async open() {
    await this.page.goto("./#/import");
    await this.heading.waitFor();
  }

  async choose(path) {
    await this.file.setInputFiles(path);
    await this.preview.waitFor();
  }

  count(name) {
    return this.page.getByTestId(`count-${name}`);
  }
}

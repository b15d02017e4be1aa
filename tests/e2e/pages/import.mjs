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

// Page object of #/settings: workspace replace actions (with their confirmation), workspace
// import and exports (workspace, calendar, training context), and the message that says what happened.
export class SettingsPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole("heading", { level: 1, name: "Settings" });
    this.startEmpty = page.getByRole("button", { name: "Start empty workspace" });
    this.resetDemo = page.getByRole("button", { name: "Reset demo workspace" });
    this.replace = page.getByRole("button", { name: "Replace workspace" });
    this.confirmation = page.getByRole("alertdialog");
    this.importFile = page.getByLabel("Import a workspace file (JSON)");
    this.importPredictions = page.getByLabel("Import predictions from a planning tool (JSON)");
    this.exportJson = page.getByRole("button", { name: "Export workspace (JSON)" });
    this.exportCsv = page.getByRole("button", { name: "Export calendar (CSV)" });
    this.exportContext = page.getByRole("button", { name: "Export training context" });
    this.message = page.getByTestId("settings-message");
  }

  async open() {
    await this.page.goto("./#/settings");
    await this.heading.waitFor();
  }

  // Click a replacing action and confirm it.
  async replaceWith(button) {
    await button.click();
    await this.replace.click();
  }

  // Click an export button and return the download.
  async download(button) {
    const [file] = await Promise.all([this.page.waitForEvent("download"), button.click()]);
    return file;
  }
}

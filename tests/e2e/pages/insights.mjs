// Page object for #/insights.
import { AttributionPage } from "./attribution.mjs";

export class InsightsPage extends AttributionPage {
  constructor(page) {
    super(page);
    this.heading = page.getByRole("heading", { level: 1, name: "Insights" });
    this.navLink = page.getByTestId("nav").getByRole("link", { name: "Insights" });
    this.computing = page.getByTestId("insights-computing");
    this.clustersSummary = page.getByTestId("clusters-summary");
    this.clustersTable = page.getByTestId("clusters-table");
    this.channel = page.getByLabel("Channel", { exact: true });
    this.postingSentence = page.getByTestId("posting-sentence");
    this.postingEmpty = page.getByTestId("posting-empty");
    this.segmentRows = page.getByTestId("segment-row");
    this.timings = page.getByTestId("insights-timings");
  }

  async open() {
    await this.page.goto("./#/insights");
    await this.heading.waitFor();
  }
}

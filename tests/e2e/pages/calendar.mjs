// Page objects for the calendar: the list, the entry form, and an entry with its performance form.
// Fields are found by their visible labels, as a person finds them.
export class CalendarPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole("heading", { level: 1, name: "Calendar" });
    this.rows = page.getByTestId("entry-row");
    this.newEntry = page.getByRole("link", { name: "New entry" });
    this.demoBanner = page.getByTestId("demo-banner");
    this.empty = page.getByTestId("calendar-empty");
    this.channelFilter = page.getByLabel("Channel");
    this.campaignFilter = page.getByLabel("Campaign");
    this.sortByDate = page.getByRole("button", { name: /Publish date/ });
  }

  // The publish dates of the listed rows, top to bottom.
  async dates() {
    return this.rows.locator("td:first-child").allTextContents();
  }

  // The table view (the page opens at the month grid).
  async open() {
    await this.page.goto("./#/calendar?view=table");
    await this.heading.waitFor();
  }

  row(title) {
    return this.rows.filter({ hasText: title });
  }
}

export class EntryForm {
  constructor(page) {
    this.page = page;
    this.title = page.getByLabel("Title", { exact: false }).first();
    this.channel = page.getByLabel("Channel");
    this.campaign = page.getByLabel("Campaign");
    this.publishDate = page.getByLabel("Publish date");
    this.url = page.getByLabel("Destination URL");
    this.cost = page.getByLabel("Planned cost");
    this.create = page.getByRole("button", { name: "Create entry" });
  }

  async fill({ title, channel, campaign, date, url, cost }) {
    await this.title.fill(title);
    await this.channel.selectOption(channel);
    if (campaign) await this.campaign.fill(campaign);
    await this.publishDate.fill(date);
    if (url) await this.url.fill(url);
    if (cost) await this.cost.fill(cost);
  }
}

export class EntryPage {
  constructor(page) {
    this.page = page;
    this.tracking = page.getByTestId("utm-url");
    this.title = page.getByTestId("entry-title");
    this.roi = page.getByTestId("roi");
    this.save = page.getByRole("button", { name: "Save performance" });
    this.status = page.getByTestId("performance-status");
    this.delete = page.getByRole("button", { name: "Delete entry" });
    this.confirmDelete = page.getByRole("button", { name: "Yes, delete this entry" });
  }

  async open(entryId) {
    await this.page.goto(`./#/entry/${entryId}`);
    await this.title.waitFor();
  }

  // A metric's input on the performance form, by its visible label ("Ad clicks").
  metric(label) {
    return this.page.getByLabel(label, { exact: true });
  }

  badge(metricKey) {
    return this.page.getByTestId(`field-${metricKey}`).locator(".badge");
  }
}

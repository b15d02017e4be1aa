// Page object of #/connections (issue 9) and of the test authorization server's own sign-in and
// consent pages (oidc-provider's development interactions).
export class ConnectionsPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole("heading", { name: "Connections", exact: true });
    this.status = page.getByTestId("connections-status");
    this.error = page.getByTestId("connections-error");
    this.progress = page.getByTestId("pull-progress");
    this.preview = page.getByTestId("import-preview");
    this.confirm = page.getByRole("button", { name: "Confirm import" });
    this.summary = page.getByTestId("import-summary");
    this.requests = page.getByTestId("pull-requests");
  }

  async open() {
    await this.page.goto("./#/connections");
    await this.heading.waitFor();
  }

  async add({ name, issuer, clientId, scopes, data }) {
    const form = this.page.getByRole("form", { name: "Add a connection" });
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("Issuer address").fill(issuer);
    await form.getByLabel("Client id").fill(clientId);
    await form.getByLabel("Scopes").fill(scopes);
    await form.getByLabel("Data endpoint (GA4 runReport shape)").fill(data);
    await form.getByRole("button", { name: "Add connection" }).click();
    await this.card(name).waitFor();
  }

  // An API-key source (Plausible, PostHog, Matomo, Umami): no sign-in, a key on its card.
  async addKeySource({ name, source, address, site }) {
    const form = this.page.getByRole("form", { name: "Add a connection" });
    await form.getByLabel("Source").selectOption({ label: source });
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("API address").fill(address);
    await form.getByLabel("Site id").fill(site);
    await form.getByRole("button", { name: "Add connection" }).click();
    await this.card(name).waitFor();
  }

  async useKey(name, key, { remember = false } = {}) {
    const card = this.card(name);
    await card.getByLabel("API key").fill(key);
    await card.getByLabel("Remember this key on this device").setChecked(remember);
    await card.getByRole("button", { name: "Use key" }).click();
  }

  card(name) {
    return this.page.getByRole("article", { name });
  }

  state(name) {
    return this.card(name).getByTestId("connection-state");
  }

  button(name, label) {
    return this.card(name).getByRole("button", { name: label, exact: true });
  }

  count(name) {
    return this.page.getByTestId(`count-${name}`);
  }
}

// The authorization server's own pages: sign in with any login, then consent.
export class ServerSignIn {
  constructor(page) {
    this.page = page;
    this.login = page.getByPlaceholder("Enter any login");
    this.password = page.getByPlaceholder("and password");
    this.signIn = page.getByRole("button", { name: "Sign-in" });
    this.allow = page.getByRole("button", { name: "Continue" });
    this.cancel = page.getByRole("link", { name: "[ Cancel ]" });
  }

  async signInAs(user) {
    await this.login.fill(user);
    await this.password.fill("any password");
    await this.signIn.click();
  }
}

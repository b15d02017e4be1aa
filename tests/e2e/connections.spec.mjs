// Issue 9 end to end: Connect → Pull → Disconnect against a real OAuth 2.0 / OpenID Connect
// server (oidc-provider, started by playwright.config.mjs through oauth-servers.mjs) and a
// resource server that accepts only tokens that server issued. Then the negative paths, each with
// a clear message and nothing stored. No request leaves 127.0.0.1 (fixtures.mjs).
import { test, expect } from "./fixtures.mjs";
import { ConnectionsPage, ServerSignIn } from "./pages/connections.mjs";
import { EntryPage } from "./pages/calendar.mjs";

const AS = `http://127.0.0.1:${process.env.E2E_AS_PORT ?? 4175}`;
const RS = `http://127.0.0.1:${process.env.E2E_RS_PORT ?? 4176}`;
const DATA = `${RS}/v1beta/properties/demo:runReport`;
const CONNECTION = {
  name: "Test analytics",
  issuer: AS,
  clientId: "refleqt-e2e",
  scopes: "openid offline_access reports.read",
  data: DATA,
};

// The last full month before today (the app's default period), as ISO days.
function lastFullMonth() {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return [first, last].map((d) => d.toISOString().slice(0, 10));
}

async function rsMode(request, mode) {
  const res = await request.post(`${RS}/__test/mode`, { data: { mode } });
  expect(res.ok()).toBe(true);
}
const rsStats = async (request) => (await request.get(`${RS}/__test/stats`)).json();
const asStats = async (request) => (await request.get(`${AS}/__test/stats`)).json();
const rsAccepts = async (request, token) =>
  (await (await request.post(`${RS}/__test/check`, { data: { token } })).json()).accepted;

// Every token the server hands the page, read off the token endpoint's answers.
function recordTokens(page) {
  const tokens = [];
  page.on("response", async (res) => {
    if (res.url() === `${AS}/token` && res.status() === 200) {
      const body = await res.json().catch(() => ({}));
      tokens.push(body);
    }
  });
  return tokens;
}

// Connect on the app, sign in and consent on the server's own pages, come back connected.
async function connect(page, app, { consent = true } = {}) {
  await app.button(CONNECTION.name, "Connect").click();
  await page.waitForURL((url) => url.origin === AS);
  const server = new ServerSignIn(page);
  await server.signInAs("marketer@example.com");
  if (consent) {
    await server.allow.click();
  }
  return server;
}

async function addAndConnect(page) {
  const app = new ConnectionsPage(page);
  await app.open();
  await app.add(CONNECTION);
  await expect(app.state(CONNECTION.name)).toHaveText("Not connected");
  await connect(page, app);
  await expect(app.state(CONNECTION.name)).toHaveText("Connected");
  return app;
}

// Every string kept by the app's origin: IndexedDB (all databases, stores and records, binary
// values as Latin-1 text), localStorage, sessionStorage, and the cookies of 127.0.0.1.
async function everythingStored(page) {
  const inPage = await page.evaluate(async () => {
    const text = (v) =>
      v instanceof ArrayBuffer || ArrayBuffer.isView(v)
        ? new TextDecoder("latin1").decode(v instanceof ArrayBuffer ? v : v.buffer)
        : v instanceof Blob
          ? "blob"
          : JSON.stringify(v);
    const out = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((ok, ko) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      for (const store of db.objectStoreNames) {
        const all = await new Promise((ok, ko) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => ok(r.result);
          r.onerror = () => ko(r.error);
        });
        for (const v of all) {
          out.push(text(v));
          if (v && typeof v === "object") for (const f of Object.values(v)) out.push(text(f));
        }
      }
      db.close();
    }
    for (const s of [localStorage, sessionStorage]) {
      for (let i = 0; i < s.length; i++) out.push(s.key(i), s.getItem(s.key(i)));
    }
    return out;
  });
  const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`);
  return [...inPage, ...cookies].join("\n");
}

test("connect, pull last month, confirm, pull again, disconnect: no token anywhere afterwards", async ({
  page,
  request,
}) => {
  test.setTimeout(60_000);
  await rsMode(request, "normal");
  const tokens = recordTokens(page);
  const app = await addAndConnect(page);
  // The code and state were taken off the address bar (and so out of the history entry).
  expect(new URL(page.url()).search).toBe("");
  expect(page.url()).toMatch(/#\/connections$/);
  await expect(app.status).toContainText("Connected to Test analytics");
  expect(await page.evaluate(() => sessionStorage.length), "the attempt was deleted on use").toBe(0);

  // Pull the default period, the last full month.
  const [first, last] = lastFullMonth();
  const card = app.card(CONNECTION.name);
  await expect(card.getByLabel("First day")).toHaveValue(first);
  await expect(card.getByLabel("Last day")).toHaveValue(last);
  const before = await rsStats(request);
  const started = Date.now();
  await app.button(CONNECTION.name, "Pull").click();
  await app.preview.waitFor();
  const pullMs = Date.now() - started;
  const after = await rsStats(request);
  console.log(
    `pull: ${after.requests - before.requests} request(s) to the resource server, ${pullMs} ms from Pull to preview`,
  );
  expect(after.requests - before.requests, "five rows at two per page").toBe(3);
  await expect(app.requests).toHaveText("Pulled with 3 request(s) to the provider.");
  await expect(app.preview).toContainText("GA4");
  await expect(app.count("accepted")).toHaveText("5");
  await expect(app.count("matched")).toHaveText("4");
  await expect(app.count("unmatched")).toHaveText("1");
  await expect(app.count("entries")).toHaveText("3");
  await app.confirm.click();
  await expect(app.summary).toContainText("to 3 entries");
  await expect(card).toContainText(`Last period pulled: ${first} to ${last}.`);

  // The metrics are on the matched entries (cal-1: 321 + 123 page views), marked imported.
  const entry = new EntryPage(page);
  await entry.open(1);
  await expect(entry.metric("Pageviews")).toHaveValue("444");
  await expect(entry.badge("pageviews")).toHaveText("imported");

  // The same period again replaces, never doubles. Tokens survive in-app navigation.
  await app.open();
  await expect(app.state(CONNECTION.name)).toHaveText("Connected");
  await app.button(CONNECTION.name, "Pull").click();
  await app.confirm.click();
  await expect(app.summary).toContainText("Added");
  await expect(app.summary).not.toContainText("replaced 0 ");
  await entry.open(1);
  await expect(entry.metric("Pageviews")).toHaveValue("444");

  // Disconnect: the server sees the revocation; the resource server refuses the old token.
  const access = tokens.at(-1).access_token;
  expect(access).toBeTruthy();
  expect(await rsAccepts(request, access), "the token works before Disconnect").toBe(true);
  const revocations = (await asStats(request)).revocations;
  await app.open();
  await app.button(CONNECTION.name, "Disconnect").click();
  await expect(app.status).toContainText("the provider revoked this app's access");
  await expect(app.state(CONNECTION.name)).toHaveText("Not connected");
  expect((await asStats(request)).revocations - revocations, "refresh and access token").toBe(2);
  expect(await rsAccepts(request, access)).toBe(false);

  // Reload: not connected, the settings and the last period are kept, and no token anywhere.
  await page.reload();
  await app.heading.waitFor();
  await expect(app.state(CONNECTION.name)).toHaveText("Not connected");
  await expect(card).toContainText(`Last period pulled: ${first} to ${last}.`);
  const stored = await everythingStored(page);
  expect(stored).toContain("Test analytics"); // the scan does read the workspace
  for (const t of tokens) {
    for (const value of [t.access_token, t.refresh_token, t.id_token].filter(Boolean)) {
      expect(stored.includes(value), "a token string in storage").toBe(false);
    }
  }
});

test.describe("refusals, each said clearly, nothing stored", () => {
  test.use({ expectHttpErrors: new RegExp(`^(${RS}/v1beta/|${AS}/token$)`) });

  // Nothing pulled was written: no preview, entry 1 unchanged, no period remembered.
  async function nothingWritten(page, app) {
    await expect(app.preview).toHaveCount(0);
    await expect(app.card(CONNECTION.name)).toContainText("Not pulled yet.");
    const entry = new EntryPage(page);
    await entry.open(1);
    await expect(entry.metric("Pageviews")).not.toHaveValue("444");
  }

  test("a tampered state is refused", async ({ page }) => {
    const app = new ConnectionsPage(page);
    await app.open();
    await app.add(CONNECTION);
    await app.button(CONNECTION.name, "Connect").click();
    await page.waitForURL((url) => url.origin === AS);
    await page.goto("./?code=stolen-code&state=forged#/connections");
    await expect(app.error).toContainText("did not belong to this Connect attempt");
    expect(new URL(page.url()).search).toBe("");
    await expect(app.state(CONNECTION.name)).toHaveText("Not connected");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  test("a replayed answer is refused", async ({ page }) => {
    let callback;
    page.on("request", (req) => {
      if (req.isNavigationRequest() && req.url().includes("code=")) callback = req.url();
    });
    const app = await addAndConnect(page);
    expect(callback).toBeTruthy();
    await page.goto(callback);
    await expect(app.error).toContainText("already used");
    await expect(app.state(CONNECTION.name)).toHaveText("Not connected");
  });

  test("declining consent (access_denied) connects nothing", async ({ page }) => {
    const app = new ConnectionsPage(page);
    await app.open();
    await app.add(CONNECTION);
    const server = await connect(page, app, { consent: false });
    await server.cancel.click();
    await expect(app.error).toContainText("You declined access");
    await expect(app.state(CONNECTION.name)).toHaveText("Not connected");
    expect(new URL(page.url()).search).toBe("");
  });

  test("a code exchanged twice is refused by the server", async ({ page, request }) => {
    const tokenRequests = (await asStats(request)).tokenRequests;
    // The first exchange reaches the server; the page gets the answer to a second exchange of
    // the same code.
    await page.route(`${AS}/token`, async (route) => {
      await route.fetch();
      await route.fulfill({ response: await route.fetch() });
    });
    const app = new ConnectionsPage(page);
    await app.open();
    await app.add(CONNECTION);
    await connect(page, app);
    await expect(app.error).toContainText("already used or has expired");
    await expect(app.state(CONNECTION.name)).toHaveText("Not connected");
    const stats = await asStats(request);
    expect(stats.tokenRequests - tokenRequests).toBe(2);
  });

  test("the resource answering 401 even after a refresh: sign in again, nothing written", async ({
    page,
    request,
  }) => {
    await rsMode(request, "401");
    const app = await addAndConnect(page);
    await app.button(CONNECTION.name, "Pull").click();
    await expect(app.error).toContainText("no longer accepts this connection's sign-in");
    await expect(app.state(CONNECTION.name)).toHaveText("Not connected");
    await nothingWritten(page, app);
  });

  test("HTTP 429: waits for Retry-After, then gives up with a message", async ({ page, request }) => {
    test.setTimeout(60_000);
    await rsMode(request, "429-once");
    const app = await addAndConnect(page);
    await app.button(CONNECTION.name, "Pull").click();
    await app.preview.waitFor();
    await expect(app.requests).toHaveText("Pulled with 4 request(s) to the provider.");
    await app.page.getByRole("button", { name: "Cancel", exact: true }).click();
    await rsMode(request, "429");
    await app.button(CONNECTION.name, "Pull").click();
    await expect(app.progress).toContainText("asked to slow down");
    await expect(app.error).toContainText("asked the app to slow down", { timeout: 15_000 });
    await nothingWritten(page, app);
  });

  test("HTTP 500 on the second page: the pull stops and writes nothing", async ({
    page,
    request,
  }) => {
    await rsMode(request, "500-page2");
    const app = await addAndConnect(page);
    await app.button(CONNECTION.name, "Pull").click();
    await expect(app.error).toContainText("had a problem answering (HTTP 500)");
    await expect(app.state(CONNECTION.name)).toHaveText("Connected");
    await nothingWritten(page, app);
  });
});

test.describe("an access token that expires midway", () => {
  test.use({ expectHttpErrors: new RegExp(`^${RS}/v1beta/`) });

  test("a token that expires midway is refreshed (rotated) and the pull completes", async ({
    page,
    request,
  }) => {
    await rsMode(request, "expire-once");
    const tokens = recordTokens(page);
    const app = await addAndConnect(page);
    await app.button(CONNECTION.name, "Pull").click();
    await app.preview.waitFor();
    await expect(app.count("accepted")).toHaveText("5");
    expect(tokens.length, "the code exchange and one refresh").toBe(2);
    expect(tokens[1].refresh_token).toBeTruthy();
    expect(tokens[1].refresh_token, "the refresh token rotated").not.toBe(tokens[0].refresh_token);
    expect(tokens[1].access_token).not.toBe(tokens[0].access_token);
  });
});

// API-key sources: Plausible (Stats API v2) played by the resource server, which accepts one key.
test.describe("an API-key source (Plausible)", () => {
  const PLAUSIBLE = {
    name: "Plausible site",
    source: "Plausible (Stats API v2) (API key)",
    address: RS,
    site: "demo.example",
  };
  const KEY = "plausible-e2e-key-5d1f0c9a";

  test("paste a key, pull last month, confirm: values on the entries; no key kept after reload", async ({
    page,
    request,
  }) => {
    const app = new ConnectionsPage(page);
    await app.open();
    await app.addKeySource(PLAUSIBLE);
    await expect(app.state(PLAUSIBLE.name)).toHaveText("No key");
    await expect(app.button(PLAUSIBLE.name, "Pull")).toBeDisabled();
    await app.useKey(PLAUSIBLE.name, KEY);
    await expect(app.state(PLAUSIBLE.name)).toHaveText("Key in this tab's memory");
    expect(await everythingStored(page)).not.toContain(KEY);

    const [first, last] = lastFullMonth();
    const before = await rsStats(request);
    const started = Date.now();
    await app.button(PLAUSIBLE.name, "Pull").click();
    await app.preview.waitFor();
    const pullMs = Date.now() - started;
    const after = await rsStats(request);
    console.log(
      `plausible pull: ${after.keyRequests - (before.keyRequests ?? 0)} request(s), ${pullMs} ms from Pull to preview`,
    );
    expect(after.keyRequests - (before.keyRequests ?? 0), "five rows at two per page").toBe(3);
    await expect(app.requests).toHaveText("Pulled with 3 request(s) to the provider.");
    await expect(app.count("accepted")).toHaveText("5");
    await expect(app.count("matched")).toHaveText("4");
    await expect(app.count("unmatched")).toHaveText("1");
    await app.confirm.click();
    await expect(app.summary).toContainText("to 3 entries");
    await expect(app.card(PLAUSIBLE.name)).toContainText(`Last period pulled: ${first} to ${last}.`);
    const entry = new EntryPage(page);
    await entry.open(1);
    await expect(entry.metric("Pageviews")).toHaveValue("444");
    await expect(entry.badge("pageviews")).toHaveText("imported");

    // The key is in memory only: after a reload it is gone, and no storage holds it.
    await app.open();
    await page.reload();
    await app.heading.waitFor();
    await expect(app.state(PLAUSIBLE.name)).toHaveText("No key");
    const stored = await everythingStored(page);
    expect(stored).toContain(PLAUSIBLE.name);
    expect(stored).not.toContain(KEY);
  });

  test("remember on this device: the key is in localStorage until Forget key", async ({ page }) => {
    const app = new ConnectionsPage(page);
    await app.open();
    await app.addKeySource(PLAUSIBLE);
    const card = app.card(PLAUSIBLE.name);
    await expect(card).toContainText("anyone who uses this browser profile");
    await app.useKey(PLAUSIBLE.name, KEY, { remember: true });
    await expect(app.state(PLAUSIBLE.name)).toHaveText("Key remembered on this device");
    const local = () => page.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(await local()).toContain(KEY);
    await page.reload();
    await app.heading.waitFor();
    await expect(app.state(PLAUSIBLE.name)).toHaveText("Key remembered on this device");
    await expect(app.button(PLAUSIBLE.name, "Pull")).toBeEnabled();
    await app.button(PLAUSIBLE.name, "Forget key").click();
    await expect(app.state(PLAUSIBLE.name)).toHaveText("No key");
    expect(await local()).not.toContain(KEY);
    await page.reload();
    await app.heading.waitFor();
    await expect(app.state(PLAUSIBLE.name)).toHaveText("No key");
    expect(await everythingStored(page)).not.toContain(KEY);
  });

  test.describe("a wrong key", () => {
    test.use({ expectHttpErrors: new RegExp(`^${RS}/api/v2/query$`) });

    test("is refused with a clear message, and nothing is stored", async ({ page }) => {
      const wrong = "not-the-key-0000";
      const app = new ConnectionsPage(page);
      await app.open();
      await app.addKeySource(PLAUSIBLE);
      await app.useKey(PLAUSIBLE.name, wrong, { remember: true });
      await app.button(PLAUSIBLE.name, "Pull").click();
      await expect(app.error).toContainText("did not accept this API key");
      await expect(app.state(PLAUSIBLE.name)).toHaveText("No key");
      await expect(app.preview).toHaveCount(0);
      await expect(app.card(PLAUSIBLE.name)).toContainText("Not pulled yet.");
      expect(await everythingStored(page)).not.toContain(wrong);
      const entry = new EntryPage(page);
      await entry.open(1);
      await expect(entry.metric("Pageviews")).not.toHaveValue("444");
    });
  });
});

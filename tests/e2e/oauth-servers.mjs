// Test servers for connections.spec.mjs (issue 9), both on 127.0.0.1:
// - a real OpenID Connect / OAuth 2.0 authorization server (npm `oidc-provider`) with one public
//   client for the app (no secret, PKCE S256 required by the library for public clients, CORS
//   only for the app's origin, refresh tokens with `offline_access`), revocation and
//   introspection on, and its own development login and consent pages;
// - a resource server that accepts only access tokens that server issued (it asks the
//   introspection endpoint, as a confidential client of its own) and answers GA4 Data API
//   `runReport` requests with rows from fixtures/ga4_pull_rows.json, dated inside the requested
//   period, at most PAGE_ROWS rows per page (so a pull needs several pages).
// The resource server also plays an API-key source: Plausible's Stats API v2
// (`POST /api/v2/query`, `Authorization: Bearer <key>`), accepting only PLAUSIBLE_KEY and site
// PLAUSIBLE_SITE, answering `results[{dimensions, metrics}]` in the order the query asked,
// `meta.total_rows`, at most PAGE_ROWS rows per page (`pagination.offset`), from the same
// fixture rows (so `utm_content` matches demo entries).
// Test controls (never CORS-enabled, so the app cannot reach them): the resource server's
// `POST /__test/mode` (normal | expire-once | 401 | 429-once | 429 | 500 | 500-page2) and
// `GET /__test/stats`, the authorization server's `GET /__test/stats` (revocations, token
// requests). Ports: AS_PORT (4175), RS_PORT (4176); the app's origin and redirect URI from
// APP_PORT and APP_BASE.
import http from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Provider from "oidc-provider";

const AS_PORT = Number(process.env.AS_PORT ?? 4175);
const RS_PORT = Number(process.env.RS_PORT ?? 4176);
const APP_PORT = Number(process.env.APP_PORT ?? 4173);
const APP_BASE = process.env.APP_BASE ?? "/refleqt/";
const APP_ORIGIN = `http://127.0.0.1:${APP_PORT}`;
const ISSUER = `http://127.0.0.1:${AS_PORT}`;
const RS_ORIGIN = `http://127.0.0.1:${RS_PORT}`;
export const CLIENT_ID = "refleqt-e2e";
const RS_CLIENT = { id: "resource-server", secret: "resource-server-secret-for-tests-only" };
const PAGE_ROWS = 2;
export const PLAUSIBLE_KEY = "plausible-e2e-key-5d1f0c9a";
const PLAUSIBLE_SITE = "demo.example";

const fixtureRows = JSON.parse(
  readFileSync(join(import.meta.dirname, "fixtures", "ga4_pull_rows.json"), "utf8"),
);

// ---------------------------------------------------------------- authorization server
const asStats = { revocations: 0, tokenRequests: 0, tokenErrors: 0 };

const provider = new Provider(ISSUER, {
  clients: [
    {
      client_id: CLIENT_ID,
      token_endpoint_auth_method: "none",
      redirect_uris: [`${APP_ORIGIN}${APP_BASE}`],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    },
    {
      client_id: RS_CLIENT.id,
      client_secret: RS_CLIENT.secret,
      redirect_uris: [],
      response_types: [],
      grant_types: [],
    },
  ],
  clientBasedCORS(_ctx, origin, client) {
    return client.clientId === CLIENT_ID && origin === APP_ORIGIN;
  },
  scopes: ["openid", "offline_access", "reports.read"],
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
  },
  pkce: { required: () => true },
  ttl: { AccessToken: 600, AuthorizationCode: 60, RefreshToken: 3600, Grant: 3600, Session: 3600, Interaction: 600 },
  cookies: { keys: ["refleqt-e2e-cookie-key"] },
  // Refresh tokens rotate on every use (RFC 9700 §4.14.2 for public clients).
  rotateRefreshToken: true,
  async findAccount(_ctx, sub) {
    return { accountId: sub, async claims() { return { sub }; } };
  },
});

// The development pages import a web font from fonts.googleapis.com: no request may leave
// 127.0.0.1, so the line goes. The browser's favicon request gets an empty answer, not a 404.
provider.use(async (ctx, next) => {
  if (ctx.path === "/favicon.ico") {
    ctx.status = 204;
    return;
  }
  if (ctx.path === "/__test/stats") {
    ctx.body = asStats;
    return;
  }
  await next();
  if (ctx.path === "/token/revocation" && ctx.method === "POST" && ctx.status === 200) {
    asStats.revocations += 1;
  }
  if (ctx.path === "/token" && ctx.method === "POST") {
    asStats.tokenRequests += 1;
    if (ctx.status >= 400) asStats.tokenErrors += 1;
  }
  if (typeof ctx.body === "string" && ctx.type.includes("html")) {
    ctx.body = ctx.body.replace(/@import url\([^)]*\);/g, "");
  }
});

const asServer = http.createServer(provider.callback());

// ---------------------------------------------------------------- resource server
let mode = "normal";
let served = 0; // data requests in this mode
const rsStats = { requests: 0, accepted: 0, refused: 0 };
const expired = new Set(); // tokens this server was told to treat as expired (expire-once)

async function introspect(token) {
  const body = new URLSearchParams({ token, token_type_hint: "access_token" });
  const res = await fetch(`${ISSUER}/token/introspection`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: "Basic " + Buffer.from(`${RS_CLIENT.id}:${RS_CLIENT.secret}`).toString("base64"),
    },
    body,
  });
  if (!res.ok) return { active: false };
  return res.json();
}

function cors(res) {
  res.setHeader("access-control-allow-origin", APP_ORIGIN);
  res.setHeader("access-control-allow-headers", "authorization, content-type");
  res.setHeader("access-control-allow-methods", "POST");
  res.setHeader("access-control-expose-headers", "retry-after");
  res.setHeader("vary", "origin");
}

function send(res, status, json, headers = {}) {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(json));
}

const day = (iso) => new Date(`${iso}T00:00:00Z`);
const compact = (d) => d.toISOString().slice(0, 10).replaceAll("-", "");

// The report of a period: every fixture row, dated the period's first day plus its `day`.
function report(startDate, endDate) {
  const start = day(startDate);
  const end = day(endDate);
  const rows = [];
  for (const r of fixtureRows) {
    const d = new Date(start.getTime() + r.day * 86_400_000);
    if (d > end) continue;
    rows.push({
      dimensionValues: [compact(d), r.campaign, r.source, r.medium, r.content].map((value) => ({ value })),
      metricValues: [r.pageviews, r.keyEvents, r.revenue].map((v) => ({ value: String(v) })),
    });
  }
  return rows;
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

const rsServer = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", RS_ORIGIN);
  if (url.pathname === "/__test/mode" && req.method === "POST") {
    mode = JSON.parse(await readBody(req)).mode;
    served = 0;
    return send(res, 200, { mode });
  }
  if (url.pathname === "/__test/stats") return send(res, 200, { ...rsStats, mode });
  if (url.pathname === "/__test/check" && req.method === "POST") {
    // Whether this server would accept a token (the spec asks after Disconnect).
    const { token } = JSON.parse(await readBody(req));
    const info = await introspect(token);
    return send(res, 200, { accepted: Boolean(info.active) && !expired.has(token) });
  }
  cors(res);
  if (req.method === "OPTIONS") {
    res.writeHead(204);
    return res.end();
  }
  if (url.pathname === "/api/v2/query" && req.method === "POST") return plausible(req, res);
  if (!/^\/v1beta\/properties\/[^/]+:runReport$/.test(url.pathname) || req.method !== "POST") {
    return send(res, 404, { error: { code: 404, message: "not found" } });
  }
  rsStats.requests += 1;
  const body = await readBody(req);
  const token = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
  const info = token ? await introspect(token) : { active: false };
  const unauthorized = () => {
    rsStats.refused += 1;
    return send(
      res,
      401,
      { error: { code: 401, message: "Request had invalid authentication credentials.", status: "UNAUTHENTICATED" } },
      { "www-authenticate": 'Bearer error="invalid_token"' },
    );
  };
  if (!info.active || expired.has(token)) return unauthorized();
  served += 1;
  if (mode === "401") return unauthorized();
  if (mode === "expire-once" && served === 2) {
    expired.add(token);
    return unauthorized();
  }
  if (mode === "429" || (mode === "429-once" && served === 1)) {
    return send(res, 429, { error: { code: 429, status: "RESOURCE_EXHAUSTED" } }, { "retry-after": "1" });
  }
  if (mode === "500" || (mode === "500-page2" && served === 2)) {
    return send(res, 500, { error: { code: 500, status: "INTERNAL" } });
  }
  let q;
  try {
    q = JSON.parse(body);
  } catch {
    return send(res, 400, { error: { code: 400, message: "body is not JSON" } });
  }
  const range = q.dateRanges?.[0];
  if (!range?.startDate || !range?.endDate) {
    return send(res, 400, { error: { code: 400, message: "dateRanges is required" } });
  }
  const all = report(range.startDate, range.endDate);
  const offset = Number(q.offset ?? 0);
  const limit = Math.min(Number(q.limit ?? 10_000), PAGE_ROWS);
  rsStats.accepted += 1;
  return send(res, 200, {
    dimensionHeaders: ["date", "sessionCampaignName", "sessionSource", "sessionMedium", "sessionManualAdContent"].map((name) => ({ name })),
    metricHeaders: [
      { name: "screenPageViews", type: "TYPE_INTEGER" },
      { name: "keyEvents", type: "TYPE_FLOAT" },
      { name: "totalRevenue", type: "TYPE_CURRENCY" },
    ],
    rows: all.slice(offset, offset + limit),
    rowCount: all.length,
    metadata: { currencyCode: "USD", timeZone: "UTC" },
    kind: "analyticsData#runReport",
  });
});

// Plausible Stats API v2, as documented: a Bearer key; 401 with `error` for a wrong one.
async function plausible(req, res) {
  rsStats.requests += 1;
  rsStats.keyRequests = (rsStats.keyRequests ?? 0) + 1;
  const body = await readBody(req);
  const key = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
  if (key !== PLAUSIBLE_KEY) {
    rsStats.refused += 1;
    return send(res, 401, { error: "Invalid API key or site ID. Please double-check your credentials." });
  }
  let q;
  try {
    q = JSON.parse(body);
  } catch {
    return send(res, 400, { error: "The request body is not JSON" });
  }
  if (q.site_id !== PLAUSIBLE_SITE) {
    rsStats.refused += 1;
    return send(res, 401, { error: "Invalid API key or site ID. Please double-check your credentials." });
  }
  const [startDate, endDate] = q.date_range ?? [];
  if (!startDate || !endDate) return send(res, 400, { error: "date_range is required" });
  const start = day(startDate);
  const end = day(endDate);
  const all = [];
  for (const r of fixtureRows) {
    const d = new Date(start.getTime() + r.day * 86_400_000);
    if (d > end) continue;
    const dims = {
      "time:day": d.toISOString().slice(0, 10),
      "visit:utm_campaign": r.campaign,
      "visit:utm_source": r.source,
      "visit:utm_medium": r.medium,
      "visit:utm_content": r.content,
    };
    const metrics = {
      visitors: Math.ceil(r.pageviews / 3),
      visits: Math.ceil(r.pageviews / 2),
      pageviews: r.pageviews,
      events: r.pageviews + r.keyEvents,
    };
    all.push({
      dimensions: (q.dimensions ?? []).map((name) => dims[name] ?? null),
      metrics: (q.metrics ?? []).map((name) => metrics[name] ?? null),
    });
  }
  const offset = Number(q.pagination?.offset ?? 0);
  const limit = Math.min(Number(q.pagination?.limit ?? 10_000), PAGE_ROWS);
  rsStats.accepted += 1;
  return send(res, 200, {
    results: all.slice(offset, offset + limit),
    meta: q.include?.total_rows ? { total_rows: all.length } : {},
    query: q,
  });
}

asServer.listen(AS_PORT, "127.0.0.1", () => console.log(`authorization server on ${ISSUER}`));
rsServer.listen(RS_PORT, "127.0.0.1", () => console.log(`resource server on ${RS_ORIGIN}`));

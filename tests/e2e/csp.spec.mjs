// The Content-Security-Policy: strict, computed for the build, and enforced. Every other spec
// fails on any violation (fixtures.mjs); these tests check the policy itself and prove it is live.
import { createHash } from "node:crypto";
import { test, expect } from "./fixtures.mjs";
import { AppShell } from "./pages/app-shell.mjs";
import { connectOrigins, directives } from "../../scripts/csp.mjs";

// `{ directive: [sources] }` from a serialized policy.
function parsePolicy(text) {
  const policy = {};
  for (const part of text.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) policy[name] = sources;
  }
  return policy;
}

const metaPolicy = (html) =>
  html.match(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i)?.[1];

test("the built page carries a strict policy with a hash for each inline script", async ({
  page,
  request,
}) => {
  await new AppShell(page).open();
  const html = await (await request.get("index.html")).text();
  const text = metaPolicy(html);
  expect(text, "a Content-Security-Policy meta element").toBeTruthy();
  // A meta policy only covers what follows it: it must come before every script.
  expect(html.indexOf("Content-Security-Policy")).toBeLessThan(html.indexOf("<script"));
  const policy = parsePolicy(text);
  const sources = Object.values(policy).flat();
  for (const loose of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:"]) {
    expect(policy["script-src"], `script-src has no ${loose}`).not.toContain(loose);
  }
  expect(sources).not.toContain("'unsafe-inline'");
  expect(sources).not.toContain("'unsafe-eval'");
  expect(sources).not.toContain("*");
  expect(policy["default-src"]).toEqual(["'self'"]);
  expect(policy["style-src"]).toEqual(["'self'"]);
  expect(policy["img-src"]).toEqual(["'self'", "data:", "blob:"]);
  // Its own origin, plus exactly the connection origins this build was given (REFLEQT_CONNECT_SRC;
  // scripts/test.sh gives the test servers of connections.spec.mjs).
  expect(policy["connect-src"]).toEqual(["'self'", ...connectOrigins()]);
  expect(policy["worker-src"]).toEqual(["'self'"]);
  expect(policy["manifest-src"]).toEqual(["'self'"]);
  expect(policy["object-src"]).toEqual(["'none'"]);
  expect(policy["base-uri"]).toEqual(["'none'"]);
  expect(policy["form-action"]).toEqual(["'self'"]);
  const [self, wasm, ...hashes] = policy["script-src"];
  expect([self, wasm]).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
    .filter((m) => !/\ssrc\s*=/i.test(" " + m[1]))
    .map((m) => `'sha256-${createHash("sha256").update(m[2]).digest("base64")}'`);
  // Trunk's wasm loader and the crash handler, at least.
  expect(inline.length).toBeGreaterThanOrEqual(2);
  expect([...hashes].sort()).toEqual([...new Set(inline)].sort());
  // Nothing in the page needs an inline handler or style.
  expect(html).not.toMatch(/<[a-z][^>]*\s(on[a-z]+|style)\s*=/i);
});

test("_headers carries the same policy plus frame-ancestors, and the server sends it", async ({
  request,
}) => {
  const index = await request.get("index.html");
  const meta = metaPolicy(await index.text());
  const headers = await (await request.get("_headers")).text();
  const line = headers.match(/^\s+Content-Security-Policy:\s*(.*)$/m)?.[1];
  expect(line).toBe(`${meta}; frame-ancestors 'none'`);
  expect(headers).toMatch(/^\/\*$/m);
  expect(index.headers()["content-security-policy"]).toBe(line);
});

test("the policy is live: injected inline script, handler and style are blocked", async ({
  context,
}) => {
  // A page without the strict fixture: this test provokes violations on purpose.
  const probe = await context.newPage();
  await new AppShell(probe).open();
  const outcome = await probe.evaluate(async () => {
    const seen = [];
    document.addEventListener("securitypolicyviolation", (e) => seen.push(e.effectiveDirective));
    const script = document.createElement("script");
    script.textContent = "window.__injectedScriptRan = true;";
    document.body.append(script);
    const button = document.createElement("button");
    button.setAttribute("onclick", "window.__injectedHandlerRan = true;");
    document.body.append(button);
    button.click();
    const styled = document.createElement("div");
    styled.setAttribute("style", "color: rgb(1, 2, 3)");
    document.body.append(styled);
    const color = getComputedStyle(styled).color;
    await new Promise((resolve) => setTimeout(resolve, 200));
    return {
      seen,
      scriptRan: window.__injectedScriptRan === true,
      handlerRan: window.__injectedHandlerRan === true,
      styleApplied: color === "rgb(1, 2, 3)",
    };
  });
  expect(outcome.scriptRan).toBe(false);
  expect(outcome.handlerRan).toBe(false);
  expect(outcome.styleApplied).toBe(false);
  expect(outcome.seen).toEqual(
    expect.arrayContaining(["script-src-elem", "script-src-attr", "style-src-attr"]),
  );
  await probe.close();
});

test("the crash banner's Reload button works without an inline handler", async ({ context }) => {
  // A page without the strict fixture: the wasm is broken on purpose.
  const broken = await context.newPage();
  await broken.route(/\.wasm$/, (route) => route.fulfill({ status: 500, body: "broken" }));
  await broken.goto("./");
  const shell = new AppShell(broken);
  await expect(shell.crash).toBeVisible();
  const reloaded = broken.waitForEvent("framenavigated");
  await shell.crash.getByRole("button", { name: "Reload" }).click();
  await reloaded;
  await expect(shell.crash).toBeVisible();
  await broken.close();
});

test("connect-src is the app's own origin unless origins are given, and refuses loose ones", () => {
  const connect = (extra) => directives([], extra).find(([name]) => name === "connect-src");
  expect(connect(connectOrigins(""))).toEqual(["connect-src", "'self'"]);
  expect(connectOrigins("https://api.example.com, http://127.0.0.1:4175/")).toEqual([
    "https://api.example.com",
    "http://127.0.0.1:4175",
  ]);
  for (const loose of ["*", "https://*.example.com", "http://api.example.com", "https://api.example.com/v1", "https:", "data:"]) {
    expect(() => connectOrigins(loose), loose).toThrow(/REFLEQT_CONNECT_SRC/);
  }
});

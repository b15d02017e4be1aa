// Trunk post_build hook: the Content-Security-Policy of the built app.
//
// Reads the staged index.html (TRUNK_STAGING_DIR, or the folder given as the first argument) and
// - refuses the build if the page has an inline event handler (`onclick=`…), a `style` attribute,
//   a `<style>` element or a `javascript:` URL: the policy allows none of them;
// - inserts, right after `<meta charset>`, a `<meta http-equiv="Content-Security-Policy">` whose
//   script-src lists the sha256 of every inline script of the page as built (Trunk writes one that
//   loads the wasm, with hashed file names, so the hashes change with every build);
// - writes `_headers` (Netlify / Cloudflare Pages format) with the same policy plus what a meta
//   element cannot carry (`frame-ancestors`).
// Idempotent: a policy already in the page is replaced. Node ≥ 18, no dependencies.
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

// Origins the app may connect to besides its own: the origins of the connections' servers
// (issue 9), given at build time in REFLEQT_CONNECT_SRC, separated by spaces or commas. A meta
// policy cannot be widened at runtime, so a deployment lists its providers' token, revocation,
// discovery and data origins here (README, Connections). Each must be a bare origin: https, or
// http only for 127.0.0.1/localhost (the tests' servers); never a wildcard, a path or a scheme.
export function connectOrigins(text = process.env.REFLEQT_CONNECT_SRC ?? "") {
  const origins = [];
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    let url;
    try {
      url = new URL(item);
    } catch {
      throw new Error(`REFLEQT_CONNECT_SRC: "${item}" is not an origin such as https://api.example.com`);
    }
    const loopback = ["127.0.0.1", "localhost"].includes(url.hostname);
    const ok =
      (url.protocol === "https:" || (url.protocol === "http:" && loopback)) &&
      !item.includes("*") &&
      url.origin === item.replace(/\/$/, "");
    if (!ok) {
      throw new Error(
        `REFLEQT_CONNECT_SRC: "${item}" must be a bare https origin (http only for 127.0.0.1 or localhost), no path or wildcard`,
      );
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return origins;
}

// The directives of the policy; `scriptHashes` are CSP source expressions (`'sha256-…'`).
// Connections: the app's own origin, plus the connection origins given at build time
// (`connectOrigins`), each a fixed origin, never a wildcard.
export function directives(scriptHashes, extraConnect = connectOrigins()) {
  return [
    ["default-src", "'self'"],
    ["script-src", "'self'", "'wasm-unsafe-eval'", ...scriptHashes],
    ["style-src", "'self'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'", ...extraConnect],
    ["worker-src", "'self'"],
    ["manifest-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'"],
  ];
}

// Directives a `<meta>` policy ignores, so they only go in the headers file.
const HEADER_ONLY = [["frame-ancestors", "'none'"]];

const serialize = (list) => list.map((d) => d.join(" ")).join("; ");

// The inline scripts' bodies, exactly as the browser hashes them.
export function inlineScripts(html) {
  const bodies = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (/\ssrc\s*=/i.test(" " + m[1])) continue;
    // The HTML parser turns CRLF and lone CR into LF before the script's text is hashed.
    bodies.push(m[2].replace(/\r\n?/g, "\n"));
  }
  return bodies;
}

export const sha256 = (text) =>
  `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

// Markup the policy would block, found outside scripts and comments.
export function forbiddenMarkup(html) {
  const markup = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<script\b[^>]*>[\s\S]*?<\/script\s*>/gi, "<script>");
  const found = [];
  for (const m of markup.matchAll(/<[a-z][^>]*>/gi)) {
    const tag = m[0];
    const attr = tag.match(/\s(on[a-z]+|style)\s*=/i);
    if (attr) found.push(`${attr[1]}= attribute in ${tag}`);
    if (/^<style\b/i.test(tag)) found.push(`inline <style> element`);
    if (/=\s*["']?\s*javascript:/i.test(tag)) found.push(`javascript: URL in ${tag}`);
  }
  return found;
}

const CSP_META = /[ \t]*<meta\s+http-equiv=["']Content-Security-Policy["'][^>]*>\n?/gi;

export async function applyPolicy(dir) {
  const indexPath = join(dir, "index.html");
  let html = (await readFile(indexPath, "utf8")).replace(CSP_META, "");
  const problems = forbiddenMarkup(html);
  if (problems.length > 0) {
    throw new Error(
      `index.html has markup the Content-Security-Policy blocks:\n  ${problems.join("\n  ")}`,
    );
  }
  const hashes = [...new Set(inlineScripts(html).map(sha256))];
  const policy = directives(hashes);
  const meta = `<meta http-equiv="Content-Security-Policy" content="${serialize(policy)}" />`;
  const charset = html.match(/<meta\s+charset=[^>]*>/i);
  if (!charset) throw new Error("index.html has no <meta charset>, after which the policy goes");
  const at = charset.index + charset[0].length;
  html = `${html.slice(0, at)}\n    ${meta}${html.slice(at)}`;
  await writeFile(indexPath, html);
  const headers = [
    "# Written by scripts/csp.mjs at build time: the same policy as index.html's <meta>, plus",
    "# frame-ancestors, which only a header can carry. Netlify / Cloudflare Pages read this file;",
    "# on another host, send these headers for every file (see README, Deploying).",
    "/*",
    `  Content-Security-Policy: ${serialize([...policy, ...HEADER_ONLY])}`,
    "  X-Content-Type-Options: nosniff",
    "",
  ].join("\n");
  await writeFile(join(dir, "_headers"), headers);
  return { hashes };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = resolve(process.env.TRUNK_STAGING_DIR ?? process.argv[2] ?? "dist");
  try {
    const { hashes } = await applyPolicy(dir);
    console.log(`csp: policy written with ${hashes.length} inline script hash(es) in ${dir}`);
  } catch (e) {
    console.error(`csp: ${e.message}`);
    process.exit(1);
  }
}

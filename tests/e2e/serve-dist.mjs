// A tiny static server for the release build: serves dist/ under a sub-path (default /refleqt/)
// on 127.0.0.1, to prove the build works from any folder of a static host. Anything outside the
// sub-path is a 404, so an absolute URL in the build fails the end-to-end tests.
//
// With E2E_SWITCHABLE=1 (the Playwright config sets it), `PUT /__e2e/dist-dir` with a folder path
// as its body serves that folder from then on, and an empty body goes back to DIST_DIR: the
// update test serves a second build at the same origin, as a redeploy would. The address lies
// outside the sub-path, so the app itself can never reach it.
//
// Like Netlify or Cloudflare Pages, it sends the headers of the build's `_headers` file (its `/*`
// block: the Content-Security-Policy) with every file, so the tests run under the policy a host
// would send.
//
// Like those hosts it compresses text and wasm (gzip, when the browser accepts it), so a throttled
// first load (first-load.spec.mjs) moves the bytes a real visitor's browser would.
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";

const initialRoot = resolve(process.env.DIST_DIR ?? "dist");
let root = initialRoot;
const switchable = process.env.E2E_SWITCHABLE === "1";
const base = process.env.BASE_PATH ?? "/refleqt/";
const port = Number(process.env.PORT ?? 4173);
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".csv": "text/csv; charset=utf-8",
};

// Compressed bodies by file and modification time: each file is compressed once per build.
const compressible = new Set([
  ".html",
  ".js",
  ".mjs",
  ".css",
  ".wasm",
  ".json",
  ".webmanifest",
  ".svg",
  ".csv",
]);
const gzipped = new Map();
function gzipOf(path, mtimeMs, body) {
  const key = `${path}\u0000${mtimeMs}`;
  let packed = gzipped.get(key);
  if (!packed) {
    packed = gzipSync(body, { level: 9 });
    gzipped.set(key, packed);
  }
  return packed;
}

// `{ name: value }` of the `/*` block of dist/_headers (none when the build has no such file).
async function hostHeaders() {
  let text;
  try {
    text = await readFile(join(root, "_headers"), "utf8");
  } catch {
    return {};
  }
  const headers = {};
  let inBlock = false;
  for (const line of text.split("\n")) {
    if (/^\S/.test(line) && !line.startsWith("#")) inBlock = line.trim() === "/*";
    const header = inBlock && line.match(/^\s+([A-Za-z-]+):\s*(.*)$/);
    if (header) headers[header[1].toLowerCase()] = header[2];
  }
  return headers;
}

createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (switchable && url.pathname === "/__e2e/dist-dir" && req.method === "PUT") {
    let body = "";
    for await (const chunk of req) body += chunk;
    const next = body.trim() ? resolve(body.trim()) : initialRoot;
    try {
      if (!(await stat(next)).isDirectory()) throw new Error("not a folder");
    } catch (e) {
      res.writeHead(400);
      return res.end(`cannot serve ${next}: ${e.message}`);
    }
    root = next;
    console.log(`now serving ${root}`);
    res.writeHead(204);
    return res.end();
  }
  if (url.pathname === base.slice(0, -1)) {
    res.writeHead(301, { location: base });
    return res.end();
  }
  if (!url.pathname.startsWith(base)) {
    res.writeHead(404);
    return res.end("not under " + base);
  }
  let rel = decodeURIComponent(url.pathname.slice(base.length)) || "index.html";
  const file = normalize(join(root, rel));
  if (!file.startsWith(root)) {
    res.writeHead(403);
    return res.end();
  }
  try {
    const info = await stat(file);
    const path = info.isDirectory() ? join(file, "index.html") : file;
    const body = await readFile(path);
    const gzip =
      compressible.has(extname(path)) && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
    res.writeHead(200, {
      ...(await hostHeaders()),
      "content-type": types[extname(path)] ?? "application/octet-stream",
      "cache-control": "no-store",
      vary: "accept-encoding",
      ...(gzip ? { "content-encoding": "gzip" } : {}),
    });
    res.end(gzip ? gzipOf(path, (await stat(path)).mtimeMs, body) : body);
  } catch {
    res.writeHead(404);
    res.end("not found");
  }
}).listen(port, "127.0.0.1", () => {
  console.log(`serving ${root} at http://127.0.0.1:${port}${base}`);
});

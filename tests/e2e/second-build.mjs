// Makes "the next release" of the build in dist/, the way a rebuild changes it: a copy in a
// temporary folder where main-<hash>.css has new contents under a new hashed name (index.html's
// link and its integrity follow), then the real post_build hook (scripts/sw-precache.mjs) run
// over it, which gives sw.js a new file list and version.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "..", "..");

/** Build the next release from `dist`; returns its folder and its new stylesheet name. */
export async function secondBuild(dist = join(repo, "dist")) {
  const dir = await mkdtemp(join(tmpdir(), "refleqt-next-"));
  await cp(dist, dir, { recursive: true });
  const oldCss = (await readdir(dir)).find((f) => /^main-[0-9a-f]+\.css$/.test(f));
  if (!oldCss) throw new Error(`no main-<hash>.css in ${dist}`);
  const css = (await readFile(join(dir, oldCss), "utf8")) + "\n/* the next release */\n";
  const newCss = `main-${createHash("sha256").update(css).digest("hex").slice(0, 16)}.css`;
  await rm(join(dir, oldCss));
  await writeFile(join(dir, newCss), css);
  const integrity = "sha384-" + createHash("sha384").update(css).digest("base64");
  const index = await readFile(join(dir, "index.html"), "utf8");
  const link = new RegExp(`href="\\./${oldCss.replace(".", "\\.")}"( integrity="[^"]*")?`);
  if (!link.test(index)) throw new Error(`index.html does not link ${oldCss}`);
  await writeFile(
    join(dir, "index.html"),
    index.replace(link, (_, withIntegrity) =>
      `href="./${newCss}"` + (withIntegrity ? ` integrity="${integrity}"` : ""),
    ),
  );
  execFileSync("node", [join(repo, "scripts", "sw-precache.mjs"), dir], { stdio: "pipe" });
  return { dir, oldCss, newCss };
}

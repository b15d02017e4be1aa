// The warehouse SQL, run for real: DuckDB (in-process, @duckdb/node-api) builds the path table
// from the same events as the engine (`refleqt paths`), and both must be EXACTLY equal (same
// bytes, so the same rows, counts and values), and `refleqt attribute` must give exactly the
// same attribution on both.
//
// Data: simulated event logs (`refleqt simulate`, several seeds) and an awkward log written
// here (equal timestamps, conversions without touches, repeat conversions, touches older than
// the lookback, users who never convert, rejected rows, cal-<id> in utm_content and landing
// URLs, channels that need CSV quoting or the formula guard), each at two lookback windows.
// Then the GA4 route: sql/bigquery/path_table_duckdb.sql (the DuckDB twin of the BigQuery
// query) on a small GA4-schema fixture (nested event_params, collected_traffic_source, in
// Parquet), against `refleqt paths` on the same events flattened to the BigQuery CSV the
// engine's GA4 import reads.
//
// Run: node tests/warehouse/check.mjs   (scripts/test.sh runs it; builds the release CLI)
// Env: REFLEQT_BIN=path/to/refleqt to skip the build; WAREHOUSE_JOURNEYS=N for the simulated
//      size (default 20000); WAREHOUSE_KEEP=1 keeps the scratch folder.

import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = mkdtempSync(join(tmpdir(), 'refleqt-warehouse-'));
const journeys = Number(process.env.WAREHOUSE_JOURNEYS || 20000);
let failures = 0;

function fail(msg) {
  failures += 1;
  console.error(`FAIL ${msg}`);
}

function cli() {
  if (process.env.REFLEQT_BIN) return process.env.REFLEQT_BIN;
  execFileSync('cargo', ['build', '-p', 'refleqt-cli', '--release', '--locked', '-j', '2'], {
    cwd: root,
    stdio: 'inherit',
  });
  const target = process.env.CARGO_TARGET_DIR || join(root, 'target');
  return join(resolve(root, target), 'release', 'refleqt');
}
const bin = cli();
const refleqt = (args) =>
  execFileSync(bin, args, { cwd: scratch, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });

// A small seeded generator (xorshift64*), so the awkward log is the same on every run.
function rng(seed) {
  let s = BigInt(seed) | 1n;
  return (n) => {
    s ^= s >> 12n;
    s ^= (s << 25n) & 0xffffffffffffffffn;
    s ^= s >> 27n;
    return Number(((s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) >> 33n) % n;
  };
}

const csvCell = (v) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** An event log that exercises every journey rule and the parser's keying. */
function awkwardLog(seed) {
  const next = rng(seed);
  const day = 86_400_000;
  const t0 = Date.UTC(2025, 0, 1);
  const channels = ['Email newsletter', 'Google Ads', 'Blog, organic', 'Say "hi"', '=cmd', '-5 promo', '(direct)', 'email', 'Email'];
  const contents = ['', '', 'cal-7', 'CAL-8', 'cal%2D9', ' cal-10_banner', 'cal-11b', 'cal-', 'cal-0012', 'xcal-1', 'cal-99999999999999999999'];
  const urls = ['', '', 'https://x.test/p?utm_content=cal-21&a=1', 'https://x.test/?UTM_CONTENT=cal-22', 'https://x.test/#utm_content=cal-23', 'utm_source=a;utm_content=cal-24', 'https://x.test/p?utm_content=nope&utm_content=cal-25', 'https://x.test/p?utm%5Fcontent=cal+26'];
  const convNames = ['conversion', 'Purchase', 'order-completed', 'sign up', ' lead '];
  const stamp = (ms, style) => {
    const iso = new Date(ms).toISOString(); // 2025-01-01T00:00:00.000Z
    if (style === 0) return iso.replace('.000Z', 'Z');
    if (style === 1) return iso.replace('T', ' ').replace('.000Z', '');
    if (style === 2) return iso;
    const shifted = new Date(ms + 2 * 3600_000).toISOString().replace('.000Z', '');
    return `${shifted}+02:00`;
  };
  const rows = ['user_id,timestamp,channel,campaign,utm_content,cost,event,revenue,landing_url'];
  const users = 400;
  for (let u = 0; u < users; u++) {
    const kind = next(6); // 0: never converts, 1: conversions only, else mixed
    const n = 1 + next(9);
    const uid = next(10) === 0 ? ` u${u} ` : `u${u}`;
    for (let i = 0; i < n; i++) {
      // Few distinct times (ties), spread over ~80 days (older than a 30-day lookback).
      const ts = t0 + next(8) * 11 * day + next(3) * 3600_000 + (next(4) === 0 ? 30 * day : 0);
      const style = next(4);
      const conv = kind === 1 || (kind !== 0 && next(3) === 0);
      if (conv) {
        const rev = ['', '12.5', '0.1', '99.999', '3', '-3', 'abc', '0.30'][next(8)];
        rows.push([uid, stamp(ts, style), '', '', '', '', convNames[next(convNames.length)], rev, ''].map(csvCell).join(','));
      } else {
        const ch = channels[next(channels.length)];
        const cost = ['', '0.5', '1', '-1'][next(4)];
        const ev = ['touch', 'page_view', '', 'Touch'][next(4)];
        rows.push([uid, stamp(ts, style), ch, 'c1', contents[next(contents.length)], cost, ev, '', urls[next(urls.length)]].map(csvCell).join(','));
      }
    }
    // Rows the engine rejects: no user, no timestamp, a touch without channel.
    if (u % 97 === 0) {
      rows.push(['', stamp(t0, 0), 'Email', '', '', '', 'touch', '', ''].join(','));
      rows.push([`u${u}`, 'yesterday', 'Email', '', '', '', 'touch', '', ''].join(','));
      rows.push([`u${u}`, stamp(t0, 0), '', '', '', '', 'touch', '', ''].join(','));
    }
  }
  return rows.join('\n') + '\n';
}

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const lit = (s) => `'${s.replaceAll("'", "''")}'`;
const duckSql = readFileSync(join(root, 'sql/duckdb/path_table.sql'), 'utf8');

async function duckdbPaths(events, lookback, out, hasUrl) {
  await con.run(`SET VARIABLE refleqt_lookback_days = ${lookback}`);
  await con.run(`CREATE OR REPLACE TEMP VIEW refleqt_events AS
    SELECT user_id, timestamp, channel, event, revenue, cost, utm_content,
           ${hasUrl ? 'landing_url' : 'NULL::VARCHAR AS landing_url'}
    FROM read_csv(${lit(events)}, all_varchar = true, header = true, delim = ',', quote = '"', escape = '"')`);
  await con.run(duckSql);
  await con.run(`COPY (FROM refleqt_path_table) TO ${lit(out)} (HEADER, DELIMITER ',')`);
}

function attributionOf(paths) {
  const json = JSON.parse(refleqt(['attribute', paths, '--bootstrap', '20']));
  if (json.input.format !== 'paths') fail(`${paths}: not detected as a path table`);
  delete json.input; // names the file
  return JSON.stringify(json);
}

function rowsOf(text) {
  return text.trimEnd().split('\n');
}

async function compare(name, events, lookback, hasUrl) {
  const slug = name.replaceAll(' ', '-');
  const enginePaths = join(scratch, `${slug}-${lookback}-engine.csv`);
  const sqlPaths = join(scratch, `${slug}-${lookback}-duckdb.csv`);
  refleqt(['paths', events, '--lookback-days', String(lookback), '--out', enginePaths]);
  const t = performance.now();
  await duckdbPaths(events, lookback, sqlPaths, hasUrl);
  const ms = performance.now() - t;
  const a = readFileSync(enginePaths, 'utf8');
  const b = readFileSync(sqlPaths, 'utf8');
  const ra = rowsOf(a);
  const entries = ra.filter((r) => /,[0-9>]*[0-9][0-9>]*$/.test(r)).length;
  if (a !== b) {
    const rb = rowsOf(b);
    const onlyA = ra.filter((r) => !rb.includes(r)).slice(0, 5);
    const onlyB = rb.filter((r) => !ra.includes(r)).slice(0, 5);
    fail(`${name} lookback ${lookback}: path tables differ (engine ${ra.length - 1} rows, DuckDB ${rb.length - 1} rows)\n  engine only: ${JSON.stringify(onlyA)}\n  DuckDB only: ${JSON.stringify(onlyB)}`);
    return;
  }
  if (ra.length < 3) fail(`${name}: suspiciously small path table (${ra.length - 1} rows)`);
  const same = attributionOf(enginePaths) === attributionOf(sqlPaths);
  if (!same) fail(`${name} lookback ${lookback}: attribution differs`);
  console.log(
    `ok   ${name} lookback ${lookback}: ${ra.length - 1} path rows (${entries} with entries), byte-identical, attribution identical: ${same} (DuckDB ${ms.toFixed(0)} ms)`,
  );
  return { rows: ra.length - 1, entries };
}

try {
  for (const seed of [1, 7, 2026]) {
    const events = join(scratch, `sim-${seed}.csv`);
    refleqt(['simulate', '--journeys', String(journeys), '--seed', String(seed), '--events', events]);
    const r = await compare(`simulated seed ${seed}`, events, 30, false);
    if (r && r.entries === 0) fail(`simulated seed ${seed}: no path carries a calendar entry`);
    await compare(`simulated seed ${seed}`, events, 7.5, false);
  }
  for (const seed of [3, 11]) {
    const events = join(scratch, `awkward-${seed}.csv`);
    writeFileSync(events, awkwardLog(seed));
    for (const lookback of [30, 0.5]) {
      const r = await compare(`awkward seed ${seed}`, events, lookback, true);
      if (r && r.entries === 0) fail(`awkward seed ${seed}: no path carries a calendar entry`);
    }
  }
  const ga4 = await import('./ga4.mjs');
  await ga4.check({ con, lit, root, scratch, refleqt, fail });
} finally {
  if (!process.env.WAREHOUSE_KEEP) rmSync(scratch, { recursive: true, force: true });
  else console.log(`scratch kept in ${scratch}`);
}

if (failures > 0) {
  console.error(`warehouse SQL: ${failures} failure(s)`);
  process.exit(1);
}
console.log('warehouse SQL: all path tables equal');

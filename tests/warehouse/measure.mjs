// Time the DuckDB path-table SQL on one event-log CSV (not part of the test run; the README's
// warehouse numbers come from here):
//   node tests/warehouse/measure.mjs events.csv [lookback_days] [out.csv]
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [events, lookback = '30', out = '/tmp/refleqt-duckdb-paths.csv'] = process.argv.slice(2);
const lit = (s) => `'${s.replaceAll("'", "''")}'`;
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const threads = (await con.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjects()[0].t;
const t0 = performance.now();
await con.run(`SET VARIABLE refleqt_lookback_days = ${Number(lookback)}`);
await con.run(`CREATE VIEW refleqt_events AS
  SELECT user_id, timestamp, channel, event, revenue, cost, utm_content, NULL::VARCHAR AS landing_url
  FROM read_csv(${lit(events)}, all_varchar = true, header = true, delim = ',', quote = '"', escape = '"')`);
await con.run(readFileSync(join(root, 'sql/duckdb/path_table.sql'), 'utf8'));
const t1 = performance.now();
await con.run(`COPY (FROM refleqt_path_table) TO ${lit(out)} (HEADER, DELIMITER ',')`);
const t2 = performance.now();
console.log(
  `${events} (${(statSync(events).size / 1e6).toFixed(1)} MB): DuckDB ${threads} threads, ` +
    `read + clean ${((t1 - t0) / 1000).toFixed(2)} s, journeys + path table + write ${((t2 - t1) / 1000).toFixed(2)} s, ` +
    `total ${((t2 - t0) / 1000).toFixed(2)} s → ${out} (${(statSync(out).size / 1e6).toFixed(1)} MB)`,
);

// The GA4 route of tests/warehouse/check.mjs: a GA4 BigQuery-export fixture in the export's
// own nested schema (event_params, collected_traffic_source, ecommerce), written as Parquet by
// DuckDB; sql/bigquery/path_table_duckdb.sql (the DuckDB twin of the BigQuery query) runs on
// it, and `refleqt paths` runs on the same events flattened to the CSV the engine's GA4
// BigQuery import reads. The two path tables must be byte-identical, and so the attribution.
// sql/bigquery/path_table.sql itself (BigQuery's dialect) is not executed here: no BigQuery.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function rng(seed) {
  let s = BigInt(seed) | 1n;
  return (n) => {
    s ^= s >> 12n;
    s ^= (s << 25n) & 0xffffffffffffffffn;
    s ^= s >> 27n;
    return Number(((s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) >> 33n) % n;
  };
}

/** NDJSON rows of GA4 export events: visits with and without a source, source changes within
 * a visit, placeholders such as (not set), utm_* only in page_location, purchases with and
 * without revenue, equal timestamps, users who never buy, events without a user. */
function fixture(seed) {
  const next = rng(seed);
  const t0 = Date.UTC(2025, 2, 1) * 1000; // microseconds
  const minute = 60_000_000;
  const day = 1440 * minute;
  const sources = [
    ['google', 'cpc'], ['newsletter', 'email'], ['Facebook', 'Paid_Social'], ['bing', 'cpc'],
    ['partner', null], ['(not set)', '(not set)'], [null, 'referral'], ['(direct)', '(none)'],
  ];
  const contents = [null, 'cal-31', 'CAL-32_banner', 'cal-x', '(not set)'];
  const names = ['page_view', 'session_start', 'user_engagement', 'purchase', 'Purchase', 'in_app_purchase', 'scroll'];
  const out = [];
  const event = (user, ts, name, cts, page, revenue) => ({
    user_pseudo_id: user,
    event_timestamp: ts,
    event_name: name,
    event_params: [{ key: 'page_location', value: { string_value: page, int_value: null, float_value: null, double_value: null } }],
    collected_traffic_source: cts,
    ecommerce: revenue === undefined ? null : { purchase_revenue: revenue },
  });
  // The visit boundary exactly: the same source again after exactly 30 minutes is the same
  // visit (one touch); after 30 minutes and 1 ms it is a new visit (a second touch).
  const google = { manual_source: 'google', manual_medium: 'cpc', manual_campaign_name: null, manual_content: 'cal-40' };
  for (const [user, gap] of [['edge-same', 30 * minute], ['edge-new', 30 * minute + 1000]]) {
    out.push(event(user, t0, 'page_view', google, 'https://shop.test/'));
    out.push(event(user, t0 + gap, 'page_view', google, 'https://shop.test/'));
    out.push(event(user, t0 + gap + minute, 'purchase', null, 'https://shop.test/thanks', 10));
  }
  for (let u = 0; u < 180; u++) {
    let ts = t0 + next(40) * day + next(1440) * minute;
    const user = next(25) === 0 ? '' : `ga${u}.${1000 + u}`;
    const n = 1 + next(12);
    for (let i = 0; i < n; i++) {
      // gaps: same microsecond, minutes (same visit), exactly 30 minutes (still the same
      // visit), 30 minutes and 1 ms (a new one), days, over 30 days
      ts += [0, 5 * minute, 29 * minute, 30 * minute, 30 * minute + 1000, 31 * minute, 2 * day, 35 * day][next(8)];
      const name = names[next(names.length)];
      const withSource = next(3) === 0;
      const src = sources[next(sources.length)];
      const content = contents[next(contents.length)];
      let page = `https://shop.test/p/${next(50)}`;
      const cts = withSource && next(2) === 0
        ? { manual_source: src[0], manual_medium: src[1], manual_campaign_name: next(2) ? 'spring' : null, manual_content: content }
        : null;
      if (withSource && !cts) {
        const params = [];
        if (src[0]) params.push(`utm_source=${encodeURIComponent(src[0])}`);
        if (src[1]) params.push(`UTM_MEDIUM=${encodeURIComponent(src[1])}`);
        if (content) params.push(`utm_content=${encodeURIComponent(content)}`);
        page += (next(4) === 0 ? '#' : '?') + params.join(next(2) ? '&' : ';');
      }
      const purchase = /purchase/i.test(name);
      out.push({
        user_pseudo_id: user,
        event_timestamp: ts,
        event_name: name,
        event_params: [
          { key: 'page_location', value: { string_value: page, int_value: null, float_value: null, double_value: null } },
          { key: 'ga_session_id', value: { string_value: null, int_value: 1 + next(9), float_value: null, double_value: null } },
        ],
        collected_traffic_source: cts,
        ecommerce: purchase ? { purchase_revenue: next(4) === 0 ? null : [19.99, 5, 120.5, 0.1][next(4)] } : null,
      });
    }
  }
  return out.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

export async function check({ con, lit, root, scratch, refleqt, fail }) {
  const twin = readFileSync(join(root, 'sql/bigquery/path_table_duckdb.sql'), 'utf8');
  for (const seed of [5, 8]) {
    const json = join(scratch, `ga4-${seed}.ndjson`);
    const parquet = join(scratch, `ga4-${seed}.parquet`);
    const flat = join(scratch, `ga4-${seed}-bigquery.csv`);
    writeFileSync(json, fixture(seed));
    await con.run(`COPY (SELECT * FROM read_json(${lit(json)}, format = 'newline_delimited', columns = {
        user_pseudo_id: 'VARCHAR', event_timestamp: 'BIGINT', event_name: 'VARCHAR',
        event_params: 'STRUCT(key VARCHAR, value STRUCT(string_value VARCHAR, int_value BIGINT, float_value DOUBLE, double_value DOUBLE))[]',
        collected_traffic_source: 'STRUCT(manual_source VARCHAR, manual_medium VARCHAR, manual_campaign_name VARCHAR, manual_content VARCHAR)',
        ecommerce: 'STRUCT(purchase_revenue DOUBLE)'})) TO ${lit(parquet)} (FORMAT parquet)`);
    // The flattened CSV the engine's GA4 BigQuery import reads, in the same row order.
    await con.run(`COPY (SELECT event_timestamp, event_name, user_pseudo_id,
        collected_traffic_source.manual_source AS "collected_traffic_source.manual_source",
        collected_traffic_source.manual_medium AS "collected_traffic_source.manual_medium",
        collected_traffic_source.manual_campaign_name AS "collected_traffic_source.manual_campaign_name",
        collected_traffic_source.manual_content AS "collected_traffic_source.manual_content",
        list_filter(event_params, p -> p.key = 'page_location')[1].value.string_value AS page_location,
        ecommerce.purchase_revenue AS "ecommerce.purchase_revenue"
      FROM read_parquet(${lit(parquet)}, file_row_number = true) ORDER BY file_row_number)
      TO ${lit(flat)} (HEADER, DELIMITER ',')`);
    for (const lookback of [30, 1]) {
      const enginePaths = join(scratch, `ga4-${seed}-${lookback}-engine.csv`);
      const sqlPaths = join(scratch, `ga4-${seed}-${lookback}-duckdb.csv`);
      refleqt(['paths', flat, '--lookback-days', String(lookback), '--out', enginePaths]);
      await con.run(`SET VARIABLE refleqt_lookback_days = ${lookback}`);
      await con.run(`CREATE OR REPLACE TEMP VIEW refleqt_ga4_events AS
        SELECT *, file_row_number AS rn FROM read_parquet(${lit(parquet)}, file_row_number = true)`);
      await con.run(twin);
      await con.run(`COPY (FROM refleqt_path_table) TO ${lit(sqlPaths)} (HEADER, DELIMITER ',')`);
      const a = readFileSync(enginePaths, 'utf8');
      const b = readFileSync(sqlPaths, 'utf8');
      const ra = a.trimEnd().split('\n');
      if (a !== b) {
        const rb = b.trimEnd().split('\n');
        fail(`GA4 seed ${seed} lookback ${lookback}: path tables differ (engine ${ra.length - 1} rows, DuckDB ${rb.length - 1})\n  engine only: ${JSON.stringify(ra.filter((r) => !rb.includes(r)).slice(0, 5))}\n  DuckDB only: ${JSON.stringify(rb.filter((r) => !ra.includes(r)).slice(0, 5))}`);
        continue;
      }
      const attr = (p) => {
        const j = JSON.parse(refleqt(['attribute', p, '--bootstrap', '20']));
        delete j.input;
        return JSON.stringify(j);
      };
      const same = attr(enginePaths) === attr(sqlPaths);
      if (!same) fail(`GA4 seed ${seed} lookback ${lookback}: attribution differs`);
      const entries = ra.filter((r) => /,[0-9>]*[0-9][0-9>]*$/.test(r)).length;
      const direct = ra.filter((r) => r.startsWith('(direct)')).length;
      if (ra.length < 5 || entries === 0) fail(`GA4 seed ${seed}: fixture too thin (${ra.length - 1} rows, ${entries} with entries)`);
      console.log(`ok   GA4 seed ${seed} lookback ${lookback}: ${ra.length - 1} path rows (${entries} with entries, ${direct} (direct)), byte-identical, attribution identical: ${same}`);
    }
  }
}

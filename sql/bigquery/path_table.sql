-- Refleqt: GA4 BigQuery export → path table, in BigQuery (GoogleSQL, run as one script).
--
-- WHAT IT PRODUCES
--   A table `refleqt_path_table` (in the dataset named below) with the ChannelAttribution
--   path-table layout plus our `path_entries` column — the table `refleqt paths` writes from
--   the same events (crates/engine/src/path_table.rs):
--     path                    channel names joined by '>' (oldest touch first)
--     total_conversions       purchases that closed a journey with this path
--     total_conversion_value  their ecommerce.purchase_revenue, rounded to 6 decimals, summed
--     total_null              non-converting journeys with this path
--     path_entries            the calendar entry (cal-<id>) of each step joined by '>', an
--                             empty step for a touch without one; NULL when no step has one
--   Hundreds of thousands of rows at most, whatever the export's size. Download it as CSV
--   (console: Save results → CSV, or EXPORT DATA … FORMAT = 'CSV') and import that file in
--   the app (Attribution or Import page), or run `refleqt attribute paths.csv`.
--
-- PARAMETERS: the DECLAREs below (export table, date range, lookback), and the channel
--   mapping (the app's default; edit it to match Settings → channel mapping).
--
-- HOW TO RUN: paste into the BigQuery console (or `bq query --use_legacy_sql=false < file`)
--   after editing the DECLAREs and the two dataset names (`my-project.analytics_123456`).
--   Cost: one scan of the columns used over the date range.
--
-- RULES: the engine's GA4 BigQuery import (crates/engine/src/imports/ga4.rs) and journey
--   builder (crates/engine/src/assemble.rs), step for step; see sql/bigquery/path_table_duckdb.sql,
--   the DuckDB twin of this query, for the rules in words. Its test (tests/warehouse/check.mjs)
--   runs the TWIN on a GA4-schema fixture and checks it against the engine exactly; THIS file
--   is not executed by any test (there is no BigQuery in CI). Keep the two in step.
--   Differences from the twin, by dialect only: URL decoding is a JavaScript UDF
--   (decodeURIComponent; a malformed escape leaves the whole value undecoded, where the
--   engine keeps just that escape); the visit key is compared as TO_JSON_STRING of its
--   fields; events at the same microsecond are ordered by GA4's batch fields
--   (batch_page_id, batch_ordering_id, batch_event_index) where the twin uses file order.

DECLARE lookback_days FLOAT64 DEFAULT 30;
DECLARE start_suffix STRING DEFAULT '20250101';  -- events_YYYYMMDD tables, inclusive
DECLARE end_suffix STRING DEFAULT '20251231';

CREATE TEMP FUNCTION refleqt_trim(s STRING) AS (TRIM(s, ' \t\n\f\r'));

CREATE TEMP FUNCTION refleqt_url_decode(s STRING) RETURNS STRING LANGUAGE js AS r"""
  if (s === null) return null;
  try { return decodeURIComponent(s); } catch (e) { return s; }
""";

-- The engine's key_value: trimmed, absent when empty or a GA4 placeholder.
CREATE TEMP FUNCTION refleqt_key_value(s STRING) AS (
  CASE WHEN s IS NULL OR LOWER(refleqt_trim(s)) IN
    ('', '(not set)', '(none)', '(direct)', '(other)', '--', '(not provided)')
  THEN NULL ELSE refleqt_trim(s) END);

-- The first non-empty decoded value of parameter `name` in a query string (pairs split on &
-- or ;, key decoded with + as space, trimmed, case-insensitive).
CREATE TEMP FUNCTION refleqt_param_in(q STRING, name STRING) AS ((
  SELECT v FROM (
    SELECT
      refleqt_trim(refleqt_url_decode(REPLACE(SUBSTR(p, STRPOS(p, '=') + 1), '+', ' '))) AS v,
      off
    FROM UNNEST(REGEXP_EXTRACT_ALL(q, r'[^&;]*')) AS p WITH OFFSET off
    WHERE STRPOS(p, '=') > 0
      AND LOWER(refleqt_trim(refleqt_url_decode(REPLACE(SUBSTR(p, 1, STRPOS(p, '=') - 1), '+', ' ')))) = name)
  WHERE v IS NOT NULL AND v != ''
  ORDER BY off LIMIT 1));

-- The engine's query_param: the URL's query (a bare `a=b&…` string counts), else its fragment.
CREATE TEMP FUNCTION refleqt_query_param(u STRING, name STRING) AS (
  COALESCE(
    refleqt_param_in(CASE
      WHEN STRPOS(SPLIT(refleqt_trim(u), '#')[OFFSET(0)], '?') > 0
        THEN SUBSTR(SPLIT(refleqt_trim(u), '#')[OFFSET(0)], STRPOS(SPLIT(refleqt_trim(u), '#')[OFFSET(0)], '?') + 1)
      WHEN STRPOS(SPLIT(refleqt_trim(u), '#')[OFFSET(0)], '://') = 0
           AND STRPOS(SPLIT(refleqt_trim(u), '#')[OFFSET(0)], '=') > 0
        THEN SPLIT(refleqt_trim(u), '#')[OFFSET(0)]
      ELSE '' END, name),
    refleqt_param_in(CASE WHEN STRPOS(refleqt_trim(u), '#') > 0
      THEN SUBSTR(refleqt_trim(u), STRPOS(refleqt_trim(u), '#') + 1) ELSE '' END, name)));

-- `cal-<id>` at the start of a content value (crates/engine/src/utm.rs), the id without
-- leading zeros, at most 18446744073709551615 (u64).
CREATE TEMP FUNCTION refleqt_cal_id(v STRING) AS ((
  SELECT IF(n <= BIGNUMERIC '18446744073709551615', CAST(n AS STRING), NULL)
  FROM (SELECT SAFE_CAST(REGEXP_EXTRACT(refleqt_url_decode(refleqt_trim(v)),
    r'^[ \t\n\f\r]*[cC][aA][lL]-([0-9]{1,30})(?:[^A-Za-z0-9]|$)') AS BIGNUMERIC) AS n)));

CREATE OR REPLACE TABLE `my-project.analytics_123456.refleqt_path_table` AS
WITH mapping AS (
  SELECT * FROM UNNEST([
    STRUCT('Blog / organic' AS channel, 'blog' AS source, 'organic' AS medium),
    ('LinkedIn', 'linkedin', 'social'), ('Twitter/X', 'twitter', 'social'),
    ('Facebook', 'facebook', 'social'), ('Instagram', 'instagram', 'social'),
    ('Email newsletter', 'newsletter', 'email'), ('Google Ads', 'google', 'cpc'),
    ('Meta Ads', 'facebook', 'paid_social'), ('LinkedIn Ads', 'linkedin', 'paid_social'),
    ('Webinar', 'webinar', 'event'), ('Podcast', 'podcast', 'audio'),
    ('YouTube', 'youtube', 'video')])
), raw AS (
  SELECT
    ROW_NUMBER() OVER (ORDER BY event_timestamp, batch_page_id, batch_ordering_id, batch_event_index) AS rn,
    refleqt_trim(user_pseudo_id) AS usr,
    DIV(event_timestamp, 1000) AS ts,
    ARRAY_TO_STRING(REGEXP_EXTRACT_ALL(LOWER(event_name), r'[[:alnum:]]+'), '_') AS name,
    ecommerce.purchase_revenue AS purchase_revenue,
    collected_traffic_source.manual_source AS cts_source,
    collected_traffic_source.manual_medium AS cts_medium,
    collected_traffic_source.manual_campaign_name AS cts_campaign,
    collected_traffic_source.manual_content AS cts_content,
    (SELECT value.string_value FROM UNNEST(event_params) WHERE key = 'page_location' LIMIT 1) AS page_location
  FROM `my-project.analytics_123456.events_*`
  WHERE _TABLE_SUFFIX BETWEEN start_suffix AND end_suffix
), keyed AS (
  SELECT rn, usr, ts,
    name IN ('purchase', 'in_app_purchase') AS purchase,
    ROUND(CAST(COALESCE(purchase_revenue, 0) AS NUMERIC), 6) AS revenue,
    COALESCE(refleqt_key_value(cts_source), refleqt_key_value(refleqt_query_param(page_location, 'utm_source'))) AS s,
    COALESCE(refleqt_key_value(cts_medium), refleqt_key_value(refleqt_query_param(page_location, 'utm_medium'))) AS m,
    COALESCE(refleqt_key_value(cts_campaign), refleqt_key_value(refleqt_query_param(page_location, 'utm_campaign'))) AS c,
    COALESCE(refleqt_key_value(cts_content), refleqt_key_value(refleqt_query_param(page_location, 'utm_content'))) AS ct
  FROM raw
  WHERE usr IS NOT NULL AND usr != '' AND name != '' AND ts IS NOT NULL
), owned AS (
  SELECT *,
    IF(s IS NOT NULL OR m IS NOT NULL OR c IS NOT NULL OR ct IS NOT NULL,
       TO_JSON_STRING(STRUCT(s, m, c, ct)), NULL) AS own,
    COALESCE(ts - LAG(ts) OVER (PARTITION BY usr ORDER BY ts, rn) > 1800000, TRUE) AS new_visit
  FROM keyed
), visits AS (
  SELECT *, SUM(IF(new_visit, 1, 0)) OVER (PARTITION BY usr ORDER BY ts, rn) AS visit FROM owned
), current_key AS (
  SELECT *,
    LAST_VALUE(own IGNORE NULLS) OVER (PARTITION BY usr, visit ORDER BY ts, rn
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
  FROM visits
), events AS (
  SELECT e.rn, e.usr, e.ts, FALSE AS is_conv,
    COALESCE(
      (SELECT ANY_VALUE(mp.channel) FROM mapping mp
        WHERE LOWER(mp.source) = LOWER(e.s) AND LOWER(mp.medium) = LOWER(e.m)),
      CASE WHEN e.s IS NOT NULL AND e.m IS NOT NULL THEN CONCAT(e.s, ' / ', e.m)
           WHEN e.s IS NOT NULL THEN e.s ELSE '(not set)' END) AS channel,
    refleqt_cal_id(e.ct) AS entry,
    NUMERIC '0' AS revenue
  FROM current_key e
  WHERE e.own IS NOT NULL AND (e.new_visit OR e.before IS DISTINCT FROM e.own)
  UNION ALL
  SELECT rn, usr, ts, TRUE, NULL, NULL, revenue FROM keyed WHERE purchase
), seq AS (
  SELECT usr, ts, is_conv, channel, entry, revenue,
    ROW_NUMBER() OVER (PARTITION BY usr ORDER BY ts, is_conv, rn) AS seq,
    COALESCE(SUM(IF(is_conv, 1, 0)) OVER (PARTITION BY usr ORDER BY ts, is_conv, rn
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS seg,
    SUM(IF(is_conv, 1, 0)) OVER (PARTITION BY usr) AS n_conv
  FROM events
), convs AS (
  SELECT usr, seg, ts AS end_ts, revenue FROM seq WHERE is_conv
), in_window AS (
  SELECT c.usr, c.seg, t.seq, t.channel, t.entry
  FROM convs c JOIN seq t ON t.usr = c.usr AND t.seg = c.seg AND NOT t.is_conv
  -- the engine's lookback: days × 86,400,000 ms, truncated
  WHERE c.end_ts - t.ts <= CAST(TRUNC(GREATEST(lookback_days, 0) * 86400000) AS INT64)
), conv_paths AS (
  SELECT usr, seg,
    STRING_AGG(channel, '>' ORDER BY seq) AS path,
    STRING_AGG(COALESCE(entry, ''), '>' ORDER BY seq) AS entries,
    LOGICAL_OR(entry IS NOT NULL) AS has_entry
  FROM in_window GROUP BY usr, seg
), tail AS (
  SELECT usr, seq, ts, channel, entry, MAX(ts) OVER (PARTITION BY usr) AS end_ts
  FROM seq WHERE NOT is_conv AND seg = n_conv
), tail_paths AS (
  SELECT usr,
    STRING_AGG(channel, '>' ORDER BY seq) AS path,
    STRING_AGG(COALESCE(entry, ''), '>' ORDER BY seq) AS entries,
    LOGICAL_OR(entry IS NOT NULL) AS has_entry
  FROM tail
  WHERE end_ts - ts <= CAST(TRUNC(GREATEST(lookback_days, 0) * 86400000) AS INT64)
  GROUP BY usr
), journeys AS (
  SELECT COALESCE(p.path, '(direct)') AS path,
    IF(p.has_entry, p.entries, NULL) AS entries,
    1 AS conversions, c.revenue AS revenue, 0 AS nulls
  FROM convs c LEFT JOIN conv_paths p USING (usr, seg)
  UNION ALL
  SELECT path, IF(has_entry, entries, NULL), 0, NUMERIC '0', 1
  FROM tail_paths
), grouped AS (
  SELECT path, entries,
    SUM(conversions) AS conversions, SUM(revenue) AS revenue, SUM(nulls) AS nulls
  FROM journeys GROUP BY path, entries
)
SELECT
  -- the formula guard of crates/engine/src/csv_out.rs, as `refleqt paths` writes it
  IF(REGEXP_CONTAINS(path, r'^[=+\-@\t\r]')
     AND NOT REGEXP_CONTAINS(path, r'^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$'),
     CONCAT("'", path), path) AS path,
  conversions AS total_conversions,
  CAST(revenue AS STRING) AS total_conversion_value,
  nulls AS total_null,
  entries AS path_entries,
  -- sort key of the written file (most journeys first, then path and entries as bytes)
  ROW_NUMBER() OVER (ORDER BY conversions + nulls DESC, CAST(path AS BYTES), CAST(COALESCE(entries, '') AS BYTES)) AS row_order
FROM grouped;

-- The file, in the engine's row order (download the result as CSV; drop row_order or keep it,
-- the app ignores unknown columns):
SELECT * EXCEPT (row_order)
FROM `my-project.analytics_123456.refleqt_path_table`
ORDER BY row_order;

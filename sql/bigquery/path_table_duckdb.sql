-- Refleqt: GA4 BigQuery export → path table, the DuckDB twin of sql/bigquery/path_table.sql.
--
-- The same query in DuckDB's dialect, step for step (the same CTEs, except that the journey
-- part finds the non-converting tail by an anti-join, faster in DuckDB, where the BigQuery
-- file counts conversions per user), so that it can be run and tested without BigQuery:
-- tests/warehouse/check.mjs runs THIS file on a GA4-schema Parquet fixture and checks that
-- it gives exactly the path table `refleqt paths` builds from the same events (the engine's
-- GA4 BigQuery import, crates/engine/src/imports/ga4.rs).
-- It also runs on a real export copied out of BigQuery (EXPORT DATA … FORMAT = PARQUET).
--
-- PARAMETERS (set before `.read`):
--   SET VARIABLE refleqt_lookback_days = 30;
--   a view `refleqt_ga4_events` with the export's columns user_pseudo_id, event_timestamp
--   (INT64 microseconds), event_name, event_params (LIST of STRUCT(key, value STRUCT(
--   string_value, …))), collected_traffic_source (STRUCT with manual_source, manual_medium,
--   manual_campaign_name, manual_content), ecommerce (STRUCT with purchase_revenue), and
--   `rn`: the order of events at the same microsecond (file order; for Parquet
--   read_parquet(…, file_row_number = true) and file_row_number AS rn).
--   The channel mapping below is the app's default (crates/engine/src/links.rs); edit the
--   VALUES list to match Settings → channel mapping.
--
-- WHAT IT PRODUCES and HOW TO RUN: as sql/duckdb/path_table.sql (view refleqt_path_table;
--   COPY (FROM refleqt_path_table) TO 'paths.csv' (HEADER, DELIMITER ',')).
--
-- MAPPING (the engine's GA4 import): an event's source, medium, campaign and content are its
-- collected_traffic_source manual_* fields, each falling back to the same utm_* parameter of
-- its page_location; values like '(not set)', '(direct)', '(none)' count as absent. A visit
-- is a run of the user's events with gaps of at most 30 minutes. A touch is an event with a
-- source key that starts a visit or changes the visit's key; its channel is the mapping's
-- channel with that source and medium, else 'source / medium' (or the source alone), else
-- '(not set)'; its calendar entry is cal-<id> in the content. Conversions are the purchase
-- and in_app_purchase events, with ecommerce.purchase_revenue. Then the journey rules of
-- sql/duckdb/path_table.sql.

SET TimeZone = 'UTC';

CREATE OR REPLACE TEMP MACRO refleqt_trim(s) AS
  -- (trim with a character set is slow; most values need none)
  CASE WHEN ascii(s) <= 32 OR ascii(right(s, 1)) <= 32
    THEN trim(s, ' ' || chr(9) || chr(10) || chr(12) || chr(13)) ELSE s END;

-- The engine's key_value: trimmed, and absent when empty or a GA4 placeholder.
CREATE OR REPLACE TEMP MACRO refleqt_key_value(s) AS
  CASE WHEN s IS NULL OR lower(refleqt_trim(s)) IN
    ('', '(not set)', '(none)', '(direct)', '(other)', '--', '(not provided)')
  THEN NULL ELSE refleqt_trim(s) END;

-- The engine's percent_decode (with + as space).
CREATE OR REPLACE TEMP MACRO refleqt_decode(s) AS try(url_decode(replace(s, '+', ' ')));

-- The first non-empty decoded value of parameter `name` in a query string.
CREATE OR REPLACE TEMP MACRO refleqt_param_in(q, name) AS
  list_filter(
    list_transform(string_split_regex(q, '[&;]'), p ->
      CASE WHEN strpos(p, '=') > 0
            AND lower(refleqt_trim(refleqt_decode(p[1:strpos(p, '=') - 1]))) = name
      THEN refleqt_trim(refleqt_decode(p[strpos(p, '=') + 1:])) END),
    x -> x IS NOT NULL AND x <> '')[1];

-- The engine's query_param: the URL's query (a bare `a=b&…` string counts), else its fragment.
CREATE OR REPLACE TEMP MACRO refleqt_query_param(u, name) AS
  coalesce(
    refleqt_param_in(CASE
      WHEN strpos(split_part(refleqt_trim(u), '#', 1), '?') > 0
        THEN split_part(refleqt_trim(u), '#', 1)[strpos(split_part(refleqt_trim(u), '#', 1), '?') + 1:]
      WHEN strpos(split_part(refleqt_trim(u), '#', 1), '://') = 0
           AND strpos(split_part(refleqt_trim(u), '#', 1), '=') > 0
        THEN split_part(refleqt_trim(u), '#', 1)
      ELSE '' END, name),
    refleqt_param_in(CASE WHEN strpos(refleqt_trim(u), '#') > 0
      THEN refleqt_trim(u)[strpos(refleqt_trim(u), '#') + 1:] ELSE '' END, name));

CREATE OR REPLACE TEMP MACRO refleqt_cal_id(v) AS
  TRY_CAST(NULLIF(regexp_extract(try(url_decode(refleqt_trim(v))),
    '^[ \t\n\f\r]*[cC][aA][lL]-([0-9]+)([^A-Za-z0-9]|$)', 1), '') AS UBIGINT);

CREATE OR REPLACE TEMP TABLE refleqt_clean AS
WITH mapping(channel, source, medium) AS (
  VALUES ('Blog / organic', 'blog', 'organic'), ('LinkedIn', 'linkedin', 'social'),
    ('Twitter/X', 'twitter', 'social'), ('Facebook', 'facebook', 'social'),
    ('Instagram', 'instagram', 'social'), ('Email newsletter', 'newsletter', 'email'),
    ('Google Ads', 'google', 'cpc'), ('Meta Ads', 'facebook', 'paid_social'),
    ('LinkedIn Ads', 'linkedin', 'paid_social'), ('Webinar', 'webinar', 'event'),
    ('Podcast', 'podcast', 'audio'), ('YouTube', 'youtube', 'video')
), raw AS (
  SELECT
    rn,
    refleqt_trim(user_pseudo_id) AS usr,
    event_timestamp // 1000 AS ts,
    array_to_string(regexp_extract_all(lower(event_name), '[[:alnum:]]+'), '_') AS name,
    ecommerce.purchase_revenue AS purchase_revenue,
    collected_traffic_source.manual_source AS cts_source,
    collected_traffic_source.manual_medium AS cts_medium,
    collected_traffic_source.manual_campaign_name AS cts_campaign,
    collected_traffic_source.manual_content AS cts_content,
    list_filter(event_params, p -> p.key = 'page_location')[1].value.string_value AS page_location
  FROM refleqt_ga4_events
), keyed AS (
  SELECT rn, usr, ts,
    name IN ('purchase', 'in_app_purchase') AS purchase,
    coalesce(purchase_revenue, 0)::DECIMAL(38, 6) AS revenue,
    coalesce(refleqt_key_value(cts_source), refleqt_key_value(refleqt_query_param(page_location, 'utm_source'))) AS s,
    coalesce(refleqt_key_value(cts_medium), refleqt_key_value(refleqt_query_param(page_location, 'utm_medium'))) AS m,
    coalesce(refleqt_key_value(cts_campaign), refleqt_key_value(refleqt_query_param(page_location, 'utm_campaign'))) AS c,
    coalesce(refleqt_key_value(cts_content), refleqt_key_value(refleqt_query_param(page_location, 'utm_content'))) AS ct
  FROM raw
  WHERE usr IS NOT NULL AND usr <> '' AND name <> '' AND ts IS NOT NULL
), owned AS (
  SELECT *,
    CASE WHEN s IS NOT NULL OR m IS NOT NULL OR c IS NOT NULL OR ct IS NOT NULL
      THEN {'s': s, 'm': m, 'c': c, 'ct': ct} END AS own,
    -- a new visit: the first event of the user or more than 30 minutes after the previous
    coalesce(ts - lag(ts) OVER (PARTITION BY usr ORDER BY ts, rn) > 1800000, true) AS new_visit
  FROM keyed
), visits AS (
  SELECT *, sum(new_visit::INTEGER) OVER (PARTITION BY usr ORDER BY ts, rn) AS visit FROM owned
), current AS (
  SELECT *,
    -- the visit's key before this event
    last_value(own IGNORE NULLS) OVER (PARTITION BY usr, visit ORDER BY ts, rn
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
  FROM visits
), touches AS (
  SELECT e.rn, e.usr, e.ts, false AS is_conv,
    coalesce(
      (SELECT any_value(mp.channel) FROM mapping mp
        WHERE lower(mp.source) = lower(e.s) AND lower(mp.medium) = lower(e.m)
          AND e.s IS NOT NULL AND e.m IS NOT NULL),
      CASE WHEN e.s IS NOT NULL AND e.m IS NOT NULL THEN e.s || ' / ' || e.m
           WHEN e.s IS NOT NULL THEN e.s ELSE '(not set)' END) AS channel,
    refleqt_cal_id(e.ct) AS entry,
    0::DECIMAL(38, 6) AS revenue
  FROM current e
  WHERE e.own IS NOT NULL AND (e.new_visit OR e.before IS DISTINCT FROM e.own)
)
SELECT * FROM touches
UNION ALL
SELECT rn, usr, ts, true, NULL, NULL, revenue FROM keyed WHERE purchase;

-- From here on the same journey rules as sql/duckdb/path_table.sql.
CREATE OR REPLACE TEMP VIEW refleqt_path_table AS
WITH params AS (
  SELECT trunc(greatest(getvariable('refleqt_lookback_days')::DOUBLE, 0) * 86400000.0)::BIGINT AS lb
), seq AS (
  SELECT
    usr, ts, is_conv, channel, entry, revenue,
    row_number() OVER w AS seq,
    coalesce(sum(is_conv::INTEGER) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS seg
  FROM refleqt_clean
  WINDOW w AS (PARTITION BY usr ORDER BY ts, is_conv, rn)
), convs AS (
  SELECT usr, seg, ts AS end_ts, revenue FROM seq WHERE is_conv
), in_window AS (
  SELECT c.usr, c.seg, t.seq, t.channel, t.entry
  FROM convs c JOIN seq t ON t.usr = c.usr AND t.seg = c.seg AND NOT t.is_conv
  WHERE c.end_ts - t.ts <= (SELECT lb FROM params)
), conv_paths AS (
  SELECT usr, seg,
    string_agg(channel, '>' ORDER BY seq) AS path,
    string_agg(coalesce(entry::VARCHAR, ''), '>' ORDER BY seq) AS entries,
    bool_or(entry IS NOT NULL) AS has_entry
  FROM in_window GROUP BY usr, seg
), tail AS (
  -- the touches after the user's last conversion: no conversion closes their segment
  SELECT t.usr, t.seq, t.ts, t.channel, t.entry
  FROM seq t ANTI JOIN convs c ON c.usr = t.usr AND c.seg = t.seg
  WHERE NOT t.is_conv
), tail_end AS (
  SELECT usr, max(ts) AS end_ts FROM tail GROUP BY usr
), tail_paths AS (
  SELECT usr,
    string_agg(channel, '>' ORDER BY seq) AS path,
    string_agg(coalesce(entry::VARCHAR, ''), '>' ORDER BY seq) AS entries,
    bool_or(entry IS NOT NULL) AS has_entry
  FROM tail JOIN tail_end USING (usr)
  WHERE end_ts - ts <= (SELECT lb FROM params) GROUP BY usr
), journeys AS (
  SELECT coalesce(p.path, '(direct)') AS path,
    CASE WHEN p.has_entry THEN p.entries END AS entries,
    1 AS conversions, c.revenue AS revenue, 0 AS nulls
  FROM convs c LEFT JOIN conv_paths p USING (usr, seg)
  UNION ALL
  SELECT path, CASE WHEN has_entry THEN entries END, 0, 0::DECIMAL(38, 6), 1
  FROM tail_paths
), rows AS (
  SELECT path, entries,
    sum(conversions)::BIGINT AS conversions,
    sum(revenue)::DECIMAL(38, 6) AS revenue,
    sum(nulls)::BIGINT AS nulls
  FROM journeys GROUP BY path, entries
)
SELECT
  CASE WHEN regexp_matches(path, '^[=+\-@\t\r]')
        AND NOT regexp_matches(path, '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$')
       THEN '''' || path ELSE path END AS path,
  conversions AS total_conversions,
  rtrim(rtrim(revenue::VARCHAR, '0'), '.') AS total_conversion_value,
  nulls AS total_null,
  entries AS path_entries
FROM rows
ORDER BY conversions + nulls DESC, rows.path, coalesce(entries, '');

-- Refleqt: event log → path table, in DuckDB (1.1 or later; tested with 1.5.6).
--
-- WHAT IT PRODUCES
--   A view `refleqt_path_table` with the ChannelAttribution path-table layout plus our
--   `path_entries` column, exactly what `refleqt paths events.csv` writes (same rows, values
--   and order; tests/warehouse/check.mjs checks it on simulated and awkward data):
--     path                    channel names joined by '>' (oldest touch first)
--     total_conversions       conversions that closed a journey with this path
--     total_conversion_value  their revenue, summed exactly at 6 decimals, no trailing zeros
--     total_null              non-converting journeys with this path
--     path_entries            the calendar entry (cal-<id>) of each step joined by '>', an
--                             empty step for a touch without one; NULL (empty in the CSV)
--                             when no step has one
--   Rows: one per distinct (path, path_entries), most journeys first, then path and
--   path_entries as bytes. Write it with COPY (below) and import that CSV in the app
--   (Attribution or Import page) or run `refleqt attribute paths.csv`.
--
-- JOURNEY RULES (the engine's crates/engine/src/assemble.rs, the same in every detail):
--   per user, events by time; at equal times touches before conversion rows, then file order.
--   Each conversion closes a journey of the user's touches since the previous conversion
--   with `conversion time − touch time ≤ lookback`; older touches are dropped (they do not
--   carry over). A conversion with no touch in its window gets one touch `(direct)`. The
--   touches after a user's last conversion (all of them if the user never converts) form one
--   non-converting journey, trimmed to the lookback of its last touch.
--
-- PARAMETERS (set before `.read`):
--   SET VARIABLE refleqt_lookback_days = 30;     -- days, > 0 (fractions allowed)
--   and a view `refleqt_events` with these columns (VARCHAR or any type that casts):
--     user_id      user id (trimmed; empty rows dropped)
--     timestamp    ISO 8601 (`2025-01-03T14:05:00Z`, `2025-01-03 14:05:00`; no offset = UTC)
--     channel      the touch's channel (trimmed, case-sensitive); with no channel column,
--                  use the source column, as the engine does
--     event        event type: a conversion when, trimmed, lower-cased, spaces and '-' as
--                  '_', it is one of the engine's CONVERSION_EVENTS (below); otherwise a touch
--     revenue      conversions only: plain decimal (point), empty = 0
--     cost         touches only: plain decimal, empty = 0 (a bad or negative cost drops the
--                  touch row, as the engine rejects it; use NULL::VARCHAR AS cost if absent)
--     utm_content  `cal-<id>` gives the touch its calendar entry (NULL::VARCHAR if absent)
--     landing_url  its `utm_content` query parameter when utm_content gives no id
--                  (NULL::VARCHAR if absent)
--   File order is the order DuckDB reads the view's rows (`row_number() OVER ()`, with
--   preserve_insertion_order, DuckDB's default); it only matters for touches at equal times.
--
-- HOW TO RUN (the event-log CSV the app and `refleqt simulate --events` use):
--   duckdb -c "
--     SET VARIABLE refleqt_lookback_days = 30;
--     CREATE VIEW refleqt_events AS
--       SELECT user_id, timestamp, channel, event, revenue, cost, utm_content,
--              NULL::VARCHAR AS landing_url
--       FROM read_csv('events.csv', all_varchar = true, header = true);
--     .read sql/duckdb/path_table.sql
--     COPY (FROM refleqt_path_table) TO 'paths.csv' (HEADER, DELIMITER ',');"
--   Parquet: FROM read_parquet('events/*.parquet') in the view instead (order the view by
--   file and file_row_number if ties at equal times matter).
--
-- WHERE IT DIFFERS FROM THE ENGINE'S PARSER (input the SQL does not read as the engine does):
--   amounts with currency signs, thousands separators or a decimal comma (the SQL drops such
--   rows; the engine reads them); timestamps other than ISO 8601 (epoch numbers, US dates);
--   a converting-touch flag column (write a touch row and a conversion row instead, which is
--   the same unless other touches share that exact time); channel names containing '>'
--   (`refleqt paths` refuses them, the SQL would split them).

SET TimeZone = 'UTC';

-- Whitespace as Rust's trim_ascii sees it.
CREATE OR REPLACE TEMP MACRO refleqt_trim(s) AS
  -- (trim with a character set is slow; most values need none)
  CASE WHEN ascii(s) <= 32 OR ascii(right(s, 1)) <= 32
    THEN trim(s, ' ' || chr(9) || chr(10) || chr(12) || chr(13)) ELSE s END;

-- `cal-<id>` at the start of a utm_content value (crates/engine/src/utm.rs): escapes decoded,
-- surrounding whitespace ignored, `cal-` in any case, the digits must end the value or be
-- followed by a character that is not a letter or digit, at most u64::MAX.
CREATE OR REPLACE TEMP MACRO refleqt_cal_id(v) AS
  TRY_CAST(NULLIF(regexp_extract(try(url_decode(refleqt_trim(v))),
    '^[ \t\n\f\r]*[cC][aA][lL]-([0-9]+)([^A-Za-z0-9]|$)', 1), '') AS UBIGINT);

-- The same inside a URL's query string (failing that its fragment): pairs split on & or ;,
-- the first `utm_content` key (case-insensitive, decoded with + as space) holding an id wins.
CREATE OR REPLACE TEMP MACRO refleqt_query_cal_id(q) AS
  list_filter(
    list_transform(string_split_regex(q, '[&;]'), p ->
      CASE WHEN strpos(p, '=') > 0
            AND lower(refleqt_trim(try(url_decode(replace(p[1:strpos(p, '=') - 1], '+', ' ')))))
                = 'utm_content'
      THEN TRY_CAST(NULLIF(regexp_extract(
             try(url_decode(replace(p[strpos(p, '=') + 1:], '+', ' '))),
             '^[ \t\n\f\r]*[cC][aA][lL]-([0-9]+)([^A-Za-z0-9]|$)', 1), '') AS UBIGINT)
      END),
    x -> x IS NOT NULL)[1];

CREATE OR REPLACE TEMP MACRO refleqt_url_cal_id(u) AS
  coalesce(
    refleqt_query_cal_id(CASE
      WHEN strpos(split_part(refleqt_trim(u), '#', 1), '?') > 0
        THEN split_part(split_part(refleqt_trim(u), '#', 1), '?', 2)
      WHEN strpos(split_part(refleqt_trim(u), '#', 1), '://') = 0
        THEN split_part(refleqt_trim(u), '#', 1)
      ELSE '' END),
    refleqt_query_cal_id(CASE WHEN strpos(refleqt_trim(u), '#') > 0
      THEN refleqt_trim(u)[strpos(refleqt_trim(u), '#') + 1:] ELSE '' END));

CREATE OR REPLACE TEMP TABLE refleqt_clean AS
WITH raw AS (
  SELECT row_number() OVER () AS rn, * FROM refleqt_events
), typed AS (
  SELECT
    rn,
    refleqt_trim(user_id::VARCHAR) AS usr,
    epoch_ms(TRY_CAST(refleqt_trim("timestamp"::VARCHAR) AS TIMESTAMPTZ)) AS ts,
    coalesce(replace(replace(lower(refleqt_trim(event::VARCHAR)), ' ', '_'), '-', '_') IN (
      'conversion', 'conversions', 'convert', 'converted', 'purchase', 'purchased',
      'ecommerce_purchase', 'in_app_purchase', 'order', 'order_completed',
      'checkout_completed', 'transaction', 'sale', 'sign_up', 'signup', 'registration',
      'complete_registration', 'lead', 'generate_lead', 'subscribe', 'subscription',
      'start_trial', 'goal', 'goal_completion'), false) AS is_conv,
    refleqt_trim(channel::VARCHAR) AS channel,
    coalesce(refleqt_trim(revenue::VARCHAR), '') AS revenue_text,
    coalesce(refleqt_trim(cost::VARCHAR), '') AS cost_text,
    utm_content::VARCHAR AS utm_content,
    landing_url::VARCHAR AS landing_url
  FROM raw
)
SELECT
  rn, usr, ts, is_conv,
  CASE WHEN is_conv THEN NULL ELSE channel END AS channel,
  CASE WHEN is_conv THEN NULL
       ELSE coalesce(refleqt_cal_id(utm_content), refleqt_url_cal_id(landing_url)) END AS entry,
  CASE WHEN NOT is_conv THEN 0::DECIMAL(38, 6)
       WHEN revenue_text = '' THEN 0::DECIMAL(38, 6)
       ELSE TRY_CAST(revenue_text AS DECIMAL(38, 6)) END AS revenue
FROM typed
WHERE usr IS NOT NULL AND usr <> ''
  AND ts IS NOT NULL
  -- a conversion needs a readable, non-negative revenue
  AND (NOT is_conv OR revenue_text = ''
       OR coalesce(TRY_CAST(revenue_text AS DECIMAL(38, 6)) >= 0, false))
  -- a touch needs a channel and a readable, non-negative cost
  AND (is_conv OR (channel IS NOT NULL AND channel <> ''
       AND (cost_text = '' OR coalesce(isfinite(TRY_CAST(cost_text AS DOUBLE))
                                       AND TRY_CAST(cost_text AS DOUBLE) >= 0, false))));

CREATE OR REPLACE TEMP VIEW refleqt_path_table AS
WITH params AS (
  -- The engine's JourneyOptions::lookback_ms: days × 86,400,000, truncated.
  SELECT trunc(greatest(getvariable('refleqt_lookback_days')::DOUBLE, 0) * 86400000.0)::BIGINT AS lb
), seq AS (
  SELECT
    usr, ts, is_conv, channel, entry, revenue,
    row_number() OVER w AS seq,
    -- journey number within the user: conversions before this event
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
  -- the formula guard of crates/engine/src/csv_out.rs, as `refleqt paths` writes it
  CASE WHEN regexp_matches(path, '^[=+\-@\t\r]')
        AND NOT regexp_matches(path, '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$')
       THEN '''' || path ELSE path END AS path,
  conversions AS total_conversions,
  rtrim(rtrim(revenue::VARCHAR, '0'), '.') AS total_conversion_value,
  nulls AS total_null,
  entries AS path_entries
FROM rows
ORDER BY conversions + nulls DESC, rows.path, coalesce(entries, '');

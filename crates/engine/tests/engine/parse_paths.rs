//! Aggregated path tables (ChannelAttribution layout).

use refleqt_engine::parse::{
    parse_path_table, Delimiter, Field, ParseError, PathTable, PathTableOptions, RowError,
    RowReason,
};

fn parse(csv: &str) -> PathTable {
    parse_with(csv, &PathTableOptions::default())
}

fn parse_with(csv: &str, opts: &PathTableOptions) -> PathTable {
    match parse_path_table(csv.as_bytes(), opts) {
        Ok(t) => t,
        Err(e) => panic!("parse failed: {e}"),
    }
}

/// (channel names, conversions, revenue, nulls)
fn journeys(t: &PathTable) -> Vec<(Vec<String>, f64, f64, f64)> {
    t.set
        .iter()
        .map(|j| {
            (
                j.touches
                    .iter()
                    .map(|x| t.set.channels.name(x.channel).to_owned())
                    .collect(),
                j.conversions,
                j.revenue,
                j.nulls,
            )
        })
        .collect()
}

fn names(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| (*x).to_owned()).collect()
}

#[test]
fn channelattribution_layout() {
    let t = parse(
        "path,total_conversions,total_conversion_value,total_null\n\
         a > b > c,12,340.5,88\n\
         b,0,0,5\n\
         c>a,1.5,10,0\n",
    );
    assert_eq!(
        journeys(&t),
        vec![
            (names(&["a", "b", "c"]), 12.0, 340.5, 88.0),
            (names(&["b"]), 0.0, 0.0, 5.0),
            (names(&["c", "a"]), 1.5, 10.0, 0.0),
        ]
    );
    assert!(!t.set.timed);
    assert_eq!(t.set.channels.names(), ["a", "b", "c"]);
    for j in t.set.iter() {
        assert_eq!(j.end_ms, None);
        for x in j.touches {
            assert!(x.age_secs.is_nan());
            assert_eq!(x.entry, None);
        }
    }
    assert_eq!(t.set.total_conversions(), 13.5);
    assert_eq!(t.set.total_revenue(), 350.5);
    assert_eq!(t.set.total_nulls(), 93.0);
    assert_eq!(t.report.accepted, 3);
    assert_eq!(t.report.rejected_count, 0);
    assert_eq!(
        t.report
            .columns
            .iter()
            .map(|c| (c.field, c.header.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (Field::Path, "path"),
            (Field::Conversions, "total_conversions"),
            (Field::ConversionValue, "total_conversion_value"),
            (Field::Nulls, "total_null"),
        ]
    );
}

#[test]
fn optional_columns_default_to_zero() {
    let t = parse("Path,Conversions\nx > y,3\n");
    assert_eq!(journeys(&t), vec![(names(&["x", "y"]), 3.0, 0.0, 0.0)]);
    assert_eq!(t.report.column(Field::Nulls), None);
}

#[test]
fn fixture_with_semicolons_crlf_and_decimal_commas() {
    let bytes = include_bytes!("../fixtures/channelattribution_paths.csv");
    let t = parse_path_table(bytes, &PathTableOptions::default()).unwrap();
    assert_eq!(t.report.delimiter, ';');
    assert_eq!(
        journeys(&t),
        vec![
            (names(&["Facebook", "Google"]), 2.0, 130.5, 10.0),
            (names(&["Email"]), 0.0, 0.0, 4.0),
            (names(&["Google", "Direct", "Google"]), 1.0, 20.0, 0.0),
        ]
    );
}

#[test]
fn separators_are_configurable() {
    let opts = PathTableOptions {
        delimiter: Some(Delimiter::TAB),
        path_separator: "->".into(),
        ..Default::default()
    };
    let t = parse_with(
        "path\ttotal_conversions\ttotal_null\n Paid Search -> Email ->Direct \t2\t1\n",
        &opts,
    );
    assert_eq!(
        journeys(&t),
        vec![(names(&["Paid Search", "Email", "Direct"]), 2.0, 0.0, 1.0)]
    );
    // With a comma as the path separator the path is quoted in a comma-delimited file.
    let opts = PathTableOptions {
        path_separator: ",".into(),
        ..Default::default()
    };
    let t = parse_with("path,total_conversions\n\"a, b,c\",1\n", &opts);
    assert_eq!(journeys(&t), vec![(names(&["a", "b", "c"]), 1.0, 0.0, 0.0)]);
    // '>' inside a name is just a character when the separator is something else.
    let opts = PathTableOptions {
        path_separator: " | ".into(),
        ..Default::default()
    };
    let t = parse_with("path,total_conversions\na>b | c,1\n", &opts);
    assert_eq!(journeys(&t), vec![(names(&["a>b", "c"]), 1.0, 0.0, 0.0)]);
}

#[test]
fn rejected_rows() {
    let t = parse(
        "path,total_conversions,total_conversion_value,total_null\n\
         a > b,1,10,0\n\
         ,3,0,0\n\
         a > > b,1,0,0\n\
         a >,1,0,0\n\
         a,-1,0,0\n\
         a,1,lots,0\n\
         a,1,0\n\
         a,1,0,x\n\
         ,0,0,7\n",
    );
    let reject = |line, column: Option<&str>, reason| RowError {
        line,
        column: column.map(str::to_owned),
        reason,
    };
    assert_eq!(
        t.report.rejected,
        vec![
            reject(
                3,
                Some("path"),
                RowReason::EmptyPathWithConversions { conversions: 3.0 }
            ),
            reject(4, Some("path"), RowReason::EmptyPathStep { position: 2 }),
            reject(5, Some("path"), RowReason::EmptyPathStep { position: 2 }),
            reject(
                6,
                Some("total_conversions"),
                RowReason::Negative { value: "-1".into() }
            ),
            reject(
                7,
                Some("total_conversion_value"),
                RowReason::NotANumber {
                    value: "lots".into()
                }
            ),
            reject(
                8,
                None,
                RowReason::FieldCount {
                    expected: 4,
                    found: 3
                }
            ),
            reject(
                9,
                Some("total_null"),
                RowReason::NotANumber { value: "x".into() }
            ),
        ]
    );
    assert_eq!(
        t.report.rejected[0].to_string(),
        "line 3, column \"path\": the path is empty but the row has 3 conversions"
    );
    // The empty path without conversions is kept as a journey without touches.
    assert_eq!(
        journeys(&t),
        vec![
            (names(&["a", "b"]), 1.0, 10.0, 0.0),
            (vec![], 0.0, 0.0, 7.0)
        ]
    );
    assert_eq!(t.report.accepted, 2);
    assert_eq!(t.report.data_rows(), 9);
    // Rejected rows add no channels.
    assert_eq!(t.set.channels.names(), ["a", "b"]);
}

#[test]
fn fatal_errors() {
    let err = parse_path_table(b"journey_id,count\n1,2\n", &Default::default());
    let Err(ParseError::MissingColumns { missing, found }) = err else {
        panic!("{err:?}");
    };
    assert_eq!(missing, vec![Field::Path, Field::Conversions]);
    assert_eq!(found, vec!["journey_id", "count"]);
    assert_eq!(
        parse_path_table(
            b"path,conversions\n",
            &PathTableOptions {
                path_separator: String::new(),
                ..Default::default()
            }
        ),
        Err(ParseError::EmptyPathSeparator)
    );
    assert_eq!(
        parse_path_table(b"", &Default::default()),
        Err(ParseError::NoHeader)
    );
    let t = parse("path,total_conversions\n");
    assert!(t.set.is_empty());
}

/// (channel names, entries) of each journey.
fn steps(t: &PathTable) -> Vec<Vec<(String, Option<u64>)>> {
    t.set
        .iter()
        .map(|j| {
            j.touches
                .iter()
                .map(|x| (t.set.channels.name(x.channel).to_owned(), x.entry))
                .collect()
        })
        .collect()
}

#[test]
fn path_entries_column_gives_touches_their_calendar_entries() {
    let t = parse(
        "path,total_conversions,total_conversion_value,total_null,path_entries\n\
         email>search>email,2,30,0,12>>0007\n\
         search,1,5,0,\n\
         email > search,0,0,3, > 9 \n",
    );
    assert_eq!(t.report.rejected_count, 0);
    assert_eq!(
        t.report
            .column(Field::PathEntries)
            .map(|c| c.header.as_str()),
        Some("path_entries")
    );
    let s = |c: &str, e: Option<u64>| (c.to_owned(), e);
    assert_eq!(
        steps(&t),
        vec![
            vec![s("email", Some(12)), s("search", None), s("email", Some(7))],
            vec![s("search", None)],
            vec![s("email", None), s("search", Some(9))],
        ]
    );
}

#[test]
fn path_entries_that_do_not_fit_the_path_reject_their_row() {
    let t = parse(
        "path;total_conversions;path_entries\n\
         a>b;1;1>2>3\n\
         a>b;1;1>x\n\
         a>b;1;1>-2\n\
         a;1;99999999999999999999\n\
         c;1;4\n",
    );
    let reject = |line, column: Option<&str>, reason| RowError {
        line,
        column: column.map(str::to_owned),
        reason,
    };
    assert_eq!(t.report.accepted, 1);
    assert_eq!(
        t.report.rejected,
        vec![
            reject(
                2,
                Some("path_entries"),
                RowReason::EntryCount {
                    steps: 2,
                    entries: 3
                }
            ),
            reject(
                3,
                Some("path_entries"),
                RowReason::BadEntry {
                    position: 2,
                    value: "x".into()
                }
            ),
            reject(
                4,
                Some("path_entries"),
                RowReason::BadEntry {
                    position: 2,
                    value: "-2".into()
                }
            ),
            reject(
                5,
                Some("path_entries"),
                RowReason::BadEntry {
                    position: 1,
                    value: "99999999999999999999".into()
                }
            ),
        ]
    );
    // A rejected row adds no channel.
    assert_eq!(t.set.channels.names(), ["c"]);
}

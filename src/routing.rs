//! Routes of the app and their parsing from the URL fragment (`#/calendar` → [`Route`]).
//!
//! The app routes on the fragment, not the path, so the static build works from any folder of any
//! static host or CDN (no server rewrite rules, reload always lands on `index.html`).

/// A page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    /// The list of calendar entries.
    Calendar,
    /// The form for a new entry.
    NewEntry,
    /// One entry with its performance data.
    Entry(u64),
    /// The form editing an entry.
    EditEntry(u64),
    Settings,
    /// Imports of platform exports and event logs; the stored data sets.
    Import,
    /// Connections to providers: Connect, Pull, Disconnect (issue 9).
    Connections,
    /// The attribution workbench: every model side by side.
    Attribution,
    /// Channel, campaign and prediction dashboards; the journey explorer.
    Dashboards,
    /// Anomaly alerts: results outside their predicted range.
    Alerts,
    /// The cross-channel journey map: timelines with per-touch credit, the channel graph.
    Journeys,
    /// Creator reputation: shrunk scores with intervals, ranks and trends.
    Creators,
    /// The patterns in the history: artifact clusters, posting times, customer segments.
    Insights,
    /// Planning beliefs with their scores and evidence.
    Beliefs,
    /// Recorded A/B tests, their analysis and insights.
    AbTests,
    /// Any fragment that names no page; carries what was asked for.
    NotFound(String),
}

/// A page shown in the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
}

/// The pages in the navigation bar, in order. Only pages that do something real are listed.
pub const NAV: &[NavItem] = &[
    NavItem {
        label: "Overview",
        href: "#/",
    },
    NavItem {
        label: "Calendar",
        href: "#/calendar",
    },
    NavItem {
        label: "Attribution",
        href: "#/attribution",
    },
    NavItem {
        label: "Dashboards",
        href: "#/dashboards",
    },
    NavItem {
        label: "Journeys",
        href: "#/journeys",
    },
    NavItem {
        label: "Creators",
        href: "#/creators",
    },
    NavItem {
        label: "Insights",
        href: "#/insights",
    },
    NavItem {
        label: "Alerts",
        href: "#/alerts",
    },
    NavItem {
        label: "Beliefs",
        href: "#/beliefs",
    },
    NavItem {
        label: "A/B tests",
        href: "#/ab-tests",
    },
    NavItem {
        label: "Import",
        href: "#/import",
    },
    NavItem {
        label: "Connections",
        href: "#/connections",
    },
    NavItem {
        label: "Settings",
        href: "#/settings",
    },
];

/// The value of `key` in a fragment's query (`#/calendar/new?date=2025-03-04`), as written.
pub fn query_param(hash: &str, key: &str) -> Option<String> {
    let query = hash.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_owned())
}

/// An entry id in a path: digits only, no leading zero, fits in `u64`.
fn entry_id(text: &str) -> Option<u64> {
    if text.is_empty() || text.starts_with('0') || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

impl Route {
    /// Parse a `location.hash` value such as `""`, `"#"`, `"#/"` or `"#/calendar?x=1"`.
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#');
        let path = path.split(['?', '#']).next().unwrap_or("");
        let trimmed = path.trim_matches('/');
        let parts: Vec<&str> = trimmed.split('/').collect();
        match parts.as_slice() {
            [""] => Route::Home,
            ["calendar"] => Route::Calendar,
            ["calendar", "new"] => Route::NewEntry,
            ["settings"] => Route::Settings,
            ["import"] => Route::Import,
            ["connections"] => Route::Connections,
            ["attribution"] => Route::Attribution,
            ["dashboards"] => Route::Dashboards,
            ["alerts"] => Route::Alerts,
            ["journeys"] => Route::Journeys,
            ["creators"] => Route::Creators,
            ["insights"] => Route::Insights,
            ["beliefs"] => Route::Beliefs,
            ["ab-tests"] => Route::AbTests,
            ["entry", id] => {
                entry_id(id).map_or_else(|| Route::NotFound(trimmed.to_owned()), Route::Entry)
            }
            ["entry", id, "edit"] => {
                entry_id(id).map_or_else(|| Route::NotFound(trimmed.to_owned()), Route::EditEntry)
            }
            _ => Route::NotFound(trimmed.to_owned()),
        }
    }

    /// The fragment that leads to this route.
    pub fn href(&self) -> String {
        match self {
            Route::Home => "#/".to_owned(),
            Route::Calendar => "#/calendar".to_owned(),
            Route::NewEntry => "#/calendar/new".to_owned(),
            Route::Entry(id) => format!("#/entry/{id}"),
            Route::EditEntry(id) => format!("#/entry/{id}/edit"),
            Route::Settings => "#/settings".to_owned(),
            Route::Import => "#/import".to_owned(),
            Route::Connections => "#/connections".to_owned(),
            Route::Attribution => "#/attribution".to_owned(),
            Route::Dashboards => "#/dashboards".to_owned(),
            Route::Alerts => "#/alerts".to_owned(),
            Route::Journeys => "#/journeys".to_owned(),
            Route::Creators => "#/creators".to_owned(),
            Route::Insights => "#/insights".to_owned(),
            Route::Beliefs => "#/beliefs".to_owned(),
            Route::AbTests => "#/ab-tests".to_owned(),
            Route::NotFound(p) => format!("#/{p}"),
        }
    }

    /// The document title for this route.
    pub fn title(&self) -> String {
        match self {
            Route::Home => "Refleqt Attribution".to_owned(),
            Route::Calendar => "Calendar · Refleqt Attribution".to_owned(),
            Route::NewEntry => "New entry · Refleqt Attribution".to_owned(),
            Route::Entry(id) => format!("Entry {id} · Refleqt Attribution"),
            Route::EditEntry(id) => format!("Edit entry {id} · Refleqt Attribution"),
            Route::Settings => "Settings · Refleqt Attribution".to_owned(),
            Route::Import => "Import · Refleqt Attribution".to_owned(),
            Route::Connections => "Connections · Refleqt Attribution".to_owned(),
            Route::Attribution => "Attribution · Refleqt Attribution".to_owned(),
            Route::Dashboards => "Dashboards · Refleqt Attribution".to_owned(),
            Route::Alerts => "Alerts · Refleqt Attribution".to_owned(),
            Route::Journeys => "Journey map · Refleqt Attribution".to_owned(),
            Route::Creators => "Creators · Refleqt Attribution".to_owned(),
            Route::Insights => "Insights · Refleqt Attribution".to_owned(),
            Route::Beliefs => "Beliefs · Refleqt Attribution".to_owned(),
            Route::AbTests => "A/B tests · Refleqt Attribution".to_owned(),
            Route::NotFound(_) => "Page not found · Refleqt Attribution".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(hash: &str, expected: Route) {
        assert_eq!(Route::from_hash(hash), expected, "hash {hash:?}");
    }

    #[test]
    fn empty_and_root_fragments_are_home() {
        check("", Route::Home);
        check("#", Route::Home);
        check("#/", Route::Home);
        check("#//", Route::Home);
        check("#/?utm_source=x", Route::Home);
    }

    #[test]
    fn unknown_fragments_are_not_found_and_keep_the_path() {
        check("#/nope", Route::NotFound("nope".into()));
        check("#/a/b/", Route::NotFound("a/b".into()));
    }

    #[test]
    fn pages_and_entry_ids() {
        check("#/calendar", Route::Calendar);
        check("#/calendar/", Route::Calendar);
        check("#/calendar/new", Route::NewEntry);
        check("#/settings?x=1", Route::Settings);
        check("#/import", Route::Import);
        check("#/attribution", Route::Attribution);
        check("#/dashboards/", Route::Dashboards);
        check("#/alerts", Route::Alerts);
        check("#/journeys", Route::Journeys);
        check("#/creators/", Route::Creators);
        check("#/insights/", Route::Insights);
        check("#/beliefs", Route::Beliefs);
        check("#/ab-tests/", Route::AbTests);
        check("#/entry/42", Route::Entry(42));
        check("#/entry/42/edit", Route::EditEntry(42));
        check("#/entry/0", Route::NotFound("entry/0".into()));
        check("#/entry/007", Route::NotFound("entry/007".into()));
        check("#/entry/-1", Route::NotFound("entry/-1".into()));
        check("#/entry/abc", Route::NotFound("entry/abc".into()));
        check(
            "#/entry/99999999999999999999999",
            Route::NotFound("entry/99999999999999999999999".into()),
        );
        check("#/entry/4/delete", Route::NotFound("entry/4/delete".into()));
    }

    #[test]
    fn href_round_trips() {
        for r in [
            Route::Home,
            Route::Calendar,
            Route::NewEntry,
            Route::Entry(7),
            Route::EditEntry(12),
            Route::Settings,
            Route::Import,
            Route::Attribution,
            Route::Dashboards,
            Route::Alerts,
            Route::Journeys,
            Route::Creators,
            Route::Insights,
            Route::Beliefs,
            Route::AbTests,
            Route::NotFound("x/y".into()),
        ] {
            assert_eq!(Route::from_hash(&r.href()), r);
        }
    }

    #[test]
    fn every_nav_item_leads_to_a_real_page() {
        assert_eq!(
            query_param("#/calendar/new?date=2025-03-04", "date").as_deref(),
            Some("2025-03-04")
        );
        assert_eq!(
            query_param("#/calendar/new?x=1&date=2", "date").as_deref(),
            Some("2")
        );
        assert_eq!(query_param("#/calendar/new", "date"), None);
        for item in NAV {
            assert!(
                !matches!(Route::from_hash(item.href), Route::NotFound(_)),
                "{} is not a page",
                item.href
            );
        }
    }
}

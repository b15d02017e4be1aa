//! Routes of the app and their parsing from the URL fragment (`#/calendar` → [`Route`]).
//!
//! The app routes on the fragment, not the path, so the static build works from any folder of any
//! static host or CDN (no server rewrite rules, reload always lands on `index.html`).

/// A page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
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
pub const NAV: &[NavItem] = &[NavItem {
    label: "Overview",
    href: "#/",
}];

impl Route {
    /// Parse a `location.hash` value such as `""`, `"#"`, `"#/"` or `"#/calendar?x=1"`.
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#');
        let path = path.split(['?', '#']).next().unwrap_or("");
        let trimmed = path.trim_matches('/');
        match trimmed {
            "" => Route::Home,
            other => Route::NotFound(other.to_owned()),
        }
    }

    /// The fragment that leads to this route.
    pub fn href(&self) -> String {
        match self {
            Route::Home => "#/".to_owned(),
            Route::NotFound(p) => format!("#/{p}"),
        }
    }

    /// The document title for this route.
    pub fn title(&self) -> String {
        match self {
            Route::Home => "Refleqt Attribution".to_owned(),
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
    fn href_round_trips() {
        for r in [Route::Home, Route::NotFound("x/y".into())] {
            assert_eq!(Route::from_hash(&r.href()), r);
        }
    }

    #[test]
    fn every_nav_item_leads_to_a_real_page() {
        for item in NAV {
            assert!(
                !matches!(Route::from_hash(item.href), Route::NotFound(_)),
                "{} is not a page",
                item.href
            );
        }
    }
}

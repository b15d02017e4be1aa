//! UTM links: the spec's example, destination handling, governance, and build → match back.

use proptest::prelude::*;
use refleqt_engine::links::{
    build_url, check, default_channel_mapping, slug, LinkError, UtmParams, Warning,
};
use refleqt_engine::percent::percent_decode;
use refleqt_engine::utm::entry_id_from_url;

fn params(entry: u64, channel: &str, campaign: &str) -> UtmParams {
    UtmParams::for_entry(&default_channel_mapping(), entry, channel, campaign)
}

#[test]
fn the_spec_example_comes_out_exactly() {
    let url = build_url(
        "https://yoursite.com/blog/post",
        &params(4782, "LinkedIn", "Q2-2025-Brand"),
    )
    .expect("valid destination");
    assert_eq!(
        url,
        "https://yoursite.com/blog/post?utm_source=linkedin&utm_medium=social&utm_campaign=q2-2025-brand&utm_content=cal-4782"
    );
}

#[test]
fn default_mapping_follows_the_issue() {
    let p = |c: &str| {
        let x = params(1, c, "x");
        (x.source, x.medium)
    };
    assert_eq!(p("LinkedIn"), ("linkedin".into(), "social".into()));
    assert_eq!(p("email newsletter"), ("newsletter".into(), "email".into()));
    assert_eq!(p("Google Ads"), ("google".into(), "cpc".into()));
    assert_eq!(p("Meta Ads"), ("facebook".into(), "paid_social".into()));
    assert_eq!(
        p("Carrier Pigeon"),
        ("carrier-pigeon".into(), "referral".into())
    );
}

#[test]
fn slugs() {
    for (name, want) in [
        ("Q2-2025-Brand", "q2-2025-brand"),
        ("  Spring  Webinar: Series! ", "spring-webinar-series"),
        ("a__b..c", "a-b-c"),
        ("---", ""),
        ("Été 2025", "été-2025"),
    ] {
        assert_eq!(slug(name), want, "{name:?}");
    }
}

#[test]
fn keeps_query_and_fragment_and_replaces_stale_utm_parameters() {
    let mut p = params(7, "Google Ads", "Launch");
    p.term = Some("running shoes".into());
    p.id = Some("abc".into());
    let url = build_url(
        "https://shop.example/p?color=red&UTM_SOURCE=old&utm_content=cal-1&size=m#reviews",
        &p,
    )
    .expect("valid");
    assert_eq!(
        url,
        "https://shop.example/p?color=red&size=m&utm_source=google&utm_medium=cpc&utm_campaign=launch&utm_term=running%20shoes&utm_content=cal-7&utm_id=abc#reviews"
    );
    assert_eq!(entry_id_from_url(&url), Some(7));
}

#[test]
fn bad_destinations_are_typed_errors() {
    let p = params(1, "LinkedIn", "x");
    assert_eq!(build_url("  ", &p), Err(LinkError::Empty));
    assert!(matches!(
        build_url("yoursite.com/page", &p),
        Err(LinkError::NotAUrl(_))
    ));
    assert!(matches!(
        build_url("https:///nohost", &p),
        Err(LinkError::NotAUrl(_))
    ));
    assert!(matches!(
        build_url("https://a.com/a b", &p),
        Err(LinkError::BadCharacter(_))
    ));
}

#[test]
fn governance_warnings() {
    let mut p = params(3, "LinkedIn", "Brand");
    p.source = "LinkedIn".into();
    p.medium = "paid social".into();
    let w = check("ftp://x.com/?a=1&A=2&b=3", &p, "Brand", &["brand", "Other"]);
    assert!(w.contains(&Warning::Uppercase {
        parameter: "utm_source".into(),
        value: "LinkedIn".into()
    }));
    assert!(w.contains(&Warning::Spaces {
        parameter: "utm_medium".into(),
        value: "paid social".into()
    }));
    assert!(w.contains(&Warning::DuplicateParameter {
        parameter: "a".into()
    }));
    assert!(w.contains(&Warning::NotHttp {
        scheme: "ftp".into()
    }));
    assert!(w.contains(&Warning::CampaignCase {
        campaign: "Brand".into(),
        other: "brand".into()
    }));
    assert!(!w.contains(&Warning::MissingCampaign));
    let empty = params(3, "LinkedIn", " ");
    assert!(check("https://x.com", &empty, " ", &[]).contains(&Warning::MissingCampaign));
    let clean = params(3, "LinkedIn", "brand");
    assert!(check("https://x.com/p?q=1", &clean, "brand", &["brand", "other"]).is_empty());
    // Every warning reads as a sentence.
    for x in w {
        assert!(x.to_string().len() > 20);
    }
}

fn destination() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("http"), Just("https")],
        "[a-z]{1,10}(\\.[a-z]{2,5}){1,2}",
        prop::collection::vec("[A-Za-z0-9._~-]{1,8}", 0..3),
        prop::collection::vec(("[a-z]{1,6}", "[ -~&&[^&#+% ]]{0,8}"), 0..3),
        prop::option::of("[a-z0-9/-]{0,10}"),
    )
        .prop_map(|(scheme, host, path, query, fragment)| {
            let mut s = format!("{scheme}://{host}/{}", path.join("/"));
            for (i, (k, v)) in query.iter().enumerate() {
                s.push(if i == 0 { '?' } else { '&' });
                s.push_str(&format!("{k}={v}"));
            }
            if let Some(f) = fragment {
                s.push('#');
                s.push_str(&f);
            }
            s
        })
}

proptest! {
    #[test]
    fn building_a_link_and_matching_it_back_gives_the_entry(
        dest in destination(),
        campaign in "\\PC{0,30}",
        channel in "\\PC{1,20}",
        entry in 0u64..10_000_000,
    ) {
        let p = UtmParams::for_entry(&default_channel_mapping(), entry, &channel, &campaign);
        let url = build_url(&dest, &p).expect("valid destination");
        prop_assert_eq!(entry_id_from_url(&url), Some(entry), "{}", url);
        // The campaign survives encoding: decoding gives back its slug.
        let q = url.split('#').next().unwrap_or("").split_once('?').map(|(_, q)| q).unwrap_or("");
        let got = q
            .split('&')
            .find_map(|pair| pair.strip_prefix("utm_campaign="))
            .map(percent_decode);
        prop_assert_eq!(got, Some(slug(&campaign)));
        // Building twice (re-tagging a tagged link) changes nothing.
        prop_assert_eq!(build_url(&url, &p).expect("valid"), url);
    }
}

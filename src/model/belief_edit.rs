//! Writing, editing, deleting, importing and exporting the workspace's beliefs (engine
//! `beliefs::Belief`), and the demo workspace's beliefs.
//!
//! The belief form holds text as typed: lists are comma-separated ("LinkedIn, Twitter/X"), the
//! length range two optional numbers, the metric a catalog key. [`BeliefForm::parse`] turns it
//! into a belief checked by engine `beliefs::validate`, or says in words what is wrong.
//! Importing a beliefs file (engine `parse_beliefs`: a bad file is refused whole) adds the
//! beliefs with new ids and replaces those whose id the workspace already has.

use super::metric::{parse_number_in, MetricKind};
use super::workspace::Workspace;
use refleqt_engine::beliefs::{validate, Belief, Direction, Selector};
use refleqt_engine::number::DecimalMark;

/// A belief as the form holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BeliefForm {
    pub statement: String,
    pub channels: String,
    pub kinds: String,
    pub topics: String,
    pub creators: String,
    pub min_length: String,
    pub max_length: String,
    /// A catalog key (`MetricKind::key`).
    pub metric: String,
    pub direction: Direction,
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn length(text: &str, what: &str, mark: DecimalMark) -> Result<Option<f64>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_number_in(text, mark)
        .map(Some)
        .map_err(|e| format!("The {what} length is not a number ({e})."))
}

fn plain(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        x.to_string()
    }
}

impl BeliefForm {
    /// The form for an existing belief.
    pub fn from_belief(b: &Belief) -> BeliefForm {
        let s = &b.selector;
        BeliefForm {
            statement: b.statement.clone(),
            channels: s.channels.join(", "),
            kinds: s.kinds.join(", "),
            topics: s.topics.join(", "),
            creators: s.creators.join(", "),
            min_length: s.min_length.map(plain).unwrap_or_default(),
            max_length: s.max_length.map(plain).unwrap_or_default(),
            metric: b.metric.clone(),
            direction: b.direction,
        }
    }

    /// The belief with id `id`, or what is wrong in a sentence.
    pub fn parse(&self, id: &str, mark: DecimalMark) -> Result<Belief, String> {
        if self.statement.trim().is_empty() {
            return Err("Write the belief's statement (what you believe, in a sentence).".into());
        }
        if MetricKind::from_key(self.metric.trim()).is_none() {
            return Err("Choose the metric the belief is about.".into());
        }
        let belief = Belief {
            id: id.to_owned(),
            statement: self.statement.trim().to_owned(),
            selector: Selector {
                channels: list(&self.channels),
                kinds: list(&self.kinds),
                topics: list(&self.topics),
                creators: list(&self.creators),
                min_length: length(&self.min_length, "shortest", mark)?,
                max_length: length(&self.max_length, "longest", mark)?,
            },
            metric: self.metric.trim().to_owned(),
            direction: self.direction,
        };
        validate(&belief).map_err(|why| format!("This belief cannot be kept: {why}."))?;
        Ok(belief)
    }
}

/// The name of a belief's metric: the catalog's label, or the key as written.
pub fn metric_label(key: &str) -> String {
    MetricKind::from_key(key)
        .map(|m| m.label().to_owned())
        .unwrap_or_else(|| key.to_owned())
}

/// The direction in words.
pub fn direction_words(d: Direction) -> &'static str {
    match d {
        Direction::Above => "above what was expected of them",
        Direction::Below => "below what was expected of them",
    }
}

/// Two selectors speak about the same artifacts (lists compared as sets, case-insensitively).
pub fn same_selector(a: &Selector, b: &Selector) -> bool {
    fn norm(v: &[String]) -> Vec<String> {
        let mut out: Vec<String> = v.iter().map(|s| s.trim().to_lowercase()).collect();
        out.sort();
        out.dedup();
        out
    }
    norm(&a.channels) == norm(&b.channels)
        && norm(&a.kinds) == norm(&b.kinds)
        && norm(&a.topics) == norm(&b.topics)
        && norm(&a.creators) == norm(&b.creators)
        && a.min_length == b.min_length
        && a.max_length == b.max_length
}

impl Workspace {
    /// An id no belief of the workspace has (`belief-1`, `belief-2`, …).
    pub fn new_belief_id(&self) -> String {
        (1..)
            .map(|n: u64| format!("belief-{n}"))
            .find(|id| self.beliefs.iter().all(|b| b.id != *id))
            .unwrap_or_default()
    }

    /// Add the belief, or replace the one with its id.
    pub fn save_belief(&mut self, belief: Belief) {
        match self.beliefs.iter_mut().find(|b| b.id == belief.id) {
            Some(old) => *old = belief,
            None => self.beliefs.push(belief),
        }
    }

    /// Delete a belief; whether it was there. A/B tests accepted into it keep their decision.
    pub fn delete_belief(&mut self, id: &str) -> bool {
        let before = self.beliefs.len();
        self.beliefs.retain(|b| b.id != id);
        self.beliefs.len() != before
    }

    /// Import beliefs read from a file: `(added, replaced)`.
    pub fn import_beliefs(&mut self, beliefs: Vec<Belief>) -> (usize, usize) {
        let (mut added, mut replaced) = (0, 0);
        for b in beliefs {
            if self.beliefs.iter().any(|old| old.id == b.id) {
                replaced += 1;
            } else {
                added += 1;
            }
            self.save_belief(b);
        }
        (added, replaced)
    }
}

fn belief(
    id: &str,
    statement: &str,
    selector: Selector,
    metric: MetricKind,
    direction: Direction,
) -> Belief {
    Belief {
        id: id.to_owned(),
        statement: statement.to_owned(),
        selector,
        metric: metric.key().to_owned(),
        direction,
    }
}

/// The demo workspace's beliefs: what its planner believed before the half year. Social posts
/// (whose planned ranges were cautious) come out reinforced, ads (planned optimistically)
/// weakened, and the topic and newsletter beliefs, on which the outcomes landed where expected,
/// held (see `model::demo`).
pub fn demo_beliefs() -> Vec<Belief> {
    let on = |channels: &[&str]| Selector {
        channels: channels.iter().map(|c| (*c).to_owned()).collect(),
        ..Selector::default()
    };
    vec![
        belief(
            "belief-1",
            "Social posts bring more visits than we plan for",
            Selector {
                kinds: vec!["Social post".to_owned()],
                ..Selector::default()
            },
            MetricKind::Pageviews,
            Direction::Above,
        ),
        belief(
            "belief-2",
            "Paid ads deliver the visits we plan for",
            on(&["Google Ads", "Meta Ads"]),
            MetricKind::Pageviews,
            Direction::Above,
        ),
        belief(
            "belief-3",
            "Pricing content converts better than expected",
            Selector {
                topics: vec!["pricing".to_owned()],
                ..Selector::default()
            },
            MetricKind::Signups,
            Direction::Above,
        ),
        belief(
            "belief-4",
            "The newsletter brings less revenue than its plan",
            on(&["Email newsletter"]),
            MetricKind::Revenue,
            Direction::Below,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::evidence::belief_scores;
    use crate::model::workspace::ValueIndex;
    use refleqt_engine::beliefs::{beliefs_json, parse_beliefs, Action};

    fn form() -> BeliefForm {
        BeliefForm {
            statement: "Technical posts resonate".into(),
            channels: "LinkedIn, Twitter/X ,".into(),
            topics: "technical".into(),
            min_length: "1,500".into(),
            metric: "pageviews".into(),
            ..BeliefForm::default()
        }
    }

    #[test]
    fn the_form_makes_a_checked_belief_and_round_trips() {
        let b = form()
            .parse("belief-1", DecimalMark::Point)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.selector.channels, vec!["LinkedIn", "Twitter/X"]);
        assert_eq!(b.selector.min_length, Some(1500.0));
        assert_eq!(
            BeliefForm::from_belief(&b).parse("belief-1", DecimalMark::Point),
            Ok(b)
        );
    }

    #[test]
    fn the_form_says_what_is_wrong() {
        let mut f = form();
        f.statement = " ".into();
        assert!(f
            .parse("b", DecimalMark::Point)
            .is_err_and(|e| e.contains("statement")));
        let mut f = form();
        f.metric = "likes".into();
        assert!(f
            .parse("b", DecimalMark::Point)
            .is_err_and(|e| e.contains("metric")));
        let mut f = form();
        f.max_length = "lots".into();
        assert!(f
            .parse("b", DecimalMark::Point)
            .is_err_and(|e| e.contains("longest length")));
        let mut f = form();
        f.max_length = "10".into();
        let err = f.parse("b", DecimalMark::Point);
        assert!(err.is_err_and(|e| e.contains("above its longest")));
    }

    #[test]
    fn save_import_and_delete() {
        let mut ws = Workspace::empty();
        let id = ws.new_belief_id();
        assert_eq!(id, "belief-1");
        let b = form()
            .parse(&id, DecimalMark::Point)
            .unwrap_or_else(|e| panic!("{e}"));
        ws.save_belief(b.clone());
        assert_eq!(ws.new_belief_id(), "belief-2");
        let mut edited = b.clone();
        edited.statement = "Edited".into();
        ws.save_belief(edited);
        assert_eq!(ws.beliefs.len(), 1);
        assert_eq!(ws.beliefs[0].statement, "Edited");
        // A file's beliefs: the known id replaced, the new one added.
        let mut other = b.clone();
        other.id = "planner-7".into();
        let text = beliefs_json(&[b, other]);
        let read = parse_beliefs(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ws.import_beliefs(read), (1, 1));
        assert_eq!(ws.beliefs.len(), 2);
        assert_eq!(ws.beliefs[0].statement, "Technical posts resonate");
        assert!(ws.delete_belief("planner-7"));
        assert!(!ws.delete_belief("planner-7"));
        assert_eq!(ws.beliefs.len(), 1);
    }

    #[test]
    fn selectors_compare_as_sets() {
        let a = Selector {
            channels: vec!["LinkedIn".into(), "Email".into()],
            ..Selector::default()
        };
        let b = Selector {
            channels: vec![" email".into(), "linkedin".into()],
            ..Selector::default()
        };
        assert!(same_selector(&a, &b));
        let c = Selector {
            topics: vec!["x".into()],
            ..b.clone()
        };
        assert!(!same_selector(&a, &c));
    }

    #[test]
    fn outcomes_beating_their_frozen_prediction_reinforce_a_written_belief() {
        use crate::model::entry::EntryForm;
        use refleqt_engine::beliefs::ExpectationSource;
        let mut ws = crate::model::demo::demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let belief = BeliefForm {
            statement: "Webinar posts beat their prediction".into(),
            topics: "webinar".into(),
            metric: "pageviews".into(),
            ..BeliefForm::default()
        }
        .parse("belief-9", DecimalMark::Point)
        .unwrap_or_else(|e| panic!("{e}"));
        ws.save_belief(belief);
        let now = 1_767_225_600_000; // 2026-01-01, after both publish dates
        let held = belief_scores(&ws, &ValueIndex::of(&ws));
        assert_eq!(held[4].evidence, 0);
        assert_eq!(held[4].action, Action::Hold);
        let mut ids = Vec::new();
        for (title, day) in [("Recap one", "2025-07-01"), ("Recap two", "2025-07-02")] {
            let draft = EntryForm {
                title: title.into(),
                channel_choice: "LinkedIn".into(),
                publish_date: day.into(),
                kind: "Social post".into(),
                topics: "webinar".into(),
                ..EntryForm::default()
            }
            .parse()
            .unwrap_or_else(|e| panic!("{e:?}"));
            let id = ws.add_entry(draft);
            ws.refresh_learning(now);
            assert!(ws.entry(id).is_some_and(|e| e.frozen_prediction.is_some()));
            let added = ws.record_manual(id, &[(MetricKind::Pageviews, Some(1e6))], now);
            assert_eq!(added, Ok(1));
            ws.refresh_learning(now);
            ids.push(id.to_string());
        }
        let s = &belief_scores(&ws, &ValueIndex::of(&ws))[4];
        assert_eq!(s.evidence, 2, "{s:?}");
        assert_eq!(s.action, Action::Reinforce, "{s:?}");
        assert!(s
            .movements
            .iter()
            .all(|m| m.source == ExpectationSource::Prediction && ids.contains(&m.artifact)));
        let rows =
            refleqt_engine::beliefs::artifact_table(&ws.beliefs, std::slice::from_ref(s), &ids[1]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].action, Action::Reinforce);
    }

    #[test]
    fn the_demo_beliefs_have_meaningful_scores() {
        let ws = crate::model::demo::demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let scores = belief_scores(&ws, &ValueIndex::of(&ws));
        let actions: Vec<Action> = scores.iter().map(|s| s.action).collect();
        assert_eq!(
            actions,
            vec![
                Action::Reinforce,
                Action::Weaken,
                Action::Hold,
                Action::Hold
            ],
            "{scores:#?}"
        );
        assert!(scores.iter().all(|s| s.evidence >= 5), "{scores:#?}");
        for s in &scores {
            eprintln!(
                "{}: {:+.2} ({:+.2} to {:+.2}), {} outcomes, {:?}",
                s.belief, s.score, s.low, s.high, s.evidence, s.action
            );
        }
    }
}

//! The journey map's channel graph: properties on random Markov chains (path probabilities in
//! (0, 1] and sorted, the best path equal to Dijkstra's, groups partitioning the nodes, layers
//! respecting every edge between groups) and the demo simulation's graph.

use petgraph::algo::dijkstra;
use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;
use refleqt_engine::journey_graph::{analyse, from_markov, ChannelGraph, Edge, PathSearch};
use refleqt_engine::models::markov::channel_credit;
use refleqt_engine::simulate::{simulate_journey_set, SimConfig};
use refleqt_engine::{PathAggregate, PathStat};

fn any_paths(channels: u32) -> impl Strategy<Value = PathAggregate> {
    prop::collection::vec(
        (
            prop::collection::vec(0u32..channels, 1..7),
            0u32..4,
            0u32..4,
        ),
        1..30,
    )
    .prop_map(move |rows| PathAggregate {
        channel_count: channels as usize,
        paths: rows
            .into_iter()
            .map(|(p, c, n)| PathStat {
                channels: p,
                conversions: c as f64,
                revenue: c as f64,
                nulls: n as f64,
                journeys: (c + n) as f64,
            })
            .collect(),
    })
}

fn graph_of(data: &PathAggregate, search: PathSearch) -> ChannelGraph {
    let m = channel_credit(data, 1);
    from_markov(&m.details, search).unwrap_or_else(|e| panic!("{e}"))
}

/// −ln of the most probable path's probability by petgraph's Dijkstra.
fn dijkstra_cost(g: &ChannelGraph, start: usize, target: usize) -> Option<f64> {
    let mut pg: DiGraph<(), f64> = DiGraph::new();
    let idx: Vec<NodeIndex> = g.nodes.iter().map(|_| pg.add_node(())).collect();
    for e in &g.edges {
        pg.add_edge(idx[e.from], idx[e.to], -e.probability.min(1.0).ln());
    }
    let d = dijkstra(&pg, idx[start], Some(idx[target]), |e| *e.weight());
    d.get(&idx[target]).copied()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn paths_are_sorted_probabilities_and_groups_partition(data in any_paths(5)) {
        let search = PathSearch { k: 6, max_steps: 12, max_expansions: 100_000 };
        let g = graph_of(&data, search);
        let n = g.nodes.len();
        let conversion = g.nodes.iter().position(|s| s == "(conversion)").unwrap();
        // Groups: every node exactly once.
        let mut seen = vec![0usize; n];
        for grp in &g.groups {
            for &v in grp {
                seen[v] += 1;
            }
        }
        prop_assert!(seen.iter().all(|&c| c == 1), "{:?}", g.groups);
        // Layers: an edge between different groups never goes back a layer; the sinks are last.
        let group_of = |v: usize| g.groups.iter().position(|grp| grp.contains(&v));
        for e in &g.edges {
            if group_of(e.from) != group_of(e.to) {
                prop_assert!(g.layer[e.from] < g.layer[e.to], "{e:?} {:?}", g.layer);
            }
        }
        prop_assert_eq!(g.layer[conversion] + 1, g.layers());
        // Paths: probabilities in (0, 1], most probable first, each a real walk to conversion.
        for w in g.paths.windows(2) {
            prop_assert!(w[0].probability >= w[1].probability - 1e-15);
        }
        for p in &g.paths {
            prop_assert!(p.probability > 0.0 && p.probability <= 1.0 + 1e-12);
            prop_assert_eq!(p.nodes.first(), Some(&0));
            prop_assert_eq!(p.nodes.last(), Some(&conversion));
            let product: f64 = p.nodes.windows(2).map(|w| {
                g.edges.iter().find(|e| e.from == w[0] && e.to == w[1]).map_or(0.0, |e| e.probability)
            }).product();
            prop_assert!((product - p.probability).abs() <= 1e-12 * (1.0 + product));
        }
        let total: f64 = g.paths.iter().map(|p| p.probability).sum();
        let m = channel_credit(&data, 1);
        // Distinct walks are disjoint events: together at most Pr(conversion).
        prop_assert!(total <= m.details.p_conversion + 1e-9, "{total} > {}", m.details.p_conversion);
        // The best path is Dijkstra's (paths are at most 6 channels, within max_steps).
        match dijkstra_cost(&g, 0, conversion) {
            Some(cost) => {
                prop_assert!(!g.paths.is_empty());
                prop_assert!((-g.paths[0].probability.ln() - cost).abs() <= 1e-9);
            }
            None => prop_assert!(g.paths.is_empty()),
        }
    }
}

#[test]
fn a_chain_of_certain_steps_has_probability_one() {
    let nodes = ["(start)", "a", "b", "(conversion)"]
        .map(String::from)
        .to_vec();
    let edges = vec![
        Edge {
            from: 0,
            to: 1,
            probability: 1.0,
        },
        Edge {
            from: 1,
            to: 2,
            probability: 1.0,
        },
        Edge {
            from: 2,
            to: 3,
            probability: 1.0,
        },
    ];
    let g = analyse(nodes, edges, 0, 3, PathSearch::default()).unwrap();
    assert_eq!(g.paths.len(), 1);
    assert_eq!(g.paths[0].nodes, vec![0, 1, 2, 3]);
    assert_eq!(g.paths[0].probability, 1.0);
    assert_eq!(g.layer, vec![0, 1, 2, 3]);
    assert_eq!(g.cycles().count(), 0);
}

#[test]
fn the_demo_graph_has_layers_groups_and_paths() {
    let (set, _) = simulate_journey_set(&SimConfig {
        journeys: 20_000,
        ..SimConfig::demo()
    })
    .unwrap();
    let agg = PathAggregate::from_set(&set);
    let g = graph_of(&agg, PathSearch::default());
    assert_eq!(g.paths.len(), 5);
    assert_eq!(g.layer[0], 0, "start is the first layer");
    // Customers move between channels: some group holds several channels.
    assert!(g.cycles().any(|c| c.len() >= 2), "{:?}", g.groups);
    assert!(g
        .paths
        .iter()
        .all(|p| p.probability > 0.0 && p.probability < 1.0));
}

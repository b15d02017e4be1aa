//! The channel graph of the journey map: layout order, strongly connected channel groups and the
//! most probable paths to conversion, computed on the order-1 Markov transition graph with
//! `petgraph`.
//!
//! # Methods
//!
//! - **Graph**: nodes are the chain's states (`(start)`, the channels, `(conversion)`,
//!   `(null)`), edges its transitions with probability pᵢⱼ > 0.
//! - **Strongly connected groups**: Tarjan's algorithm (Tarjan 1972, `petgraph::algo::tarjan_scc`).
//!   Every node is in exactly one group; a group of two or more channels is a set of channels
//!   that customers move back and forth between.
//! - **Layout order**: the graph is condensed (each strongly connected group becomes one node,
//!   `petgraph::algo::condensation`), which leaves a DAG; the groups are ordered topologically
//!   and each gets the *longest path* (in edges) from a source as its layer (the layering step
//!   of Sugiyama, Tagawa & Toda 1981). Nodes without outgoing transitions (conversion, null) go
//!   to one last layer, so the picture reads left to right from start to outcome. Within a
//!   layer, nodes keep their index order.
//! - **Most probable paths**: a path's probability is Π pᵢⱼ along its transitions, so the most
//!   probable paths are the shortest under the cost −ln pᵢⱼ ≥ 0. A uniform-cost (best-first)
//!   search from `(start)` pops partial paths in order of cost; the first `k` that reach
//!   `(conversion)` are the `k` most probable paths of at most `max_steps` transitions, already
//!   sorted (costs are non-negative, so an extension never costs less). Channels may repeat (an
//!   order-1 chain has self-loops). The search stops after `max_expansions` pops, which bounds
//!   the work on dense graphs; the best path agrees with Dijkstra's distance
//!   (`petgraph::algo::dijkstra`) whenever that path is within `max_steps`.

use crate::models::markov::MarkovDetails;
use petgraph::algo::{condensation, tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use thiserror::Error;

/// Why the graph cannot be analysed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GraphError {
    #[error("the transition graph has no node {0}")]
    NoNode(usize),
    #[error("transition {from} → {to} has probability {p}, not in (0, 1]")]
    BadProbability { from: usize, to: usize, p: f64 },
}

/// One transition: from node, to node, probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub probability: f64,
}

/// Bounds of the path search.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PathSearch {
    /// How many paths to return.
    pub k: usize,
    /// At most this many transitions per path.
    pub max_steps: usize,
    /// At most this many partial paths taken off the queue.
    pub max_expansions: usize,
}

impl Default for PathSearch {
    fn default() -> Self {
        PathSearch {
            k: 5,
            max_steps: 8,
            max_expansions: 200_000,
        }
    }
}

/// A path from the start node to the conversion node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbablePath {
    /// Node indices, start and conversion included.
    pub nodes: Vec<usize>,
    /// Π pᵢⱼ along the path.
    pub probability: f64,
}

/// What the journey map draws and lists.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChannelGraph {
    pub nodes: Vec<String>,
    pub edges: Vec<Edge>,
    /// Each node's layer (0 = sources, the last layer = nodes without outgoing transitions).
    pub layer: Vec<usize>,
    /// Strongly connected groups: a partition of the nodes, each sorted, ordered by first node.
    pub groups: Vec<Vec<usize>>,
    /// The most probable paths to conversion, most probable first.
    pub paths: Vec<ProbablePath>,
}

impl ChannelGraph {
    /// The groups of two or more nodes: channels customers move back and forth between.
    pub fn cycles(&self) -> impl Iterator<Item = &Vec<usize>> + '_ {
        self.groups.iter().filter(|g| g.len() > 1)
    }

    /// How many layers there are.
    pub fn layers(&self) -> usize {
        self.layer.iter().max().map_or(0, |m| m + 1)
    }
}

/// Analyse a transition graph (see the module docs). `start` and `conversion` are node indices.
pub fn analyse(
    nodes: Vec<String>,
    edges: Vec<Edge>,
    start: usize,
    conversion: usize,
    search: PathSearch,
) -> Result<ChannelGraph, GraphError> {
    let n = nodes.len();
    for i in [start, conversion] {
        if i >= n {
            return Err(GraphError::NoNode(i));
        }
    }
    let mut g: DiGraph<usize, f64> = DiGraph::with_capacity(n, edges.len());
    let idx: Vec<NodeIndex> = (0..n).map(|i| g.add_node(i)).collect();
    for e in &edges {
        let (Some(&a), Some(&b)) = (idx.get(e.from), idx.get(e.to)) else {
            return Err(GraphError::NoNode(e.from.max(e.to)));
        };
        if !(e.probability > 0.0 && e.probability <= 1.0 + 1e-9) {
            return Err(GraphError::BadProbability {
                from: e.from,
                to: e.to,
                p: e.probability,
            });
        }
        g.add_edge(a, b, e.probability);
    }
    let mut groups: Vec<Vec<usize>> = tarjan_scc(&g)
        .into_iter()
        .map(|c| {
            let mut v: Vec<usize> = c.into_iter().map(|x| x.index()).collect();
            v.sort_unstable();
            v
        })
        .collect();
    groups.sort();
    let layer = layers(&g, n);
    let paths = probable_paths(&g, start, conversion, search);
    Ok(ChannelGraph {
        nodes,
        edges,
        layer,
        groups,
        paths,
    })
}

/// Longest-path layering of the condensation; sinks to one last layer.
fn layers(g: &DiGraph<usize, f64>, n: usize) -> Vec<usize> {
    let cond = condensation(g.clone(), true);
    let mut depth = vec![0usize; cond.node_count()];
    // The condensation is acyclic by construction, so the sort cannot fail; fall back to index
    // order all the same.
    let order = toposort(&cond, None).unwrap_or_else(|_| cond.node_indices().collect());
    for c in order {
        let d = depth[c.index()];
        for s in cond.neighbors(c) {
            if s != c && depth[s.index()] < d + 1 {
                depth[s.index()] = d + 1;
            }
        }
    }
    let mut layer = vec![0usize; n];
    for c in cond.node_indices() {
        for &member in &cond[c] {
            if let Some(l) = layer.get_mut(member) {
                *l = depth[c.index()];
            }
        }
    }
    let sinks: Vec<usize> = g
        .node_indices()
        .filter(|&v| g.edges(v).all(|e| e.target() == v))
        .map(|v| g[v])
        .collect();
    let non_sink_max = (0..n)
        .filter(|i| !sinks.contains(i))
        .map(|i| layer[i])
        .max();
    if let Some(m) = non_sink_max {
        for s in sinks {
            layer[s] = m + 1;
        }
    }
    layer
}

/// A partial path on the search queue, cheapest first.
struct Partial {
    cost: f64,
    nodes: Vec<usize>,
}

impl PartialEq for Partial {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Partial {}
impl PartialOrd for Partial {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Partial {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap. Ties: shorter paths, then node order.
        other
            .cost
            .total_cmp(&self.cost)
            .then_with(|| other.nodes.len().cmp(&self.nodes.len()))
            .then_with(|| other.nodes.cmp(&self.nodes))
    }
}

fn probable_paths(
    g: &DiGraph<usize, f64>,
    start: usize,
    conversion: usize,
    search: PathSearch,
) -> Vec<ProbablePath> {
    let mut out = Vec::new();
    if search.k == 0 {
        return out;
    }
    let mut heap = BinaryHeap::new();
    heap.push(Partial {
        cost: 0.0,
        nodes: vec![start],
    });
    let mut pops = 0;
    while let Some(p) = heap.pop() {
        pops += 1;
        if pops > search.max_expansions {
            break;
        }
        let Some(&last) = p.nodes.last() else {
            continue;
        };
        if last == conversion && p.nodes.len() > 1 {
            out.push(ProbablePath {
                probability: (-p.cost).exp(),
                nodes: p.nodes,
            });
            if out.len() >= search.k {
                break;
            }
            continue;
        }
        if p.nodes.len() > search.max_steps {
            continue;
        }
        for e in g.edges(NodeIndex::new(last)) {
            let mut nodes = p.nodes.clone();
            nodes.push(e.target().index());
            heap.push(Partial {
                cost: p.cost - e.weight().min(1.0).ln(),
                nodes,
            });
        }
    }
    out
}

/// The channel graph of an order-1 Markov chain: states as nodes (`(start)` first,
/// `(conversion)` and `(null)` last), its transitions as edges.
pub fn from_markov(d: &MarkovDetails, search: PathSearch) -> Result<ChannelGraph, GraphError> {
    let n = d.states.len();
    let edges = d
        .transitions
        .iter()
        .map(|t| Edge {
            from: t.from as usize,
            to: t.to as usize,
            probability: t.probability,
        })
        .collect();
    let conversion = d
        .states
        .iter()
        .position(|s| s == "(conversion)")
        .unwrap_or(n.saturating_sub(2));
    analyse(d.states.clone(), edges, 0, conversion, search)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(from: usize, to: usize, probability: f64) -> Edge {
        Edge {
            from,
            to,
            probability,
        }
    }

    #[test]
    fn small_graph_by_hand() {
        // 0 start, 1 a, 2 b, 3 conv, 4 null. a ⇄ b form a group.
        let nodes = ["(start)", "a", "b", "(conversion)", "(null)"]
            .map(String::from)
            .to_vec();
        let edges = vec![
            e(0, 1, 0.6),
            e(0, 2, 0.4),
            e(1, 2, 0.5),
            e(1, 3, 0.3),
            e(1, 4, 0.2),
            e(2, 1, 0.1),
            e(2, 3, 0.6),
            e(2, 4, 0.3),
        ];
        let g = analyse(nodes, edges, 0, 3, PathSearch::default()).unwrap();
        assert_eq!(g.groups, vec![vec![0], vec![1, 2], vec![3], vec![4]]);
        assert_eq!(g.layer, vec![0, 1, 1, 2, 2]);
        // start→b→conv 0.24, start→a→b→conv 0.18, start→a→conv 0.18.
        assert!((g.paths[0].probability - 0.24).abs() < 1e-12);
        assert_eq!(g.paths[0].nodes, vec![0, 2, 3]);
        assert!((g.paths[1].probability - 0.18).abs() < 1e-12);
        assert!((g.paths[2].probability - 0.18).abs() < 1e-12);
        let mut tied = vec![g.paths[1].nodes.clone(), g.paths[2].nodes.clone()];
        tied.sort();
        assert_eq!(tied, vec![vec![0, 1, 2, 3], vec![0, 1, 3]]);
        // start→b→a→conv: 0.4 · 0.1 · 0.3.
        assert!((g.paths[3].probability - 0.012).abs() < 1e-12);
        assert_eq!(g.cycles().count(), 1);
        assert_eq!(g.layers(), 3);
    }

    #[test]
    fn bad_input_is_refused() {
        let nodes = vec!["s".to_owned(), "c".to_owned()];
        assert_eq!(
            analyse(nodes.clone(), vec![], 0, 5, PathSearch::default()),
            Err(GraphError::NoNode(5))
        );
        assert!(matches!(
            analyse(nodes, vec![e(0, 1, 1.5)], 0, 1, PathSearch::default()),
            Err(GraphError::BadProbability { .. })
        ));
    }
}

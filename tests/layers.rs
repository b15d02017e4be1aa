//! The layer rules of ARCHITECTURE.md, checked by machine (native tier; it reads the sources).
//!
//! ARCHITECTURE.md carries one table per crate, each introduced by a marker line
//! `<!-- layers: <source folder> -->`. A table row names a top-level module in backticks in its
//! first column and, in its last column, the modules of the same crate it may use (in backticks;
//! anything not in backticks — std, serde, the engine — is prose). This test reads every `.rs`
//! file under each folder, collects the `crate::<module>` paths it uses (in `use` lines and in
//! expressions, doc comments excluded), and fails when:
//! - a file uses a top-level module its own module may not use;
//! - a top-level module has no row (the table must describe every module);
//! - the table itself has a cycle;
//! - sibling modules inside one top-level module depend on each other in a cycle
//!   (`storage::datasets` ↔ `storage::idb_store`), which the table cannot see.
#![cfg(not(target_arch = "wasm32"))]
// Test code: a failed assumption is a failed test, so unwrap, expect and panic are the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Module → the modules it may use, for the table after `<!-- layers: {folder} -->`.
fn table(doc: &str, folder: &str) -> BTreeMap<String, BTreeSet<String>> {
    let marker = format!("<!-- layers: {folder} -->");
    let Some(start) = doc.find(&marker) else {
        panic!("ARCHITECTURE.md has no `{marker}` table");
    };
    let mut rules = BTreeMap::new();
    let mut in_table = false;
    for line in doc[start + marker.len()..].lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            if in_table {
                break;
            }
            continue;
        }
        in_table = true;
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (Some(first), Some(last)) = (cells.first(), cells.last()) else {
            continue;
        };
        let names = backticked(first);
        if names.is_empty() || cells.len() < 2 {
            continue; // the header or the separator row
        }
        let allowed: BTreeSet<String> = backticked(last).into_iter().collect();
        for name in names {
            rules.insert(name, allowed.clone());
        }
    }
    assert!(!rules.is_empty(), "the `{marker}` table has no rows");
    rules
}

/// The words in backticks, e.g. "`parse`, `utm`" → ["parse", "utm"]; a path keeps its first part.
fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(|w| {
            w.trim_end_matches('/')
                .trim_end_matches(".rs")
                .split(['/', ':'])
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/storage/idb_store.rs` → ["storage", "idb_store"],
/// `src/imports/mod.rs` → ["imports"], `src/lib.rs` → [].
fn module_of(folder: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(folder).unwrap_or(file);
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Source without `#[cfg(test)]` modules (tests may use anything), comments (line, doc and
/// block) and string literals, so a path mentioned in prose or a message is not a dependency.
fn code_only(src: &str) -> String {
    strip_test_modules(&strip_comments_and_strings(src))
}

/// Remove every `#[cfg(test)] mod name { … }` (braces balanced; run after comments and strings
/// are gone, so no brace hides in them).
fn strip_test_modules(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let is_mod = after.trim_start().starts_with("mod ");
        match (is_mod, after.find('{')) {
            (true, Some(open)) => {
                let mut depth = 0usize;
                let mut end = after.len();
                for (i, c) in after[open..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = open + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &after[end..];
            }
            _ => {
                out.push_str("#[cfg(test)]");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn strip_comments_and_strings(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1).copied()) {
            (b'/', Some(b'/')) => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                let mut depth = 0usize;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            (b'"', _) => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            (b'\'', _) => {
                // A char literal ('x', '\n', '\u{..}') or a lifetime ('a): copy lifetimes.
                let close = b[i + 1..]
                    .iter()
                    .take(12)
                    .position(|&c| c == b'\'')
                    .map(|p| i + 1 + p);
                match close {
                    Some(end) if end == i + 2 || b.get(i + 1) == Some(&b'\\') => i = end + 1,
                    _ => {
                        out.push('\'');
                        i += 1;
                    }
                }
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

fn ident_at(s: &str) -> Option<&str> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| &s[..end])
}

/// Every module path used through `crate::` (with `{...}` groups expanded one level deep) and
/// `super::`, resolved against `here`; each as the list of its identifiers.
fn used_paths(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent(here))] {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue; // `foo::crate::` or `super::super::` (resolved by the first `super::`)
            }
            let mut path = base.clone();
            let mut tail = rest;
            let mut supers = tail;
            while let Some(r) = supers.strip_prefix("super::") {
                path.pop();
                supers = r;
                tail = r;
            }
            collect(tail, path, &mut out);
        }
    }
    out
}

fn parent(here: &[String]) -> Vec<String> {
    here[..here.len().saturating_sub(1)].to_vec()
}

fn collect(tail: &str, mut path: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut s = tail;
    loop {
        if let Some(group) = s.strip_prefix('{') {
            // `{a, b::c, d::{e, f}}`: split at depth-0 commas.
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        collect(group[start..i].trim(), path.clone(), out);
                        return;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        collect(group[start..i].trim(), path.clone(), out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            return;
        }
        let Some(id) = ident_at(s) else {
            break;
        };
        path.push(id.to_owned());
        match s[id.len()..].strip_prefix("::") {
            Some(r) => s = r,
            None => break,
        }
    }
    if !path.is_empty() {
        out.push(path);
    }
}

/// The longest prefix of `path` that is a module of the crate.
fn resolve(path: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
}

fn is_prefix(a: &[String], b: &[String]) -> bool {
    a.len() <= b.len() && b[..a.len()] == *a
}

/// A cycle in `graph`, as the list of its nodes, if there is one.
fn find_cycle<T: Ord + Clone>(graph: &BTreeMap<T, BTreeSet<T>>) -> Option<Vec<T>> {
    fn visit<T: Ord + Clone>(
        n: &T,
        graph: &BTreeMap<T, BTreeSet<T>>,
        state: &mut BTreeMap<T, u8>,
        stack: &mut Vec<T>,
    ) -> Option<Vec<T>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|x| x == n).unwrap_or(0);
                return Some(stack[from..].to_vec());
            }
            _ => {}
        }
        state.insert(n.clone(), 1);
        stack.push(n.clone());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut state, &mut Vec::new()))
}

/// Violations of the rules for the crate whose sources are in `folder`.
fn check(folder: &str) -> Vec<String> {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("ARCHITECTURE.md"))
        .unwrap_or_else(|e| panic!("read ARCHITECTURE.md: {e}"));
    let rules = table(&doc, folder);
    let dir = Path::new(ROOT).join(folder);
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&dir, f)).collect();

    let mut problems = Vec::new();
    let tops: BTreeSet<&String> = modules.iter().filter_map(|m| m.first()).collect();
    for top in &tops {
        if top.as_str() != "bin" && !rules.contains_key(top.as_str()) {
            problems.push(format!(
                "{folder}: module `{top}` has no row in the layers table"
            ));
        }
    }
    let table_graph: BTreeMap<String, BTreeSet<String>> = rules.clone();
    if let Some(cycle) = find_cycle(&table_graph) {
        problems.push(format!(
            "{folder}: the layers table has a cycle: {}",
            cycle.join(" → ")
        ));
    }

    let mut sibling_graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let here = module_of(&dir, file);
        let Some(top) = here.first() else {
            continue; // lib.rs / main.rs: the crate root may use everything
        };
        let Some(allowed) = rules.get(top) else {
            continue;
        };
        let src = std::fs::read_to_string(file).unwrap_or_default();
        let code = code_only(&src);
        let mut seen = BTreeSet::new();
        for path in used_paths(&code, &here) {
            let Some(target) = resolve(&path, &modules) else {
                continue; // an item of the crate root (lib.rs), or a macro
            };
            let Some(target_top) = target.first() else {
                continue;
            };
            if target_top != top && !allowed.contains(target_top) && seen.insert(target_top.clone())
            {
                problems.push(format!(
                    "{}: `{top}` uses `{}`, which its row in ARCHITECTURE.md does not allow",
                    file.strip_prefix(ROOT).unwrap_or(file).display(),
                    target.join("::"),
                ));
            }
            if !is_prefix(&target, &here) && !is_prefix(&here, &target) {
                sibling_graph
                    .entry(here.clone())
                    .or_default()
                    .insert(target);
            }
        }
    }
    // Cycles between modules that are not ancestors of each other.
    if let Some(cycle) = find_cycle(&sibling_graph) {
        let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
        problems.push(format!(
            "{folder}: modules depend on each other in a cycle: {}",
            names.join(" → ")
        ));
    }
    problems
}

#[test]
fn the_app_keeps_its_layers() {
    let problems = check("src");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_engine_keeps_its_layers() {
    let problems = check("crates/engine/src");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_uses_and_groups() {
    let here = vec!["pages".to_owned(), "import".to_owned()];
    let code = code_only(
        "use crate::state::{AppState, analysis::Run};\n\
         /// crate::storage::x is prose\n\
         fn f() { crate::web_tools::now(); let s = \"crate::charts\"; super::calendar::g(); }\n\
         #[cfg(test)]\n\
         mod tests { use crate::storage::MemoryStore; fn t() { if true { crate::worker::x(); } } }",
    );
    let paths = used_paths(&code, &here);
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        joined,
        vec![
            "state::AppState",
            "state::analysis::Run",
            "web_tools::now",
            "pages::calendar::g"
        ]
    );
}

#[test]
fn the_checker_finds_cycles() {
    let mut g: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    g.entry("a").or_default().insert("b");
    g.entry("b").or_default().insert("c");
    assert_eq!(find_cycle(&g), None);
    g.entry("c").or_default().insert("a");
    assert_eq!(find_cycle(&g), Some(vec!["a", "b", "c"]));
}

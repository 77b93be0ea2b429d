//! The engine's modules depend on each other one way: playbooks -> capabilities -> the
//! base (jobs, facts, tenants...). This reads every `crate::` path in the sources (the
//! `use` lines and inline paths alike, `use crate::{a, b}` groups included) and fails on
//! an import circle between top-level modules or on a capability reaching a playbook.
//! `lib.rs` is the composition root (it declares every module and builds `Ctx`) and is
//! left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const PLAYBOOKS: &str = "playbooks";
const CAPABILITIES: &[&str] = &["scheduling", "leads", "messaging", "voice", "waitlist", "campaigns"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`src/voice/tools.rs` -> `voice`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    if first == "lib.rs" {
        return None;
    }
    Some(first.trim_end_matches(".rs").to_owned())
}

/// The top-level modules a piece of Rust source names through `crate::`.
fn referenced(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        // `$crate::` in macros and `frontdesk_crate::`-like names are not ours.
        if at > 0 {
            let before = code.as_bytes()[at - 1];
            if before == b'$' || before == b'_' || before.is_ascii_alphanumeric() {
                continue;
            }
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a::b, c, D}`: every first segment inside the braces, nested ones skipped.
            let mut depth = 0;
            let mut item = String::new();
            let mut start = true;
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && depth == 0 && (c.is_alphanumeric() || c == '_') => item.push(c),
                    _ if start && !item.is_empty() => {
                        found.insert(std::mem::take(&mut item));
                        start = false;
                    }
                    _ => {}
                }
            }
            if !item.is_empty() {
                found.insert(item);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            found.insert(name);
        }
    }
    // Items of the root (`Ctx`) are not modules.
    found.retain(|n| n.chars().next().is_some_and(|c| c.is_ascii_lowercase()));
    found
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&src, &file) else { continue };
        let code = std::fs::read_to_string(&file).expect("readable source");
        // Comments may name modules freely.
        let code: String =
            code.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
        let deps = graph.entry(module.clone()).or_default();
        deps.extend(referenced(&code).into_iter().filter(|d| *d != module));
    }
    graph
}

/// A circle in `graph`, if there is one (depth-first search with a path stack).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(pos) = path.iter().position(|n| n == node) {
            let mut cycle = path[pos..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, done, path) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

#[test]
fn engine_modules_form_no_circle() {
    let graph = graph();
    assert!(graph.contains_key("messaging") && graph.contains_key(PLAYBOOKS), "sources not found: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import circle among engine modules: {}", cycle.join(" -> "));
    }
}

#[test]
fn capabilities_never_import_playbooks() {
    let graph = graph();
    for capability in CAPABILITIES {
        let deps = graph.get(*capability).unwrap_or_else(|| panic!("no module {capability}"));
        assert!(!deps.contains(PLAYBOOKS), "{capability} imports playbooks: {deps:?}");
        // The dialogue's old path is an alias of a playbook.
        assert!(!deps.contains("journey"), "{capability} imports the dialogue playbook: {deps:?}");
    }
}

#[test]
fn the_checker_sees_paths_groups_and_circles() {
    let code = "use crate::jobs::{JobError};\nuse crate::{facts::x, leads, Ctx};\nlet y = crate::voice::f();\n$crate::ignored";
    let found: Vec<String> = referenced(code).into_iter().collect();
    assert_eq!(found, ["facts", "jobs", "leads", "voice"]);
    let mut g = BTreeMap::new();
    g.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    g.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    g.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(find_cycle(&g).expect("a circle").len(), 4);
    g.get_mut("c").expect("c").clear();
    assert!(find_cycle(&g).is_none());
}

//! One-way layers: no module of the library (nor of the data, report and schema crates)
//! imports, directly or through others, a module that imports it back, and the crates that
//! must not need libtorch do not depend on it. Read from the sources, so a new cycle fails
//! here with its path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its non-test code names as `crate::X`.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p.strip_prefix(src).unwrap().to_string_lossy().to_string();
            let top = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
            if !rel.ends_with(".rs") || ["lib", "main", "cli", "commands"].contains(&top.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let deps = g.entry(top.clone()).or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for part in line.split("crate::").skip(1) {
                    let name: String = part.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if name != top && !name.is_empty() {
                        deps.insert(name);
                    }
                }
            }
        }
    }
    g
}

/// A path from `from` back to itself, if there is one.
fn cycle(g: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        for d in g.get(path.last().unwrap()).into_iter().flatten() {
            let mut next = path.clone();
            next.push(d.clone());
            if d == from {
                return Some(next);
            }
            if seen.insert(d.clone()) {
                stack.push(next);
            }
        }
    }
    None
}

#[test]
fn no_module_imports_its_own_importer() {
    for src in ["src", "crates/mixout-spec/src", "crates/mixout-data/src", "crates/mixout-report/src"] {
        let g = graph(Path::new(src));
        assert!(g.len() > 3, "{src}: modules found: {:?}", g.keys());
        for m in g.keys() {
            assert_eq!(cycle(&g, m), None, "{src}: import cycle");
        }
    }
}

#[test]
fn the_schema_data_and_report_crates_do_not_need_libtorch() {
    for krate in ["mixout-spec", "mixout-data", "mixout-report"] {
        let manifest = std::fs::read_to_string(format!("crates/{krate}/Cargo.toml")).unwrap();
        for torch in ["tch", "torch-sys", "rust-bert"] {
            assert!(
                !manifest.lines().any(|l| l.trim_start().starts_with(&format!("{torch} "))
                    || l.trim_start().starts_with(&format!("{torch}="))),
                "{krate} depends on {torch}"
            );
        }
    }
}

//! No import cycle among the server's files (issue 15, "Done when"): every
//! `crate::…`, `super::…` and `self::…` path outside comments and test
//! modules is resolved to the file that defines the module it names, and
//! the resulting file graph must have no cycle. A feature's routes build
//! on `api/state.rs`, never on the router in `api/mod.rs`; the store knows
//! no feature. When this fails it prints one cycle with the file and line
//! of every edge.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every source file of `src/` by the module path it defines (`main.rs`
/// left out: the binary's modules are its own crate).
fn files(root: &Path) -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(root).unwrap().with_extension("");
            let mut m: Module = rel
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            match m.last().map(String::as_str) {
                Some("main") if m.len() == 1 => continue,
                Some("lib") if m.len() == 1 => m.clear(),
                Some("mod") => {
                    m.pop();
                }
                _ => {}
            }
            out.insert(m, p);
        }
    }
    out
}

/// The paths a line names: `(base, segments)` for each `crate::a::b`,
/// `super::a`, `self::a`, with a `::{x, y::z}` group expanded one level.
fn paths(line: &str) -> Vec<(&'static str, Vec<String>)> {
    let mut out = Vec::new();
    for base in ["crate", "super", "self"] {
        let pat = format!("{base}::");
        let mut from = 0;
        while let Some(at) = line[from..].find(&pat) {
            let start = from + at;
            from = start + pat.len();
            let before = line[..start].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &line[from..];
            let mut segs = Vec::new();
            let mut tail = rest;
            loop {
                let n = tail
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(tail.len());
                if n == 0 {
                    break;
                }
                segs.push(tail[..n].to_owned());
                tail = &tail[n..];
                match tail.strip_prefix("::") {
                    Some(t) if !t.starts_with('{') => tail = t,
                    _ => break,
                }
            }
            let base: &'static str = match base {
                "crate" => "crate",
                "super" => "super",
                _ => "self",
            };
            if let Some(group) = tail.strip_prefix("::{") {
                let group = group.split('}').next().unwrap_or("");
                for item in group.split(',') {
                    let item = item.split(" as ").next().unwrap_or("").trim();
                    if item.is_empty() || item == "self" || item == "*" {
                        continue;
                    }
                    let mut s = segs.clone();
                    s.extend(item.split("::").map(|x| x.trim().to_owned()));
                    out.push((base, s));
                }
            }
            out.push((base, segs));
        }
    }
    out
}

fn resolve(files: &BTreeMap<Module, PathBuf>, path: &[String]) -> Option<Module> {
    (0..=path.len())
        .rev()
        .map(|k| path[..k].to_vec())
        .find(|m| files.contains_key(m))
}

/// The file graph: file → (file it imports → first file:line doing so).
fn graph(files: &BTreeMap<Module, PathBuf>) -> BTreeMap<Module, BTreeMap<Module, String>> {
    let mut g: BTreeMap<Module, BTreeMap<Module, String>> = BTreeMap::new();
    for (m, p) in files {
        let text = std::fs::read_to_string(p).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap_or("");
        let parent: Module = m.iter().take(m.len().saturating_sub(1)).cloned().collect();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for (base, segs) in paths(line) {
                let mut full = match base {
                    "crate" => Vec::new(),
                    "super" => parent.clone(),
                    _ => m.clone(),
                };
                full.extend(segs);
                if let Some(to) = resolve(files, &full)
                    && &to != m
                    && !to.is_empty()
                {
                    g.entry(m.clone())
                        .or_default()
                        .entry(to)
                        .or_insert_with(|| format!("{}:{}", p.display(), n + 1));
                }
            }
        }
    }
    g
}

/// One cycle of `g`, if any (depth-first search with colours).
fn cycle(g: &BTreeMap<Module, BTreeMap<Module, String>>) -> Option<Vec<Module>> {
    fn visit(
        v: &Module,
        g: &BTreeMap<Module, BTreeMap<Module, String>>,
        done: &mut BTreeSet<Module>,
        path: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        if let Some(i) = path.iter().position(|x| x == v) {
            let mut c = path[i..].to_vec();
            c.push(v.clone());
            return Some(c);
        }
        if done.contains(v) {
            return None;
        }
        path.push(v.clone());
        for w in g.get(v).into_iter().flat_map(BTreeMap::keys) {
            if let Some(c) = visit(w, g, done, path) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(v.clone());
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|v| visit(v, g, &mut done, &mut Vec::new()))
}

#[test]
fn the_paths_of_a_line_are_found_and_groups_expanded() {
    let p = paths("use crate::store::{Db, sql::Conn}; let x = super::state::St;");
    let names: Vec<String> = p
        .iter()
        .map(|(b, s)| format!("{b}::{}", s.join("::")))
        .collect();
    assert!(names.contains(&"crate::store::Db".to_owned()), "{names:?}");
    assert!(
        names.contains(&"crate::store::sql::Conn".to_owned()),
        "{names:?}"
    );
    assert!(names.contains(&"super::state::St".to_owned()), "{names:?}");
    assert!(paths("let y = mycrate::thing;").is_empty());
}

#[test]
fn a_planted_cycle_is_found() {
    let a: Module = vec!["a".into()];
    let b: Module = vec!["b".into()];
    let mut g: BTreeMap<Module, BTreeMap<Module, String>> = BTreeMap::new();
    g.entry(a.clone())
        .or_default()
        .insert(b.clone(), "a.rs:1".into());
    assert!(cycle(&g).is_none());
    g.entry(b.clone())
        .or_default()
        .insert(a.clone(), "b.rs:1".into());
    assert_eq!(cycle(&g), Some(vec![a.clone(), b, a]));
}

#[test]
fn no_file_of_the_server_imports_itself_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = files(&root);
    assert!(files.len() > 40, "found only {} files", files.len());
    let g = graph(&files);
    assert!(
        g.get(&vec!["api".to_owned(), "device".to_owned()])
            .is_some_and(|d| d.contains_key(&vec!["api".to_owned(), "prelude".to_owned()])),
        "the scan sees the handlers' imports"
    );
    if let Some(c) = cycle(&g) {
        let edges: Vec<String> = c
            .windows(2)
            .map(|w| {
                format!(
                    "{} -> {} ({})",
                    w[0].join("/"),
                    w[1].join("/"),
                    g[&w[0]][&w[1]]
                )
            })
            .collect();
        panic!(
            "import cycle among the server's files:\n{}",
            edges.join("\n")
        );
    }
}

//! The layering rule, checked on the source: no module of the `paydesk_core`, `app` and `paydesk`
//! crates reaches, through the paths it uses, a module that reaches it back (between the crates the
//! compiler holds the direction: `paydesk → app → paydesk_core`). Paths are resolved the way rustc
//! resolves them (`crate::`, `super::`, `self::`, `paydesk_core::`, `app::`, `paydesk::`, `{…}`
//! groups), and a name re-exported by a `mod.rs` counts as its defining module, so a folder's
//! `pub use` list is not an import of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file as a module: its path (`paydesk_core::payments::session`) and its code, with
/// comments, string literals and `#[cfg(test)]` modules removed.
struct Module {
    path: String,
    is_folder: bool,
    code: String,
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// Code without comments and string/char literals (so a path in a message is not an import) and
/// without `pub(in …)` visibilities (a path that limits who sees an item imports nothing), cut
/// before the first `#[cfg(test)]` (test modules sit at the end of a file and use `super::*`).
fn code_only(source: &str) -> String {
    let source = match source.find("#[cfg(test)]\nmod") {
        Some(cut) => &source[..cut],
        None => source,
    };
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !is_ident(chars.get(i.wrapping_sub(1)).copied())
        {
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next.is_some() && chars.get(i + 2) == Some(&'\'') {
            // A char literal such as '"' or '{'.
            out.push_str("' '");
            i += 3;
        } else if c == '\'' && next == Some('\\') {
            // An escaped char literal such as '\'' or '\u{202f}'.
            let mut j = i + 3;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            out.push_str("' '");
            i = j + 1;
        } else if chars[i..].starts_with(&['p', 'u', 'b', '(', 'i', 'n', ' ']) {
            while i < chars.len() && chars[i] != ')' {
                i += 1;
            }
            out.push_str("pub");
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

fn modules() -> Vec<Module> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut modules = Vec::new();
    let crates = [
        ("paydesk_core", root.join("core/src")),
        ("app", root.join("app/src")),
        ("paydesk", root.join("src")),
    ];
    for (crate_name, dir) in crates {
        let mut files = Vec::new();
        rust_files(&dir, &mut files);
        for file in files {
            let relative = file
                .strip_prefix(&dir)
                .expect("inside the crate")
                .with_extension("");
            let mut segments: Vec<String> = relative
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            let last = segments.last().cloned().unwrap_or_default();
            let is_folder = matches!(last.as_str(), "mod" | "lib" | "main");
            if last == "main" && segments.len() == 1 {
                // The binary is a crate of its own that uses `paydesk::`.
                segments = vec!["main".into()];
            } else if is_folder {
                segments.pop();
            }
            let mut path = if last == "main" && segments == ["main"] {
                "paydesk_bin".to_string()
            } else {
                crate_name.to_string()
            };
            for segment in &segments {
                if segment != "main" {
                    path.push_str("::");
                    path.push_str(segment);
                }
            }
            let source = std::fs::read_to_string(&file).expect("readable source");
            modules.push(Module {
                path,
                is_folder,
                code: code_only(&source),
            });
        }
    }
    modules
}

/// Every path the code names from a module root (`crate`, `super`, `self`, `paydesk_core`, `app`,
/// `paydesk`), with
/// `{…}` groups expanded: `super::{a, b::{c, d}}` gives `super::a`, `super::b::c`, `super::b::d`.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut paths = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_ident(chars.get(i.wrapping_sub(1)).copied())
            || chars.get(i.wrapping_sub(1)) == Some(&':')
        {
            i += 1;
            continue;
        }
        // Any `name::` starts a path: rooted (`crate::`, `super::`, …) or relative to the module.
        let mut j = i;
        while is_ident(chars.get(j).copied()) {
            j += 1;
        }
        if j > i && chars.get(j) == Some(&':') && chars.get(j + 1) == Some(&':') {
            let (mut found, end) = parse_path(&chars, i, Vec::new());
            paths.append(&mut found);
            i = end.max(i + 1);
        } else {
            i = j.max(i + 1);
        }
    }
    paths
}

/// Parses `a::b::{c, d::e}` starting at `start` with `prefix` before it; returns the expanded paths
/// and where parsing stopped.
fn parse_path(chars: &[char], start: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let mut segments = prefix;
    let mut i = start;
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        if chars.get(i) == Some(&'{') {
            let mut paths = Vec::new();
            i += 1;
            loop {
                while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                    i += 1;
                }
                match chars.get(i) {
                    None => return (paths, i),
                    Some('}') => return (paths, i + 1),
                    _ => {
                        let (mut inner, end) = parse_path(chars, i, segments.clone());
                        paths.append(&mut inner);
                        if end == i {
                            i += 1;
                        } else {
                            i = end;
                        }
                        // Skip `as alias` and anything else up to the next separator.
                        while chars.get(i).is_some_and(|c| *c != ',' && *c != '}') {
                            i += 1;
                        }
                    }
                }
            }
        }
        let begin = i;
        while is_ident(chars.get(i).copied()) {
            i += 1;
        }
        if i == begin {
            return (vec![segments], i);
        }
        segments.push(chars[begin..i].iter().collect());
        if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            return (vec![segments], i);
        }
    }
}

struct Graph {
    modules: BTreeSet<String>,
    /// For a folder module: name → the child module it re-exports that name from.
    reexports: BTreeMap<String, BTreeMap<String, String>>,
}

impl Graph {
    fn parent(module: &str) -> Option<String> {
        module
            .rsplit_once("::")
            .map(|(parent, _)| parent.to_string())
    }

    fn crate_root(module: &str) -> String {
        module.split("::").next().unwrap_or_default().to_string()
    }

    /// The module a path names, from `current` (a folder module's `self` is the folder).
    fn resolve(&self, current: &str, path: &[String]) -> Option<String> {
        let mut module = match path.first()?.as_str() {
            "crate" => Self::crate_root(current),
            "super" => Self::parent(current)?,
            "self" => current.to_string(),
            "paydesk_core" => "paydesk_core".to_string(),
            "app" => "app".to_string(),
            "paydesk" => "paydesk".to_string(),
            // A path relative to the module (`child::item`), or into another crate (ignored).
            child if self.modules.contains(&format!("{current}::{child}")) => {
                format!("{current}::{child}")
            }
            _ => return None,
        };
        let mut rest = &path[1..];
        while let Some(segment) = rest.first() {
            if segment == "super" {
                module = Self::parent(&module)?;
            } else {
                let child = format!("{module}::{segment}");
                if !self.modules.contains(&child) {
                    break;
                }
                module = child;
            }
            rest = &rest[1..];
        }
        // An item re-exported by a folder's `pub use` lives in the child that defines it.
        while let Some(item) = rest.first() {
            match self
                .reexports
                .get(&module)
                .and_then(|names| names.get(item))
            {
                Some(child) if child != &module => module = child.clone(),
                _ => break,
            }
        }
        Some(module)
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let modules = modules();
    let mut graph = Graph {
        modules: modules.iter().map(|m| m.path.clone()).collect(),
        reexports: BTreeMap::new(),
    };
    for module in modules.iter().filter(|m| m.is_folder) {
        let mut names = BTreeMap::new();
        for statement in module.code.split(';') {
            let statement = statement.trim();
            let Some(used) = statement.strip_prefix("pub use ") else {
                continue;
            };
            let used = used.replacen(' ', "", usize::MAX);
            for path in named_paths(&used) {
                let Some(defining) =
                    graph.resolve(&module.path, &path[..path.len().saturating_sub(1)])
                else {
                    continue;
                };
                if let Some(name) = path.last() {
                    names.insert(name.clone(), defining);
                }
            }
        }
        graph.reexports.insert(module.path.clone(), names);
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for module in &modules {
        for path in named_paths(&module.code) {
            if let Some(target) = graph.resolve(&module.path, &path) {
                if target != module.path && graph.modules.contains(&target) {
                    edges.entry(module.path.clone()).or_default().insert(target);
                }
            }
        }
    }
    let cycles = find_cycles(&edges);
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
    // The checker sees the real graph: the payments core is layered top-down.
    let (session, apply) = (
        "paydesk_core::payments::links::session",
        "paydesk_core::payments::steps::apply",
    );
    let session_uses = &edges[session];
    assert!(session_uses.contains(apply), "{session_uses:?}");
    assert!(!edges[apply].contains(session));
}

fn find_cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_string());
            cycles.push(cycle.join(" -> "));
            return;
        }
        if done.contains(node) {
            return;
        }
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, stack, done, cycles);
        }
        stack.pop();
        done.insert(node.to_string());
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        visit(node, edges, &mut Vec::new(), &mut done, &mut cycles);
    }
    cycles
}

#[test]
fn the_checker_finds_a_cycle_when_there_is_one() {
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    edges.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(find_cycles(&edges), vec!["a -> b -> c -> a".to_string()]);
    let paths = named_paths(&code_only(
        "use super::{a, b::{c, d as e}};\nlet x = \"crate::z\"; crate::y::f();",
    ));
    assert_eq!(
        paths,
        vec![
            vec!["super".to_string(), "a".into()],
            vec!["super".into(), "b".into(), "c".into()],
            vec!["super".into(), "b".into(), "d".into()],
            vec!["crate".into(), "y".into(), "f".into()],
        ]
    );
    // A visibility limited to a module names it but imports nothing.
    let visibility = named_paths(&code_only(
        "pub(in crate::payments) fn f() { crate::y::g() }",
    ));
    assert_eq!(
        visibility,
        vec![vec!["crate".to_string(), "y".into(), "g".into()]]
    );
}

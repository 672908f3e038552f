//! The book's checks: every internal link of the book and the README resolves (file and heading),
//! every `PAYDESK_*` setting the code reads is in the configuration chapter, the map of the code
//! and the README's layout name only paths that exist, so does the "Where is" table, and the
//! README stays short.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every Markdown file of the book, and the README.
fn pages() -> Vec<PathBuf> {
    let mut found = vec![root().join("README.md")];
    let mut dirs = vec![root().join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The text outside fenced code blocks.
fn prose(text: &str) -> String {
    let mut fenced = false;
    let mut kept = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// A heading's anchor as mdBook (and GitHub) makes it: lower case, letters, digits, `-` and `_`
/// kept, spaces to `-`, everything else dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    prose(text)
        .lines()
        .filter_map(|line| line.strip_prefix('#'))
        .map(|rest| anchor(rest.trim_start_matches('#')))
        .collect()
}

/// The targets of `](…)` links and `src="…"` attributes.
fn targets(text: &str) -> Vec<String> {
    let text = prose(text);
    let mut found = Vec::new();
    for (start, _) in text.match_indices("](") {
        let rest = &text[start + 2..];
        if let Some(end) = rest.find(')') {
            found.push(rest[..end].to_string());
        }
    }
    for (start, _) in text.match_indices("src=\"") {
        let rest = &text[start + 5..];
        if let Some(end) = rest.find('"') {
            found.push(rest[..end].to_string());
        }
    }
    found
}

#[test]
fn every_internal_link_resolves_to_a_file_and_a_heading() {
    let mut broken = Vec::new();
    for page in pages() {
        let text = read(&page);
        for target in targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") || target.contains('…') {
                continue;
            }
            let (file, fragment) = match target.split_once('#') {
                Some((file, fragment)) => (file, Some(fragment)),
                None => (target.as_str(), None),
            };
            let path = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            if !path.exists() {
                broken.push(format!("{}: {target} (no such file)", page.display()));
                continue;
            }
            if let Some(fragment) = fragment {
                if path.extension().is_some_and(|e| e == "md")
                    && !anchors(&read(&path)).contains(fragment)
                {
                    broken.push(format!("{}: {target} (no such heading)", page.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_chapter_is_in_the_summary_and_every_summary_entry_exists() {
    let summary = read(&root().join("docs/SUMMARY.md"));
    let listed: BTreeSet<String> = targets(&summary).into_iter().collect();
    for page in pages() {
        let Ok(relative) = page.strip_prefix(root().join("docs")) else {
            continue;
        };
        let relative = relative.to_string_lossy().to_string();
        if relative != "SUMMARY.md" {
            assert!(
                listed.contains(&relative),
                "docs/{relative} is not in SUMMARY.md"
            );
        }
    }
}

/// Every `PAYDESK_*` name in `dir`'s Rust files (a name ending in `_` is a prefix, not a setting).
fn settings_in(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            settings_in(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = read(&path);
            for (start, _) in text.match_indices("PAYDESK_") {
                let name: String = text[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !name.ends_with('_') {
                    found.insert(name);
                }
            }
        }
    }
}

#[test]
fn every_setting_the_code_reads_is_in_the_configuration_chapter() {
    let mut settings = BTreeSet::new();
    settings_in(&root().join("src"), &mut settings);
    settings_in(&root().join("app/src"), &mut settings);
    settings_in(&root().join("core/src"), &mut settings);
    let chapter = read(&root().join("docs/operating/configuration.md"));
    let missing: Vec<&String> = settings
        .iter()
        .filter(|name| !chapter.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "not in docs/operating/configuration.md: {missing:?}"
    );
}

/// A configuration file may hold every setting the code reads (besides the test builds' own and
/// the command line's inputs).
#[test]
fn every_setting_the_code_reads_may_be_in_a_configuration_file() {
    let mut settings = BTreeSet::new();
    settings_in(&root().join("src"), &mut settings);
    settings_in(&root().join("app/src"), &mut settings);
    settings_in(&root().join("core/src"), &mut settings);
    let not_in_files = ["PAYDESK_CONFIG", "PAYDESK_STAFF_PASSWORD"];
    let missing: Vec<&String> = settings
        .iter()
        .filter(|name| !name.starts_with("PAYDESK_TEST_") && !not_in_files.contains(&name.as_str()))
        .filter(|name| !name.ends_with("_FILE") || paydesk::config::names::is_setting(name))
        .filter(|name| !paydesk::config::names::is_setting(name))
        .collect();
    assert!(
        missing.is_empty(),
        "not in src/config/names.rs: {missing:?}"
    );
}

/// The paths a layout block names: unindented lines are roots; lines indented by two spaces name
/// entries of the last root (several, comma-separated); the description follows two spaces or more.
fn layout_paths(block: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut root_dir = String::new();
    for line in block.lines() {
        let indent = line.len() - line.trim_start().len();
        let names = line
            .trim_start()
            .split("  ")
            .next()
            .unwrap_or_default()
            .trim();
        if names.is_empty() || indent > 2 {
            continue;
        }
        for name in names.split(", ") {
            let name = name.trim();
            if indent == 0 {
                root_dir = name.to_string();
                found.push(name.to_string());
            } else {
                found.push(format!("{root_dir}{name}"));
            }
        }
    }
    found
}

fn first_code_block(text: &str, after: &str) -> String {
    let from = text.find(after).unwrap_or_else(|| panic!("no {after:?}"));
    let rest = &text[from..];
    let start = rest.find("```\n").expect("a code block") + 4;
    let end = rest[start..].find("```").expect("its end");
    rest[start..start + end].to_string()
}

#[test]
fn the_map_of_the_code_and_the_readme_layout_name_only_paths_that_exist() {
    let map = read(&root().join("docs/contributing/code-map.md"));
    let readme = read(&root().join("README.md"));
    let mut missing = Vec::new();
    for block in [
        first_code_block(&map, "# The map of the code"),
        first_code_block(&readme, "## Top-level layout"),
    ] {
        let paths = layout_paths(&block);
        assert!(paths.len() > 5, "a layout block names paths: {block}");
        for path in paths {
            if !root().join(&path).exists() {
                missing.push(path);
            }
        }
    }
    assert!(missing.is_empty(), "named but missing: {missing:?}");
}

#[test]
fn every_place_the_where_is_table_names_exists() {
    let map = read(&root().join("docs/contributing/code-map.md"));
    let from = map.find("## Where is").expect("a \"Where is\" section");
    let rows: Vec<&str> = map[from..]
        .lines()
        .skip_while(|line| !line.starts_with("|---"))
        .skip(1)
        .take_while(|line| line.starts_with('|'))
        .collect();
    assert!(rows.len() >= 20, "the newcomer's questions: {rows:?}");
    let mut missing = Vec::new();
    for row in rows {
        let place = row.rsplit('|').nth(1).unwrap_or_default();
        let paths: Vec<&str> = place.split('`').skip(1).step_by(2).collect();
        assert!(!paths.is_empty(), "a row names a place: {row}");
        missing.extend(paths.into_iter().filter(|path| !root().join(path).exists()));
    }
    assert!(missing.is_empty(), "named but missing: {missing:?}");
}

#[test]
fn the_readme_stays_short() {
    let size = read(&root().join("README.md")).len();
    assert!(
        size <= 10_240,
        "README.md is {size} bytes: the details belong in docs/"
    );
}

#[test]
fn anchors_are_made_as_mdbook_makes_them() {
    assert_eq!(
        anchor("Capture, void and refund"),
        "capture-void-and-refund"
    );
    assert_eq!(
        anchor("`paydesk sandbox`: the simulators"),
        "paydesk-sandbox-the-simulators"
    );
    assert_eq!(
        layout_paths("src/   x\n  api/, cli/   y\n      wrapped\n"),
        ["src/", "src/api/", "src/cli/"]
    );
}

/// The event catalogue, as the OpenAPI document's event schemas say it: every type with when it is
/// sent and which `data` it carries, then each `data`'s fields with their types and descriptions.
fn event_catalogue() -> String {
    let document =
        paydesk::api::openapi::document(&paydesk::api::endpoints::endpoints(), "http://127.0.0.1");
    let schemas = &document["components"]["schemas"];
    let data_name = |event_type: &str| -> String {
        let data =
            &schemas[paydesk::api::openapi::event_schema_name(event_type)]["properties"]["data"];
        data["$ref"]
            .as_str()
            .and_then(|r| r.rsplit('/').next())
            .unwrap_or_default()
            .to_string()
    };
    let mut out = String::from("| Type | When | `data` |\n|---|---|---|\n");
    let mut kinds: Vec<String> = Vec::new();
    for (event_type, _, when) in paydesk_core::merchant_events::payloads::CATALOGUE {
        let name = data_name(event_type);
        out.push_str(&format!(
            "| `{event_type}` | {} | [{name}](#{}) |\n",
            when.replace('|', "\\|"),
            name.to_lowercase()
        ));
        if !kinds.contains(&name) {
            kinds.push(name);
        }
    }
    for name in kinds {
        let schema = &schemas[&name];
        out.push_str(&format!("\n### {name}\n\n"));
        if let Some(description) = schema["description"].as_str() {
            out.push_str(&format!("{description}\n\n"));
        }
        out.push_str("| Field | Type | Description |\n|---|---|---|\n");
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        if let Some(properties) = schema["properties"].as_object() {
            for (field, property) in properties {
                let (kind, nullable) = type_of(property);
                let kind = match (nullable, required.contains(&field.as_str())) {
                    (true, _) => format!("{kind} or null"),
                    (_, false) => format!("{kind}, when present"),
                    _ => kind,
                };
                let description = property["description"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('\n', " ")
                    .replace('|', "\\|");
                out.push_str(&format!("| `{field}` | {kind} | {description} |\n"));
            }
        }
    }
    out
}

/// A property's type as the catalogue writes it (a referenced schema by its name), and whether it
/// may be null (OpenAPI 3.1: `type: [T, "null"]`, or `anyOf` with `{type: "null"}`).
fn type_of(property: &Value) -> (String, bool) {
    let null = json!("null");
    if let Some(reference) = property["$ref"].as_str() {
        return (
            reference.rsplit('/').next().unwrap_or_default().to_string(),
            false,
        );
    }
    if let Some(types) = property["type"].as_array() {
        let named: Vec<&str> = types
            .iter()
            .filter(|t| **t != null)
            .filter_map(Value::as_str)
            .collect();
        return (named.join(" or "), types.contains(&null));
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(options) = property[key].as_array() {
            let nullable = options.iter().any(|o| o["type"] == null);
            let named: Vec<String> = options
                .iter()
                .filter(|o| o["type"] != null)
                .map(|o| type_of(o).0)
                .collect();
            return (named.join(" or "), nullable);
        }
    }
    (
        property["type"].as_str().unwrap_or("object").to_string(),
        false,
    )
}

#[test]
fn the_event_catalogue_is_the_one_the_schemas_make() {
    let path = root().join("docs/integrating/event-catalogue.md");
    let head = "# Event catalogue\n\nGenerated from the OpenAPI document's event schemas (`webhooks`, one schema per type) by\n`tests/docs.rs`: `PAYDESK_UPDATE_DOCS=1 cargo test -p paydesk --test docs` rewrites this page\nafter a change. Every event is `{\"id\", \"type\", \"created\", \"livemode\", \"data\"}`; see [Merchant\nwebhooks](events.md) for delivery and signatures.\n\n";
    let want = format!("{head}{}", event_catalogue());
    if std::env::var("PAYDESK_UPDATE_DOCS").is_ok() {
        std::fs::write(&path, &want).expect("write the catalogue");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/integrating/event-catalogue.md is out of date: run PAYDESK_UPDATE_DOCS=1 cargo test -p paydesk --test docs"
    );
}

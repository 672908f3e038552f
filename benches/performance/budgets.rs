//! `benches/budgets.toml`: the goals `make bench` checks, each a figure's name with a `min` and/or
//! `max`.

use std::collections::BTreeMap;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Goal {
    pub fn met_by(&self, value: f64) -> bool {
        self.min.is_none_or(|min| value >= min) && self.max.is_none_or(|max| value <= max)
    }

    pub fn describe(&self) -> String {
        match (self.min, self.max) {
            (Some(min), Some(max)) => format!("{min} to {max}"),
            (Some(min), None) => format!(">= {min}"),
            (None, Some(max)) => format!("<= {max}"),
            (None, None) => "none".into(),
        }
    }
}

pub fn load() -> Result<BTreeMap<String, Goal>, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/budgets.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

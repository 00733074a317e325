//! The built-in scenarios, by name.

use super::{
    Scenario, ScenarioError, demo, ebanking, ecommerce_api, ecompulse, inventory, ml_platform,
};

/// One built-in scenario: its name and how to build it.
pub struct Entry {
    /// The name used on the command line, in exercise packs and in links.
    pub name: &'static str,
    /// Builds the scenario. Built-in scenarios always build; a test checks it.
    pub build: fn() -> Result<Scenario, ScenarioError>,
}

/// Every built-in scenario, in the order listings show them.
pub const CATALOG: &[Entry] = &[
    Entry {
        name: "demo",
        build: demo::build,
    },
    Entry {
        name: "ebanking",
        build: ebanking::build,
    },
    Entry {
        name: "inventory",
        build: inventory::build,
    },
    Entry {
        name: "ml-platform",
        build: ml_platform::build,
    },
    Entry {
        name: "ecompulse",
        build: ecompulse::build,
    },
    Entry {
        name: "ecommerce-api",
        build: ecommerce_api::build,
    },
];

/// The names of the built-in scenarios.
pub fn names() -> Vec<&'static str> {
    CATALOG.iter().map(|e| e.name).collect()
}

/// Builds the built-in scenario called `name`.
pub fn by_name(name: &str) -> Result<Scenario, ScenarioError> {
    match CATALOG.iter().find(|e| e.name == name) {
        Some(e) => (e.build)(),
        None => Err(ScenarioError::Unknown {
            name: name.to_string(),
            known: names(),
        }),
    }
}

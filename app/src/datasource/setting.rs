//! The data-source setting: Simulator or a server, and which part of it outlives the tab.
//!
//! Credentials stay in memory unless the user ticks "remember"; only then does the whole
//! setting go to localStorage (the page says so next to the box).

use super::request::Auth;
use serde::{Deserialize, Serialize};

/// The localStorage key of a remembered setting.
pub const STORAGE_KEY: &str = "promql-workbench.data-source";

/// The user's choice.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Setting {
    /// Our engine over the scenario's simulated data.
    #[default]
    Simulator,
    /// A Prometheus-compatible server.
    Server {
        /// Its base URL.
        url: String,
        /// Credentials.
        auth: Auth,
        /// Whether the setting, credentials included, is kept in localStorage.
        remember: bool,
    },
}

impl Setting {
    /// What to store in localStorage: the setting when the user asked to remember it,
    /// nothing otherwise (the caller then removes any earlier copy).
    pub fn to_storage(&self) -> Option<String> {
        match self {
            Setting::Server { remember: true, .. } => serde_json::to_string(self).ok(),
            _ => None,
        }
    }

    /// A stored setting, when the text is one (anything else is ignored: the default applies).
    pub fn from_storage(text: &str) -> Option<Setting> {
        serde_json::from_str(text).ok()
    }

    /// Whether it names a server.
    pub fn is_server(&self) -> bool {
        matches!(self, Setting::Server { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_remembered_server_is_stored() {
        let mut s = Setting::Server {
            url: "http://h:9090".into(),
            auth: Auth::Bearer("t".into()),
            remember: false,
        };
        assert_eq!(s.to_storage(), None);
        assert_eq!(Setting::Simulator.to_storage(), None);
        if let Setting::Server { remember, .. } = &mut s {
            *remember = true;
        }
        let text = s.to_storage().unwrap();
        assert_eq!(Setting::from_storage(&text), Some(s));
        assert_eq!(Setting::from_storage("garbage"), None);
    }
}

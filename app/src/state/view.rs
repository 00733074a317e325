//! What the workbench shows: the state a shared link restores.

/// The result tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tab {
    /// A range query drawn over time.
    #[default]
    Graph,
    /// An instant query as a table.
    Table,
    /// The query tree, sentences and hints.
    Explain,
}

impl Tab {
    /// Every tab, in display order.
    pub const ALL: [Tab; 3] = [Tab::Graph, Tab::Table, Tab::Explain];

    /// The name in URLs and element ids.
    pub fn key(self) -> &'static str {
        match self {
            Tab::Graph => "graph",
            Tab::Table => "table",
            Tab::Explain => "explain",
        }
    }

    /// The label shown.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Graph => "Graph",
            Tab::Table => "Table",
            Tab::Explain => "Explain",
        }
    }

    /// The tab named `key`.
    pub fn from_key(key: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.key() == key)
    }
}

/// How the graph draws series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GraphMode {
    /// One line per series.
    #[default]
    Lines,
    /// Series stacked on each other.
    Stacked,
    /// Histogram buckets as colour over time.
    Heatmap,
}

impl GraphMode {
    /// Every mode, in display order.
    pub const ALL: [GraphMode; 3] = [GraphMode::Lines, GraphMode::Stacked, GraphMode::Heatmap];

    /// The name in URLs.
    pub fn key(self) -> &'static str {
        match self {
            GraphMode::Lines => "lines",
            GraphMode::Stacked => "stacked",
            GraphMode::Heatmap => "heatmap",
        }
    }

    /// The label shown.
    pub fn title(self) -> &'static str {
        match self {
            GraphMode::Lines => "Lines",
            GraphMode::Stacked => "Stacked",
            GraphMode::Heatmap => "Heatmap",
        }
    }

    /// The mode named `key`.
    pub fn from_key(key: &str) -> Option<GraphMode> {
        GraphMode::ALL.into_iter().find(|m| m.key() == key)
    }
}

/// The view a link restores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewState {
    /// The scenario's name, if one is chosen.
    pub scenario: Option<String>,
    /// The simulator's seed.
    pub seed: u64,
    /// The range, in milliseconds.
    pub range_ms: i64,
    /// The end time, Unix milliseconds; `None` for the scenario's default (or now).
    pub end_ms: Option<i64>,
    /// A manual step, in milliseconds; `None` derives it from the range.
    pub step_ms: Option<i64>,
    /// The open tab.
    pub tab: Tab,
    /// How the graph draws.
    pub graph_mode: GraphMode,
    /// The query text.
    pub query: String,
}

/// What a run depends on besides the query text (see [`ViewState::run_inputs`]).
pub type RunInputs = (Tab, i64, Option<i64>, Option<i64>, Option<String>, u64);

impl ViewState {
    /// What a run depends on besides the query text: tab, range, end, step, scenario and
    /// seed. After a first run, a change of any of them runs the query again, as in
    /// Prometheus' UI; the graph mode and the text do not.
    pub fn run_inputs(&self) -> RunInputs {
        (
            self.tab,
            self.range_ms,
            self.end_ms,
            self.step_ms,
            self.scenario.clone(),
            self.seed,
        )
    }
}

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 1;

impl Default for ViewState {
    fn default() -> ViewState {
        ViewState {
            scenario: None,
            seed: DEFAULT_SEED,
            range_ms: super::time_range::DEFAULT_RANGE_MS,
            end_ms: None,
            step_ms: None,
            tab: Tab::Graph,
            graph_mode: GraphMode::Lines,
            query: String::new(),
        }
    }
}

//! UI components. Each fits on one screen and delegates logic to plain types.

mod header;
mod query_editor;
mod result_panel;
mod scenario_picker;

pub use header::Header;
pub use query_editor::QueryEditor;
pub use result_panel::ResultPanel;
pub use scenario_picker::ScenarioPicker;

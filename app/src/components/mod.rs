//! UI components. Each fits on one screen and delegates logic to the plain modules; the
//! shared state lives in [`workbench::Workbench`], a context of signals plus the worker
//! client, and its methods are the only place a request to the worker starts.

mod app;
mod completion_list;
mod diagnostic_list;
mod display;
mod explain_view;
mod graph_canvas;
mod graph_view;
mod header;
mod history_menu;
mod legend;
mod query_editor;
mod result_tabs;
mod rich_text;
mod run_status;
mod scenario_picker;
mod table_view;
mod time_range;
pub mod workbench;

pub use app::App;
pub use completion_list::CompletionList;
pub use diagnostic_list::DiagnosticList;
pub use explain_view::ExplainView;
pub use graph_canvas::GraphCanvas;
pub use graph_view::GraphView;
pub use header::Header;
pub use history_menu::HistoryMenu;
pub use legend::Legend;
pub use query_editor::QueryEditor;
pub use result_tabs::ResultTabs;
pub use rich_text::RichText;
pub use run_status::RunStatus;
pub use scenario_picker::ScenarioPicker;
pub use table_view::TableView;
pub use time_range::TimeRange;

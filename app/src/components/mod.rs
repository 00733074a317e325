//! UI components. Each fits on one screen and delegates logic to the plain modules; the
//! shared state lives in [`workbench::Workbench`] and, for exercises, [`course::Course`]:
//! contexts of signals plus the worker client, whose methods are the only place a request
//! to the worker starts.

mod app;
mod color_scale;
mod completion_list;
pub mod course;
mod course_page;
mod data_source;
mod diagnostic_list;
mod display;
mod exercise_view;
mod explain_view;
mod feedback_list;
mod graph_canvas;
mod graph_view;
mod header;
mod hint_list;
mod history_menu;
mod legend;
mod module_list;
mod pack_loader;
mod progress_tools;
mod query_editor;
mod rendered_markdown;
mod result_pair;
mod result_tabs;
mod rich_text;
mod run_status;
mod scenario_picker;
mod series_text;
mod table_view;
mod time_range;
pub mod workbench;

pub use app::App;
pub use color_scale::ColorScaleBar;
pub use completion_list::CompletionList;
pub use course_page::CoursePage;
pub use data_source::DataSourcePicker;
pub use diagnostic_list::DiagnosticList;
pub use exercise_view::ExerciseView;
pub use explain_view::ExplainView;
pub use feedback_list::FeedbackList;
pub use graph_canvas::GraphCanvas;
pub use graph_view::{GraphView, ResultGraph};
pub use header::Header;
pub use hint_list::HintList;
pub use history_menu::HistoryMenu;
pub use legend::Legend;
pub use module_list::ModuleList;
pub use pack_loader::PackLoader;
pub use progress_tools::ProgressTools;
pub use query_editor::QueryEditor;
pub use rendered_markdown::RenderedMarkdown;
pub use result_pair::ResultPair;
pub use result_tabs::ResultTabs;
pub use rich_text::RichText;
pub use run_status::RunStatus;
pub use scenario_picker::ScenarioPicker;
pub use series_text::SeriesText;
pub use table_view::TableView;
pub use time_range::TimeRange;

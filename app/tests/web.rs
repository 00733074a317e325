//! Component and worker-protocol tests in a real headless Chromium (wasm-bindgen-test).
//!
//! The page's real worker is a second wasm binary that only Trunk builds, so these tests
//! start a stand-in worker written in JavaScript (from a Blob URL) that speaks the same
//! protocol: it lets them check the client's handling of ids, readiness, progress,
//! cancellation and crashes, and drive every component with answers a test chooses. The
//! real worker is exercised end to end by the Playwright suite in `e2e/`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::worker::client::WorkerClient;
use app::worker::protocol::{EvalRange, EvalRequest, Progress, WorkerError};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The stand-in worker. Its answers depend on the request, so each test can pick one.
const STAND_IN: &str = r#"
const send = (m) => postMessage(JSON.stringify(m));
const ok = (type, value) => ({ Ok: { type, value } });
const series = (labels, values) => ({ metric: labels, values });
const matrix = (result) => ({ status: "success", data: { resultType: "matrix", result,
  stats: { timings: { evalTotalTime: 0.0021 }, samples: { totalQueryableSamples: 42, peakSamples: 42 } } } });
const ramp = (k) => Array.from({ length: 40 }, (_, i) => [1700000000 + i * 15, String(k * (i + 1))]);
send({ type: "ready", version: "9.9.9", engine: true });
onmessage = (e) => {
  const { id, request } = JSON.parse(e.data);
  const reply = (outcome) => send({ type: "reply", id, outcome });
  switch (request.type) {
    case "parse":
      if (request.query.startsWith("bad")) {
        return reply(ok("parsed", { diagnostics: [{ start: 0, end: 3, line: 1, col: 1,
          message: "`bad` is not PromQL", hint: "try `up`" }], result_type: null }));
      }
      return reply(ok("parsed", { diagnostics: [], result_type: "instant vector" }));
    case "format":
      if (request.query === "hang") return;
      return reply(ok("formatted", "formatted(" + request.query + ")"));
    case "functions": {
      const fn = (name, args, variadic, returns, doc) => ({ name, args, variadic, returns,
        signature: name + "(" + args.join(", ") + ")", doc, example: name + "(x)", experimental: false });
      return reply(ok("functions", [fn("rad", ["instant vector"], 0, "instant vector", "Degrees to radians."),
        fn("range", [], 0, "scalar", "The range of the query."),
        fn("rate", ["range vector"], 0, "instant vector", "The per-second rate of a counter."),
        fn("time", [], 0, "scalar", "The evaluation time.")]));
    }
    case "scenarios":
      return reply(ok("scenarios", [{ name: "demo", title: "Demo service", description: "The PromLabs demo.",
        targets: [{ job: "demo", instance: "demo:10000" }], series_count: 1234, scrape_interval_ms: 15000,
        default_start_ms: 1700000000000, default_end_ms: 1700000600000,
        incidents: [{ start_ms: 1700000100000, end_ms: 1700000200000, title: "Error burst", description: "" }] }]));
    case "metadata":
      if (request.scenario === "crash") throw new Error("boom");
      return reply(ok("metadata", { metrics: [{ name: "http_requests_total", family: "http_requests_total",
        kind: "counter", help: "Total HTTP requests.", unit: "", labels: [{ name: "status", values: ["200", "500"] }] }],
        scrape_interval_ms: 15000 }));
    case "explain":
      return reply(ok("explained", { evaluated: false,
        nodes: [{ id: 0, parent: null, depth: 0, start: 0, end: request.query.length, label: request.query,
          text: request.query, result_type: "instant vector", sentence: "A `test` sentence.", stats: null }],
        hints: [{ rule: "counter_without_rate", severity: "warning", start: 0, end: request.query.length,
          message: "Graph its rate.", fix: { label: "Wrap in rate()", edits: [
            { start: 0, end: 0, text: "rate(" }, { start: request.query.length, end: request.query.length, text: "[5m])" }] } }] }));
    case "evaluate": {
      const q = request.query;
      if (q === "slow") {
        send({ type: "progress", id, progress: { stage: "evaluating", done: 1, total: 4 } });
        return;
      }
      if (q === "unavailable") return reply({ Err: { kind: "engine_unavailable" } });
      if (q === "vector") {
        return reply(ok("evaluated", { status: "success", data: { resultType: "vector", result: [
          { metric: { __name__: "up", job: "demo", instance: "a" }, value: [1700000000, "1"] },
          { metric: { __name__: "up", job: "demo", instance: "b" }, value: [1700000000, "0"] }] } }));
      }
      if (q === "buckets") {
        return reply(ok("evaluated", matrix(["0.1", "1", "+Inf"].map((le, k) =>
          series({ __name__: "x_bucket", le }, ramp(k + 1))))));
      }
      send({ type: "progress", id, progress: { stage: "evaluating", done: 2, total: 2 } });
      return reply(ok("evaluated", matrix([series({ job: "a" }, ramp(1)), series({ job: "b" }, ramp(2))])));
    }
  }
};
"#;

fn stand_in_url() -> String {
    let parts = js_sys::Array::of1(&JsValue::from_str(STAND_IN));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).unwrap();
    web_sys::Url::create_object_url_with_blob(&blob).unwrap()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits up to five seconds for `cond`, then fails naming `what`.
async fn wait_for(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..250 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for {what}");
}

fn eval(query: &str) -> EvalRequest {
    EvalRequest {
        scenario: "demo".into(),
        seed: 1,
        query: query.into(),
        range: EvalRange::Range {
            start_ms: 1_700_000_000_000,
            end_ms: 1_700_000_600_000,
            step_ms: 15_000,
        },
    }
}

// ---- The worker protocol -------------------------------------------------------------

#[wasm_bindgen_test]
async fn requests_sent_before_ready_are_answered_by_id() {
    let client = WorkerClient::new(&stand_in_url());
    // Both are posted before the stand-in's wasm-free "ready"; neither is lost.
    let (a, b) = futures_join(client.parse("bad query"), client.format("up")).await;
    assert_eq!(a.unwrap().diagnostics[0].message, "`bad` is not PromQL");
    assert_eq!(b.unwrap(), "formatted(up)");
    assert_eq!(client.pending(), 0);
}

async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    // Awaiting in order is enough: both requests are already in flight.
    let a = a.await;
    (a, b.await)
}

#[wasm_bindgen_test]
async fn progress_reaches_the_caller_before_the_reply() {
    let client = WorkerClient::new(&stand_in_url());
    let seen: Rc<RefCell<Vec<Progress>>> = Rc::default();
    let sink = seen.clone();
    let result = client
        .evaluate(
            eval("up"),
            Some(Rc::new(move |p| sink.borrow_mut().push(p))),
        )
        .await
        .unwrap();
    assert_eq!(result.result.data.series_count(), 2);
    assert_eq!(seen.borrow().len(), 1);
    assert_eq!(seen.borrow()[0].done, 2);
}

#[wasm_bindgen_test]
async fn cancel_fails_pending_requests_and_restarts_the_worker() {
    let client = WorkerClient::new(&stand_in_url());
    let hanging = client.format("hang");
    let canceller = client.clone();
    wasm_bindgen_futures::spawn_local(async move {
        sleep(50).await;
        canceller.cancel();
    });
    assert_eq!(hanging.await, Err(WorkerError::Cancelled));
    // A new worker answers the next request.
    assert_eq!(client.format("up").await.unwrap(), "formatted(up)");
}

#[wasm_bindgen_test]
async fn a_crash_fails_what_is_pending_and_the_next_request_restarts() {
    let client = WorkerClient::new(&stand_in_url());
    assert_eq!(client.format("up").await.unwrap(), "formatted(up)");
    let crashed = client.metadata("crash", 1).await;
    assert!(
        matches!(crashed, Err(WorkerError::Crashed(ref m)) if m.contains("boom")),
        "{crashed:?}"
    );
    assert_eq!(client.format("again").await.unwrap(), "formatted(again)");
}

#[wasm_bindgen_test]
async fn a_worker_that_never_starts_is_reported_not_retried() {
    let client = WorkerClient::new("/no-such-worker.js");
    let first = client.parse("up").await;
    assert!(
        matches!(first, Err(WorkerError::Unavailable(_))),
        "{first:?}"
    );
    assert!(matches!(
        client.parse("up").await,
        Err(WorkerError::Unavailable(_))
    ));
}

// ---- Components ----------------------------------------------------------------------

/// Mounts the app with the stand-in worker into a fresh container; the handle unmounts it.
fn mount_app() -> (web_sys::HtmlElement, impl Drop) {
    let window = web_sys::window().unwrap();
    // The app restores its view from the URL, which an earlier test's app has changed.
    let path = window.location().pathname().unwrap();
    window
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some(&path))
        .unwrap();
    let doc = window.document().unwrap();
    let container: web_sys::HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
    doc.body().unwrap().append_child(&container).unwrap();
    let url = stand_in_url();
    let handle = leptos::mount::mount_to(
        container.clone(),
        move || leptos::view! { <app::App worker_url=url.clone()/> },
    );
    (container, handle)
}

fn find(root: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

fn exists(root: &web_sys::HtmlElement, selector: &str) -> bool {
    root.query_selector(selector).unwrap().is_some()
}

/// The text of the first element matching `selector`, or "" when there is none.
fn text(root: &web_sys::HtmlElement, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn click(root: &web_sys::HtmlElement, selector: &str) {
    find(root, selector)
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
}

fn editor(root: &web_sys::HtmlElement) -> web_sys::HtmlTextAreaElement {
    find(root, "#query-input").dyn_into().unwrap()
}

/// Types `text` into the editor as a user would: value, caret at the end, input event.
fn type_query(root: &web_sys::HtmlElement, text: &str) {
    let input = editor(root);
    input.set_value(text);
    let end = text.encode_utf16().count() as u32;
    input.set_selection_range(end, end).unwrap();
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

fn key(root: &web_sys::HtmlElement, key: &str, ctrl: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_ctrl_key(ctrl);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    editor(root).dispatch_event(&ev).unwrap();
}

async fn run(root: &web_sys::HtmlElement, query: &str) {
    type_query(root, query);
    key(root, "Enter", true);
    leptos::task::tick().await;
}

/// How many pixels of the canvas differ from its top-left (background) pixel.
fn painted_pixels(root: &web_sys::HtmlElement) -> usize {
    let canvas: web_sys::HtmlCanvasElement = find(root, "canvas.graph-canvas").dyn_into().unwrap();
    let (w, h) = (canvas.width(), canvas.height());
    if w < 2 || h < 2 {
        return 0;
    }
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let data = ctx
        .get_image_data(0.0, 0.0, f64::from(w), f64::from(h))
        .unwrap()
        .data();
    let bg = [data[0], data[1], data[2]];
    data.chunks(4).filter(|p| p[..3] != bg).count()
}

#[wasm_bindgen_test]
async fn the_shell_shows_the_worker_and_the_catalog() {
    let (root, _handle) = mount_app();
    assert_eq!(text(&root, "header h1"), "PromQL Workbench");
    wait_for("the worker's version", || {
        text(&root, ".engine-version") == "engine 9.9.9"
    })
    .await;
    wait_for("the scenario catalog", || {
        exists(&root, "#scenario option[value=demo]")
    })
    .await;
    wait_for("the scenario details", || {
        text(&root, ".scenario-details").contains("1234")
    })
    .await;
    assert!(
        text(&root, ".scenario-details").contains("Error burst"),
        "the incident is in the default window"
    );
}

#[wasm_bindgen_test]
async fn parse_errors_are_underlined_and_listed_with_their_hint() {
    let (root, _handle) = mount_app();
    type_query(&root, "bad query");
    wait_for("a diagnostic", || exists(&root, ".diagnostic")).await;
    assert_eq!(text(&root, ".diagnostic .message"), "bad is not PromQL");
    assert_eq!(text(&root, ".diagnostic code"), "bad");
    assert_eq!(text(&root, ".diagnostic .diag-hint"), "hint: try up");
    assert_eq!(text(&root, ".editor-overlay .err"), "bad");
    type_query(&root, "up");
    wait_for("the diagnostic to go", || !exists(&root, ".diagnostic")).await;
}

#[wasm_bindgen_test]
async fn completion_opens_while_typing_and_accepts_from_the_keyboard() {
    let (root, _handle) = mount_app();
    // The scenario's metadata arrives after the catalog; completion shows it once there.
    wait_for("the scenario's metric names", || {
        type_query(&root, "http");
        text(&root, "#completion-0 .label") == "http_requests_total"
    })
    .await;
    type_query(&root, "ra");
    wait_for("the completion list", || {
        text(&root, "#completion-0 .label") == "rad"
    })
    .await;
    assert!(exists(&root, ".completion.open"));
    key(&root, "ArrowDown", false);
    key(&root, "ArrowDown", false);
    wait_for("the selection to move", || {
        text(&root, ".completion-item.selected .label") == "rate"
    })
    .await;
    assert!(text(&root, ".completion-doc code").starts_with("rate(range vector)"));
    key(&root, "Tab", false);
    wait_for("the accepted function", || editor(&root).value() == "rate(").await;
    // Inside rate( the metric names of the scenario are offered, counters first.
    wait_for("metric names", || {
        text(&root, "#completion-0 .label") == "http_requests_total"
    })
    .await;
    key(&root, "Escape", false);
    wait_for("the list to close", || !exists(&root, ".completion.open")).await;
}

#[wasm_bindgen_test]
async fn format_replaces_the_text_through_the_worker() {
    let (root, _handle) = mount_app();
    type_query(&root, "sum(x)");
    click(&root, ".editor-actions button:nth-child(2)");
    wait_for("the formatted text", || {
        editor(&root).value() == "formatted(sum(x))"
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_range_result_is_drawn_with_legend_and_stats() {
    let (root, _handle) = mount_app();
    wait_for("the catalog", || {
        exists(&root, "#scenario option[value=demo]")
    })
    .await;
    run(&root, "up").await;
    wait_for("the legend", || {
        root.query_selector_all(".legend-entry").unwrap().length() == 2
    })
    .await;
    wait_for("a drawn canvas", || painted_pixels(&root) > 500).await;
    assert!(
        text(&root, ".graph .stats").starts_with("2 series · 80 samples · evaluated in 2.1 ms")
    );
    // A click isolates the first series; a second click shows both again.
    let pressed = |n: u32| {
        find(&root, &format!(".legend li:nth-child({n}) .legend-entry"))
            .get_attribute("aria-pressed")
            .unwrap_or_default()
    };
    click(&root, ".legend li:nth-child(1) .legend-entry");
    wait_for("the second series to hide", || pressed(2) == "false").await;
    assert_eq!(pressed(1), "true");
    click(&root, ".legend li:nth-child(1) .legend-entry");
    wait_for("both series to show", || pressed(2) == "true").await;
    // A ctrl-click toggles one series and leaves the other alone.
    let init = web_sys::MouseEventInit::new();
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    let ctrl_click = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    find(&root, ".legend li:nth-child(1) .legend-entry")
        .dispatch_event(&ctrl_click)
        .unwrap();
    wait_for("the first series to hide", || pressed(1) == "false").await;
    assert_eq!(pressed(2), "true");
    // Stacked mode redraws.
    click(&root, ".modes button:nth-child(2)");
    leptos::task::tick().await;
    assert!(painted_pixels(&root) > 500);
    assert_eq!(
        find(&root, ".modes button:nth-child(3)")
            .get_attribute("disabled")
            .as_deref(),
        Some(""),
        "not buckets"
    );
}

#[wasm_bindgen_test]
async fn hovering_the_graph_shows_time_and_values() {
    let (root, _handle) = mount_app();
    // The scenario's default window is where the stand-in's samples are.
    wait_for("the catalog", || {
        exists(&root, "#scenario option[value=demo]")
    })
    .await;
    run(&root, "up").await;
    wait_for("a drawn canvas", || painted_pixels(&root) > 500).await;
    let canvas = find(&root, "canvas.graph-canvas");
    let rect = canvas.get_bounding_client_rect();
    let init = web_sys::MouseEventInit::new();
    // 300 s after the data starts: 21,300 s into the six-hour window ending 300 s later.
    init.set_client_x((rect.left() + 70.0 + (21_300.0 / 21_600.0) * (rect.width() - 84.0)) as i32);
    init.set_client_y((rect.top() + rect.height() * 0.5) as i32);
    init.set_bubbles(true);
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict("mousemove", &init).unwrap();
    canvas.dispatch_event(&ev).unwrap();
    wait_for("the tooltip", || exists(&root, ".tooltip")).await;
    let tip = text(&root, ".tooltip");
    assert!(tip.contains("2023-11-1"), "{tip}");
    assert!(
        tip.contains("{job=\"b\"}") && tip.contains("{job=\"a\"}"),
        "{tip}"
    );
}

#[wasm_bindgen_test]
async fn bucket_results_can_be_shown_as_a_heatmap() {
    let (root, _handle) = mount_app();
    run(&root, "buckets").await;
    wait_for("the heatmap button", || {
        exists(&root, ".modes button:nth-child(3)")
            && find(&root, ".modes button:nth-child(3)")
                .get_attribute("disabled")
                .is_none()
    })
    .await;
    click(&root, ".modes button:nth-child(3)");
    wait_for("the heatmap note", || {
        text(&root, ".graph .note").starts_with("3 buckets, de-cumulated")
    })
    .await;
    assert!(painted_pixels(&root) > 500);
    // The colour bar stands in for the series legend; the query took no rate, so the
    // cells are counts.
    assert_eq!(text(&root, ".color-scale .scale-min"), "0");
    assert_eq!(
        text(&root, ".color-scale .scale-title"),
        "observations in the bucket"
    );
    assert!(!exists(&root, ".graph .legend-entry"));
    click(&root, ".modes button:nth-child(1)");
    wait_for("the legend", || exists(&root, ".graph .legend-entry")).await;
    assert!(!exists(&root, ".color-scale"));
}

#[wasm_bindgen_test]
async fn the_table_lists_an_instant_result() {
    let (root, _handle) = mount_app();
    click(&root, "#tab-table");
    leptos::task::tick().await;
    run(&root, "vector").await;
    wait_for("two rows", || {
        root.query_selector_all(".result-table tbody tr")
            .unwrap()
            .length()
            == 2
    })
    .await;
    assert_eq!(
        text(&root, ".result-table tbody tr:nth-child(1) .series"),
        r#"up{instance="a", job="demo"}"#
    );
    // A narrow column breaks after the metric name, not inside the first label.
    let code = find(&root, ".result-table tbody tr:nth-child(1) .series code");
    assert_eq!(code.inner_html(), r#"up<wbr>{instance="a", job="demo"}"#);
    assert_eq!(
        text(&root, ".result-table tbody tr:nth-child(2) .value"),
        "0"
    );
}

#[wasm_bindgen_test]
async fn engine_errors_are_shown_not_hidden() {
    let (root, _handle) = mount_app();
    run(&root, "unavailable").await;
    wait_for("the error", || exists(&root, ".run-error.unavailable")).await;
    assert!(text(&root, ".run-error").contains("not available in this build"));
}

#[wasm_bindgen_test]
async fn a_running_query_shows_progress_and_can_be_cancelled() {
    let (root, _handle) = mount_app();
    run(&root, "slow").await;
    wait_for("progress", || {
        exists(&root, ".run-status") && text(&root, ".progress-text") == "evaluating: 1 of 4"
    })
    .await;
    click(&root, ".run-status .cancel");
    wait_for("the cancelled state", || {
        exists(&root, ".run-error.cancelled")
    })
    .await;
    assert!(!exists(&root, ".run-status"));
    // The restarted worker answers.
    run(&root, "vector").await;
    click(&root, "#tab-table");
    for _ in 0..250 {
        if exists(&root, ".result-table") || exists(&root, ".graph .legend-entry") {
            return;
        }
        sleep(20).await;
    }
    panic!("no result after cancelling: {}", text(&root, ".results"));
}

#[wasm_bindgen_test]
async fn explain_shows_the_tree_and_applies_a_fix() {
    let (root, _handle) = mount_app();
    type_query(&root, "x_total");
    click(&root, "#tab-explain");
    wait_for("the tree", || exists(&root, ".tree .node")).await;
    assert_eq!(text(&root, ".node-sentence"), "A test sentence.");
    assert_eq!(
        find(&root, ".hint").get_attribute("data-rule").as_deref(),
        Some("counter_without_rate")
    );
    click(&root, ".apply-fix");
    wait_for("the fixed query", || {
        editor(&root).value() == "rate(x_total[5m])"
    })
    .await;
}

#[wasm_bindgen_test]
async fn switching_tabs_after_a_run_runs_again_for_the_new_tab() {
    let (root, _handle) = mount_app();
    run(&root, "vector").await;
    wait_for("the graph", || exists(&root, ".graph .legend-entry")).await;
    click(&root, "#tab-table");
    wait_for("the table", || exists(&root, ".result-table")).await;
}

// ---- Course feedback -----------------------------------------------------------------

/// Every structured feedback kind draws its part: underlined span, series lists, the label
/// and value tables, the empty result's reason; the sentence is the renderer's HTML.
#[wasm_bindgen_test]
async fn feedback_draws_each_kind() {
    use app::course::feedback::{FeedbackDetail, FeedbackItem, GradeReport, LabelPair, ValueRow};
    let item = |kind: &str, detail: FeedbackDetail| FeedbackItem {
        kind: kind.into(),
        fails: true,
        message_html: format!("<p>About <code>{kind}</code>.</p>"),
        detail,
    };
    let report = GradeReport {
        query: "rate(x{a=\"b\"}[5m])".into(),
        pass: false,
        grade_ms: 3.0,
        feedback: vec![
            item(
                "parse_error",
                FeedbackDetail::Span {
                    start: 5,
                    end: 13,
                    hint: Some("close the brace".into()),
                },
            ),
            item(
                "missing_series",
                FeedbackDetail::Series {
                    missing: true,
                    at: "09:00 UTC (seed 1)".into(),
                    series: vec!["{job=\"a\"}".into()],
                    count: 3,
                },
            ),
            item(
                "wrong_labels",
                FeedbackDetail::Labels {
                    at: "09:00".into(),
                    diffs: vec![LabelPair {
                        expected: "{job=\"a\"}".into(),
                        got: "{job=\"b\"}".into(),
                        missing: vec![],
                        unexpected: vec!["x=\"1\"".into()],
                        changed: vec!["job: \"a\" → \"b\"".into()],
                    }],
                    count: 1,
                },
            ),
            item(
                "values_off",
                FeedbackDetail::Values {
                    rows: vec![ValueRow {
                        series: "{job=\"a\"}".into(),
                        at: "09:00".into(),
                        expected: "1.5".into(),
                        got: "90".into(),
                    }],
                    count: 4,
                },
            ),
            item(
                "empty_result",
                FeedbackDetail::Empty {
                    at: "09:00".into(),
                    expected_series: 2,
                    reason: "No series has a=\"b\".".into(),
                    span: Some((7, 12)),
                },
            ),
        ],
    };
    let doc = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || leptos::view! { <app::components::FeedbackList report=report.clone()/> },
    );
    leptos::task::tick().await;
    assert_eq!(text(&root, ".verdict h3"), "Not yet");
    assert_eq!(
        text(&root, "[data-kind=parse_error] mark.feedback-span"),
        "x{a=\"b\"}"
    );
    assert_eq!(
        text(&root, "[data-kind=parse_error] .feedback-hint"),
        "Hint: close the brace"
    );
    assert_eq!(text(&root, "[data-kind=parse_error] p code"), "parse_error");
    assert_eq!(text(&root, ".series-list.missing li.more"), "and 2 more");
    assert_eq!(text(&root, ".label-diff .diff-extra"), "+ x=\"1\"");
    assert_eq!(text(&root, ".value-diff td.value"), "1.5");
    assert_eq!(text(&root, ".empty-reason"), "No series has a=\"b\".");
    assert_eq!(text(&root, "[data-kind=empty_result] mark"), "a=\"b\"");
}

//! Reading a pack file: TOML in, [`Loaded`] out, with every problem located.
//!
//! **Why exercise tables are read key by key.** Deserializing a whole `[[exercise]]` into
//! one struct stops at its first problem, and deserializing the whole file into one struct
//! stops at the first problem in the first broken exercise. Instead the document is parsed
//! into toml's spanned tree ([`DeTable`]), each exercise table is walked key by key, and
//! each value is deserialized on its own (nested tables through serde with
//! `deny_unknown_fields`). So every field of every exercise gets its own error, and the
//! exercises that are sound still load.
//!
//! Spans in toml's errors are byte offsets into the whole file; lines are computed from
//! them only when an error is recorded.

use super::raw::{RawCompare, RawConstraints, RawData, RawEval, RawMeta, RawWrong};
use super::{
    Comparison, Constraints, CustomData, DEFAULT_TOLERANCE, Data, Difficulty, Evaluation, Exercise,
    ExerciseRef, LoadBlock, LoadError, Loaded, Moment, Pack, PackMeta, ScenarioData, WrongAnswer,
};
use crate::constraint::Feature;
use serde::de::DeserializeOwned;
use simulator::promql::{self, ValueType, suggest};
use simulator::promqltest::script::{self, Command};
use simulator::scenario::{self, DEFAULT_ANCHOR, Window};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Mutex;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// The keys of an `[[exercise]]` table.
const EXERCISE_KEYS: &[&str] = &[
    "id",
    "module",
    "title",
    "difficulty",
    "prompt",
    "data",
    "eval",
    "reference",
    "compare",
    "hints",
    "wrong",
    "constraints",
    "warnings",
];

/// The seeds an exercise on a scenario is graded on when the pack names none.
pub const DEFAULT_SEEDS: [u64; 2] = [1, 2];

/// The most evaluation times an instant exercise may list, and the most steps of a range
/// exercise (the engine's own limit). Grading cost grows with both.
const MAX_TIMES: usize = 100;
const MAX_STEPS: i64 = 11_000;

/// The most seeds one exercise may grade on, and the longest window: each seed is a data
/// set the learner's browser generates and holds (a day of the demo scenario is about 5
/// million samples), so the product of the two is what a pack can cost a tab.
const MAX_SEEDS: usize = 5;
const MAX_WINDOW_MS: i64 = 86_400_000;

/// Loads the pack in `text`. `file` names it in error messages.
///
/// Never fails as a whole: a pack whose metadata is broken still yields its sound
/// exercises, and [`Loaded::errors`] lists every problem.
pub fn load(file: &str, text: &str) -> Loaded {
    let mut cx = Cx {
        file,
        text,
        errors: Vec::new(),
        custom_points_left: crate::dataset::MAX_PACK_CUSTOM_POINTS,
    };
    let (root, syntax) = DeTable::parse_recoverable(text);
    for e in &syntax {
        let span = e.span().unwrap_or(0..0);
        cx.error(span, "syntax", e.message(), None);
    }
    let root = root.into_inner();
    let mut pack = Pack::default();
    for (key, _) in root.iter() {
        let k: &str = key.get_ref();
        if k != "pack" && k != "exercise" {
            let mut msg = format!(
                "unknown top-level key `{k}`: a pack has a `[pack]` table and `[[exercise]]` tables"
            );
            if let Some(close) = suggest::closest(k, ["pack", "exercise"]) {
                msg.push_str(&format!("; did you mean `{close}`?"));
            }
            cx.error(key.span(), k, &msg, None);
        }
    }
    match root.get("pack") {
        Some(meta) => {
            if let Some(m) = cx.meta(meta) {
                pack.meta = m;
            }
        }
        None => cx.error(0..0, "pack", "the `[pack]` table is missing", None),
    }
    let mut exercise_tables = 0;
    match root.get("exercise") {
        None => cx.error(
            0..0,
            "exercise",
            "the pack has no exercises: add `[[exercise]]` tables",
            None,
        ),
        Some(v) => match v.get_ref() {
            DeValue::Array(items) => {
                exercise_tables = items.len();
                let mut seen: BTreeMap<String, usize> = BTreeMap::new();
                for (i, item) in items.iter().enumerate() {
                    if let Some(ex) = cx.exercise(i + 1, item, &mut seen) {
                        pack.exercises.push(ex);
                    }
                }
            }
            _ => cx.error(
                v.span(),
                "exercise",
                "`exercise` must be an array of tables: write `[[exercise]]` with double brackets",
                None,
            ),
        },
    }
    cx.errors.sort_by_key(|e| e.line);
    Loaded {
        pack,
        errors: cx.errors,
        exercise_tables,
    }
}

/// Per scenario name: its origin (the end of its default window) and default window.
/// Reading a window means building the scenario (every series' behaviour compiled, a few
/// milliseconds natively), and the answer never changes, so it is kept for the process:
/// the app's worker loads the whole course at start, eight packs on the same scenarios.
/// Only names that exist are kept, so a pack cannot grow it.
static ORIGINS: Mutex<BTreeMap<String, (i64, Window)>> = Mutex::new(BTreeMap::new());

/// The state of one load.
struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<LoadError>,
    /// What remains of [`crate::dataset::MAX_PACK_CUSTOM_POINTS`] for the exercises still to
    /// read.
    custom_points_left: usize,
}

/// What the loader knows about the exercise it is reading, for error messages.
struct Ctx {
    prefix: String,
    exercise: ExerciseRef,
}

impl Cx<'_> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn error(&mut self, span: Range<usize>, field: &str, message: &str, ex: Option<&Ctx>) {
        self.errors.push(LoadError {
            file: self.file.to_string(),
            line: self.line(span.start),
            field: field.to_string(),
            message: message.to_string(),
            exercise: ex.map(|c| c.exercise.clone()),
        });
    }

    fn ex_error(&mut self, span: Range<usize>, cx: &Ctx, field: &str, message: &str) {
        let path = format!("{}.{field}", cx.prefix);
        self.error(span, &path, message, Some(cx));
    }

    /// The line of byte `offset` inside the string whose TOML value starts at `span.start`:
    /// a multi-line string's content starts on the line after its opening delimiter.
    fn string_line(&self, span: &Range<usize>, content: &str, offset: usize) -> usize {
        let rest = self.text.get(span.start..).unwrap_or("");
        let skip = ["\"\"\"\n", "'''\n", "\"\"\"\r\n", "'''\r\n"]
            .iter()
            .any(|d| rest.starts_with(d));
        let inner = content
            .get(..offset.min(content.len()))
            .unwrap_or("")
            .matches('\n')
            .count();
        self.line(span.start) + usize::from(skip) + inner
    }

    /// Deserializes one value; on failure records the error at the innermost field.
    fn value<T: DeserializeOwned>(
        &mut self,
        v: &Spanned<DeValue<'_>>,
        field: &str,
        cx: Option<&Ctx>,
    ) -> Option<T> {
        match T::deserialize(ValueDeserializer::from(v.clone())) {
            Ok(t) => Some(t),
            Err(e) => {
                let span = e.span().unwrap_or(v.span());
                let inner = path_to(v, &span).unwrap_or_default();
                let path = match cx {
                    Some(c) => format!("{}.{field}{inner}", c.prefix),
                    None => format!("{field}{inner}"),
                };
                let message = e.message().trim().to_string();
                self.error(span, &path, &message, cx);
                None
            }
        }
    }

    fn meta(&mut self, v: &Spanned<DeValue<'_>>) -> Option<PackMeta> {
        let raw: RawMeta = self.value(v, "pack", None)?;
        let id_ok = check_id(raw.id.get_ref());
        if let Err(msg) = id_ok {
            self.error(raw.id.span(), "pack.id", &msg, None);
        }
        let mut empty = Vec::new();
        for (name, value) in [
            ("title", &raw.title),
            ("version", &raw.version),
            ("author", &raw.author),
            ("licence", &raw.licence),
        ] {
            if value.trim().is_empty() {
                empty.push(name);
            }
        }
        for name in empty {
            self.error(v.span(), &format!("pack.{name}"), "must not be empty", None);
        }
        Some(PackMeta {
            id: raw.id.into_inner(),
            title: raw.title,
            version: raw.version,
            author: raw.author,
            licence: raw.licence,
            description: raw.description,
        })
    }

    /// The origin and default window of a scenario, or `None` (with an error recorded by
    /// the caller) when there is no such scenario.
    fn origin(&mut self, name: &str) -> Option<(i64, Window)> {
        if let Some(o) = ORIGINS.lock().ok().and_then(|m| m.get(name).copied()) {
            return Some(o);
        }
        let o = scenario::by_name(name).ok().map(|s| {
            let w = s.default_window(DEFAULT_ANCHOR);
            (w.end, w)
        })?;
        if let Ok(mut m) = ORIGINS.lock() {
            m.insert(name.to_string(), o);
        }
        Some(o)
    }

    fn exercise(
        &mut self,
        index: usize,
        item: &Spanned<DeValue<'_>>,
        seen: &mut BTreeMap<String, usize>,
    ) -> Option<Exercise> {
        let header_line = self.line(item.span().start);
        let mut cx = Ctx {
            prefix: format!("exercise[{index}]"),
            exercise: ExerciseRef { index, id: None },
        };
        let DeValue::Table(table) = item.get_ref() else {
            self.error(
                item.span(),
                &cx.prefix,
                "an exercise must be a table",
                Some(&cx),
            );
            return None;
        };
        let before = self.errors.len();
        // The id first, so every later error can name the exercise.
        let id: Option<Spanned<String>> =
            table.get("id").and_then(|v| self.value(v, "id", Some(&cx)));
        if let Some(id) = &id {
            cx.exercise.id = Some(id.get_ref().clone());
            if let Err(msg) = check_id(id.get_ref()) {
                self.ex_error(id.span(), &cx, "id", &msg);
            } else if let Some(first) = seen.get(id.get_ref()) {
                let msg = format!(
                    "the id {:?} is already used by the exercise on line {first}; ids must be unique within a pack",
                    id.get_ref()
                );
                self.ex_error(id.span(), &cx, "id", &msg);
            } else {
                seen.insert(id.get_ref().clone(), header_line);
            }
        }
        for (key, _) in table.iter() {
            let k: &str = key.get_ref();
            if !EXERCISE_KEYS.contains(&k) {
                let mut msg = format!(
                    "unknown field `{k}`, expected one of {}",
                    EXERCISE_KEYS
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if let Some(close) = suggest::closest(k, EXERCISE_KEYS.iter().copied()) {
                    msg = format!("unknown field `{k}`; did you mean `{close}`?");
                }
                self.ex_error(key.span(), &cx, k, &msg);
            }
        }
        for key in [
            "id",
            "module",
            "title",
            "difficulty",
            "prompt",
            "data",
            "eval",
            "reference",
        ] {
            if table.get(key).is_none() {
                self.ex_error(item.span(), &cx, key, &format!("missing field `{key}`"));
            }
        }
        let text_field = |this: &mut Self, key: &str| -> Option<Spanned<String>> {
            let v = table.get(key)?;
            let s: Spanned<String> = this.value(v, key, Some(&cx))?;
            if s.get_ref().trim().is_empty() {
                this.ex_error(s.span(), &cx, key, "must not be empty");
                return None;
            }
            Some(s)
        };
        let module = text_field(self, "module");
        let title = text_field(self, "title");
        let prompt = text_field(self, "prompt");
        let reference = text_field(self, "reference");
        let difficulty = table
            .get("difficulty")
            .and_then(|v| self.value::<Spanned<String>>(v, "difficulty", Some(&cx)))
            .and_then(|d| match d.get_ref().as_str() {
                "beginner" => Some(Difficulty::Beginner),
                "intermediate" => Some(Difficulty::Intermediate),
                "advanced" => Some(Difficulty::Advanced),
                other => {
                    let msg = format!(
                        "unknown difficulty {other:?}: write \"beginner\", \"intermediate\" or \"advanced\""
                    );
                    self.ex_error(d.span(), &cx, "difficulty", &msg);
                    None
                }
            });
        let data = table
            .get("data")
            .and_then(|v| {
                self.value::<RawData>(v, "data", Some(&cx))
                    .map(|d| (d, v.span()))
            })
            .and_then(|(d, span)| self.data(d, span, &cx));
        let eval = match (table.get("eval"), &data) {
            (Some(v), Some((data, _))) => self
                .value::<RawEval>(v, "eval", Some(&cx))
                .and_then(|e| self.eval(e, v.span(), data, &cx)),
            (Some(v), None) => {
                // Still report problems in `eval` itself when `data` is broken.
                let _ = self.value::<RawEval>(v, "eval", Some(&cx));
                None
            }
            _ => None,
        };
        let reference_expr = reference
            .as_ref()
            .and_then(|r| self.query(r, &cx, "reference"));
        if let (Some(expr), Some(Evaluation::Range { .. })) = (&reference_expr, &eval)
            && !matches!(expr.value_type(), ValueType::Scalar | ValueType::Vector)
            && let Some(r) = &reference
        {
            let msg = format!(
                "a range evaluation needs a scalar or instant-vector reference, and this one is a {}",
                expr.value_type()
            );
            self.ex_error(r.span(), &cx, "reference", &msg);
        }
        let compare = match table.get("compare") {
            Some(v) => self
                .value::<RawCompare>(v, "compare", Some(&cx))
                .and_then(|c| self.compare(c, &cx)),
            None => Some(Comparison::default()),
        };
        let hints = self.texts(table.get("hints"), "hints", &cx);
        let warnings = self.texts(table.get("warnings"), "warnings", &cx);
        let wrong = match table.get("wrong") {
            Some(v) => self
                .value::<Vec<RawWrong>>(v, "wrong", Some(&cx))
                .map(|w| self.wrong(w, reference_expr.as_ref(), &cx)),
            None => Some(Vec::new()),
        };
        let constraints = match table.get("constraints") {
            Some(v) => self
                .value::<RawConstraints>(v, "constraints", Some(&cx))
                .and_then(|c| self.constraints(c, &cx)),
            None => Some(Constraints::default()),
        };
        if let (Some(c), Some(expr), Some(r)) = (&constraints, &reference_expr, &reference) {
            for f in &c.must_use {
                if !f.is_used_in(expr) {
                    let msg = format!(
                        "the reference does not use {f}, which `constraints.must_use` requires"
                    );
                    self.ex_error(r.span(), &cx, "reference", &msg);
                }
            }
            for f in &c.must_not_use {
                if f.is_used_in(expr) {
                    let msg =
                        format!("the reference uses {f}, which `constraints.must_not_use` forbids");
                    self.ex_error(r.span(), &cx, "reference", &msg);
                }
            }
        }
        if self.errors.len() > before {
            return None;
        }
        Some(Exercise {
            id: id?.into_inner(),
            module: module?.into_inner().trim().to_string(),
            title: title?.into_inner().trim().to_string(),
            difficulty: difficulty?,
            prompt: prompt?.into_inner(),
            data: data?.0,
            eval: eval?,
            reference: reference?.into_inner(),
            compare: compare?,
            hints: hints?,
            wrong: wrong?,
            constraints: constraints?,
            warnings: warnings?,
            line: header_line,
        })
    }

    /// A list of non-empty strings (`hints`, `warnings`); absent is empty.
    fn texts(
        &mut self,
        v: Option<&Spanned<DeValue<'_>>>,
        field: &str,
        cx: &Ctx,
    ) -> Option<Vec<String>> {
        let Some(v) = v else {
            return Some(Vec::new());
        };
        let list: Vec<Spanned<String>> = self.value(v, field, Some(cx))?;
        let mut ok = true;
        for (i, s) in list.iter().enumerate() {
            if s.get_ref().trim().is_empty() {
                self.ex_error(
                    s.span(),
                    cx,
                    &format!("{field}[{}]", i + 1),
                    "must not be empty",
                );
                ok = false;
            }
        }
        ok.then(|| list.into_iter().map(Spanned::into_inner).collect())
    }

    /// Parses a query field; records each parse error on the line it is on.
    fn query(&mut self, q: &Spanned<String>, cx: &Ctx, field: &str) -> Option<promql::Expr> {
        match promql::parse(q.get_ref()) {
            Ok(e) => Some(e),
            Err(errors) => {
                for e in errors {
                    let line = self.string_line(&q.span(), q.get_ref(), e.span.start as usize);
                    let lc = e.line_col(q.get_ref());
                    let mut msg = format!(
                        "the query does not parse (query line {}, column {}): {}",
                        lc.line, lc.col, e.message
                    );
                    if let Some(h) = &e.hint {
                        msg.push_str(&format!(" (hint: {h})"));
                    }
                    self.errors.push(LoadError {
                        file: self.file.to_string(),
                        line,
                        field: format!("{}.{field}", cx.prefix),
                        message: msg,
                        exercise: Some(cx.exercise.clone()),
                    });
                }
                None
            }
        }
    }

    fn data(
        &mut self,
        raw: RawData,
        span: Range<usize>,
        cx: &Ctx,
    ) -> Option<(Data, (i64, Window))> {
        match (raw.scenario, raw.load) {
            (Some(_), Some(load)) => {
                self.ex_error(
                    load.span(),
                    cx,
                    "data.load",
                    "give either `scenario` or `load`, not both",
                );
                None
            }
            (None, None) => {
                self.ex_error(
                    span,
                    cx,
                    "data",
                    "give a `scenario` (with `seeds`) or a custom data set in `load`",
                );
                None
            }
            (Some(name), None) => {
                let Some((origin, default_window)) = self.origin(name.get_ref()) else {
                    let names = scenario::names();
                    let mut msg = format!(
                        "there is no scenario named {:?}; the scenarios are: {}",
                        name.get_ref(),
                        names.join(", ")
                    );
                    if let Some(close) = suggest::closest(name.get_ref(), names.iter().copied()) {
                        msg.push_str(&format!(" (did you mean {close:?}?)"));
                    }
                    self.ex_error(name.span(), cx, "data.scenario", &msg);
                    return None;
                };
                let seeds = match raw.seeds {
                    None => DEFAULT_SEEDS.to_vec(),
                    Some(s) => {
                        let span = s.span();
                        let seeds = s.into_inner();
                        let mut sorted = seeds.clone();
                        sorted.sort_unstable();
                        sorted.dedup();
                        if seeds.is_empty() {
                            self.ex_error(span, cx, "data.seeds", "list at least one seed");
                            return None;
                        }
                        if sorted.len() != seeds.len() {
                            self.ex_error(span, cx, "data.seeds", "a seed is listed twice");
                            return None;
                        }
                        if seeds.len() > MAX_SEEDS {
                            let msg = format!(
                                "at most {MAX_SEEDS} seeds: each one is a data set generated for grading"
                            );
                            self.ex_error(span, cx, "data.seeds", &msg);
                            return None;
                        }
                        seeds
                    }
                };
                let window = match raw.window {
                    None => default_window,
                    Some(w) => {
                        let wspan = w.span();
                        let w = w.into_inner();
                        let start = self.moment(&w.start, cx, "data.window.start")?;
                        let end = self.moment(&w.end, cx, "data.window.end")?;
                        let (start, end) = (start.resolve(origin), end.resolve(origin));
                        if start >= end {
                            self.ex_error(
                                wspan,
                                cx,
                                "data.window",
                                "the window must start before it ends",
                            );
                            return None;
                        }
                        if end - start > MAX_WINDOW_MS {
                            self.ex_error(
                                wspan,
                                cx,
                                "data.window",
                                "the window is longer than 24 hours; grading generates it for every seed, in the learner's browser",
                            );
                            return None;
                        }
                        Window::new(start, end)
                    }
                };
                let data = Data::Scenario(ScenarioData {
                    scenario: name.into_inner(),
                    seeds,
                    window,
                });
                Some((data, (origin, window)))
            }
            (None, Some(load)) => {
                if let Some(seeds) = &raw.seeds {
                    self.ex_error(
                        seeds.span(),
                        cx,
                        "data.seeds",
                        "seeds apply to scenarios; a custom data set is the same every time",
                    );
                }
                if let Some(w) = &raw.window {
                    self.ex_error(
                        w.span(),
                        cx,
                        "data.window",
                        "a window applies to scenarios; a custom data set holds what it lists",
                    );
                }
                if raw.seeds.is_some() || raw.window.is_some() {
                    return None;
                }
                let custom = self.custom(&load, cx)?;
                let last = custom
                    .blocks
                    .iter()
                    .map(|b| {
                        let n = b.series.iter().map(|s| s.values.len()).max().unwrap_or(0);
                        b.interval_ms.saturating_mul(n.saturating_sub(1) as i64)
                    })
                    .max()
                    .unwrap_or(0);
                Some((Data::Custom(custom), (0, Window::new(0, last))))
            }
        }
    }

    fn custom(&mut self, load: &Spanned<String>, cx: &Ctx) -> Option<CustomData> {
        let text = load.get_ref();
        let at_line = |this: &Self, line: usize| {
            // Script lines are 1-based; find the byte offset of that line in the content.
            let offset = text
                .split_inclusive('\n')
                .take(line.saturating_sub(1))
                .map(str::len)
                .sum::<usize>();
            this.string_line(&load.span(), text, offset)
        };
        // Expanding the series notation is bounded before it happens (a short line can ask
        // for a million points): by the per-data-set cap, and by what the pack's earlier
        // exercises left of the pack-wide one.
        let limit = crate::dataset::MAX_CUSTOM_POINTS.min(self.custom_points_left);
        let script = match script::parse_limited(text, limit) {
            Ok(s) => s,
            Err(e) => {
                let line = at_line(self, e.line);
                let mut message = e.message;
                if limit < crate::dataset::MAX_CUSTOM_POINTS && message.contains("points in all") {
                    message.push_str(&format!(
                        " (the custom data sets of one pack may hold {} points together, and the exercises before this one use {})",
                        crate::dataset::MAX_PACK_CUSTOM_POINTS,
                        crate::dataset::MAX_PACK_CUSTOM_POINTS - limit
                    ));
                }
                self.errors.push(LoadError {
                    file: self.file.to_string(),
                    line,
                    field: format!("{}.data.load", cx.prefix),
                    message,
                    exercise: Some(cx.exercise.clone()),
                });
                return None;
            }
        };
        let mut blocks = Vec::new();
        for command in script.commands {
            match command {
                Command::Load(l) => {
                    if l.interval_ms <= 0 {
                        let line = at_line(self, l.line);
                        self.push(
                            line,
                            cx,
                            "data.load",
                            "the interval of a load block must be positive",
                        );
                        return None;
                    }
                    if let Some((line, _)) = l.series.iter().find(|(_, d)| d.has_histograms()) {
                        let line = at_line(self, *line);
                        self.push(
                            line,
                            cx,
                            "data.load",
                            "native histograms are not supported yet; use classic `_bucket` series",
                        );
                        return None;
                    }
                    blocks.push(LoadBlock {
                        interval_ms: l.interval_ms,
                        series: l.series.into_iter().map(|(_, d)| d).collect(),
                    });
                }
                Command::Clear { line } => {
                    let line = at_line(self, line);
                    self.push(
                        line,
                        cx,
                        "data.load",
                        "only `load` blocks belong here, not `clear`",
                    );
                    return None;
                }
                Command::Eval(e) => {
                    let line = at_line(self, e.line);
                    self.push(line, cx, "data.load", "only `load` blocks belong here; write evaluation times in `eval` and the query in `reference`");
                    return None;
                }
            }
        }
        if blocks.iter().all(|b| b.series.is_empty()) {
            self.ex_error(
                load.span(),
                cx,
                "data.load",
                "the data set has no series: write `load 1m` and then one series per line",
            );
            return None;
        }
        if let Err(e) = crate::dataset::build_custom(&blocks) {
            self.ex_error(load.span(), cx, "data.load", &e.message);
            return None;
        }
        let points: usize = blocks
            .iter()
            .flat_map(|b| b.series.iter().map(|s| s.values.len()))
            .sum();
        self.custom_points_left = self.custom_points_left.saturating_sub(points);
        Some(CustomData {
            text: text.clone(),
            blocks,
        })
    }

    fn push(&mut self, line: usize, cx: &Ctx, field: &str, message: &str) {
        self.errors.push(LoadError {
            file: self.file.to_string(),
            line,
            field: format!("{}.{field}", cx.prefix),
            message: message.to_string(),
            exercise: Some(cx.exercise.clone()),
        });
    }

    fn moment(&mut self, s: &Spanned<String>, cx: &Ctx, field: &str) -> Option<Moment> {
        match Moment::parse(s.get_ref()) {
            Ok(m) => Some(m),
            Err(msg) => {
                self.ex_error(s.span(), cx, field, &msg);
                None
            }
        }
    }

    fn eval(
        &mut self,
        raw: RawEval,
        span: Range<usize>,
        data: &Data,
        cx: &Ctx,
    ) -> Option<Evaluation> {
        let (origin, window) = match data {
            Data::Scenario(s) => (self.origin(&s.scenario).map_or(0, |(o, _)| o), s.window),
            Data::Custom(_) => (0, Window::new(0, i64::MAX)),
        };
        let custom = matches!(data, Data::Custom(_));
        // Reads a time and checks it fits the data.
        let time = |this: &mut Self, s: &Spanned<String>, field: &str| -> Option<i64> {
            let m = this.moment(s, cx, field)?;
            if custom && !m.is_offset() {
                this.ex_error(
                    s.span(),
                    cx,
                    field,
                    "a custom data set starts at time 0: write an offset such as \"5m\"",
                );
                return None;
            }
            let t = m.resolve(origin);
            if custom && t < 0 {
                this.ex_error(s.span(), cx, field, "a custom data set starts at time 0: a negative offset is before its first point");
                return None;
            }
            if !custom && (t < window.start || t > window.end) {
                let msg = format!(
                    "{} is outside the data window ({} to {})",
                    simulator::timestamp::format_time(t),
                    simulator::timestamp::format_time(window.start),
                    simulator::timestamp::format_time(window.end)
                );
                this.ex_error(s.span(), cx, field, &msg);
                return None;
            }
            Some(t)
        };
        match (raw.at, raw.range) {
            (Some(_), Some(r)) => {
                self.ex_error(
                    r.span(),
                    cx,
                    "eval.range",
                    "give either `at` or `range`, not both",
                );
                None
            }
            (None, None) => {
                self.ex_error(span, cx, "eval", "give evaluation times in `at = [...]` or a range in `range = { start, end, step }`");
                None
            }
            (Some(at), None) => {
                let aspan = at.span();
                let list = at.into_inner();
                if list.is_empty() {
                    self.ex_error(aspan, cx, "eval.at", "list at least one evaluation time");
                    return None;
                }
                if list.len() > MAX_TIMES {
                    let msg = format!("at most {MAX_TIMES} evaluation times; use a range for more");
                    self.ex_error(aspan, cx, "eval.at", &msg);
                    return None;
                }
                let mut times = Vec::new();
                for (i, s) in list.iter().enumerate() {
                    times.push(time(self, s, &format!("eval.at[{}]", i + 1)));
                }
                let times: Vec<i64> = times.into_iter().collect::<Option<_>>()?;
                let mut sorted = times.clone();
                sorted.sort_unstable();
                sorted.dedup();
                if sorted.len() != times.len() {
                    self.ex_error(aspan, cx, "eval.at", "an evaluation time is listed twice");
                    return None;
                }
                Some(Evaluation::Instant(times))
            }
            (None, Some(r)) => {
                let rspan = r.span();
                let r = r.into_inner();
                let start = time(self, &r.start, "eval.range.start");
                let end = time(self, &r.end, "eval.range.end");
                let step = match Moment::parse(r.step.get_ref()) {
                    Ok(Moment::Offset(ms)) if ms > 0 => Some(ms),
                    _ => {
                        self.ex_error(
                            r.step.span(),
                            cx,
                            "eval.range.step",
                            "the step must be a positive duration such as \"1m\"",
                        );
                        None
                    }
                };
                let (start, end, step) = (start?, end?, step?);
                if end < start {
                    self.ex_error(
                        rspan,
                        cx,
                        "eval.range",
                        "the range must not end before it starts",
                    );
                    return None;
                }
                if (end - start) / step >= MAX_STEPS {
                    let msg =
                        format!("the range has more than {MAX_STEPS} steps; use a longer step");
                    self.ex_error(rspan, cx, "eval.range", &msg);
                    return None;
                }
                Some(Evaluation::Range { start, end, step })
            }
        }
    }

    fn compare(&mut self, raw: RawCompare, cx: &Ctx) -> Option<Comparison> {
        let tolerance = match raw.tolerance {
            None => DEFAULT_TOLERANCE,
            Some(t) => {
                let v = *t.get_ref();
                if !(v.is_finite() && (0.0..1.0).contains(&v)) {
                    self.ex_error(t.span(), cx, "compare.tolerance", "the tolerance is relative: a number from 0 up to (not including) 1, such as 1e-6");
                    return None;
                }
                v
            }
        };
        let mut labels = Vec::new();
        for (i, l) in raw.ignore_labels.iter().enumerate() {
            let name = l.get_ref();
            let valid = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit());
            if !valid {
                let msg = format!("{name:?} is not a label name");
                self.ex_error(
                    l.span(),
                    cx,
                    &format!("compare.ignore_labels[{}]", i + 1),
                    &msg,
                );
                return None;
            }
            labels.push(name.clone());
        }
        Some(Comparison {
            tolerance,
            ordered: raw.ordered,
            ignore_labels: labels,
        })
    }

    fn wrong(
        &mut self,
        raw: Vec<RawWrong>,
        reference: Option<&promql::Expr>,
        cx: &Ctx,
    ) -> Vec<WrongAnswer> {
        let mut out = Vec::new();
        for (i, w) in raw.into_iter().enumerate() {
            let field = format!("wrong[{}]", i + 1);
            if w.query.get_ref().trim().is_empty() {
                self.ex_error(
                    w.query.span(),
                    cx,
                    &format!("{field}.query"),
                    "must not be empty",
                );
                continue;
            }
            if w.feedback.get_ref().trim().is_empty() {
                self.ex_error(
                    w.feedback.span(),
                    cx,
                    &format!("{field}.feedback"),
                    "must not be empty: say what is wrong with this answer",
                );
                continue;
            }
            if let (Some(r), Ok(e)) = (reference, promql::parse(w.query.get_ref()))
                && r.same_query(&e)
            {
                self.ex_error(
                    w.query.span(),
                    cx,
                    &format!("{field}.query"),
                    "this is the reference query itself",
                );
                continue;
            }
            let line = self.line(w.query.span().start);
            out.push(WrongAnswer {
                query: w.query.into_inner(),
                feedback: w.feedback.into_inner(),
                line,
            });
        }
        out
    }

    fn constraints(&mut self, raw: RawConstraints, cx: &Ctx) -> Option<Constraints> {
        let mut out = Constraints::default();
        let mut ok = true;
        for (list, name, dest) in [
            (&raw.must_use, "constraints.must_use", &mut out.must_use),
            (
                &raw.must_not_use,
                "constraints.must_not_use",
                &mut out.must_not_use,
            ),
        ] {
            for (i, f) in list.iter().enumerate() {
                match Feature::parse(f.get_ref()) {
                    Ok(feature) => dest.push(feature),
                    Err(msg) => {
                        self.ex_error(f.span(), cx, &format!("{name}[{}]", i + 1), &msg);
                        ok = false;
                    }
                }
            }
        }
        for f in &out.must_use {
            if out.must_not_use.contains(f) {
                let span = raw.must_not_use.first().map_or(0..0, Spanned::span);
                let msg = format!("{f} is both required and forbidden");
                self.ex_error(span, cx, "constraints", &msg);
                ok = false;
            }
        }
        ok.then_some(out)
    }
}

/// Ids are used in URLs and storage keys.
fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("must not be empty".into());
    }
    if id.len() > 100 {
        return Err("an id has at most 100 characters".into());
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "{id:?} is not a valid id: use letters, digits, `-` and `_` only"
        ));
    }
    Ok(())
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end && outer.start < outer.end
}

/// The path (`.window.start`, `[2].feedback`) from `v` to the key or value at `span`.
fn path_to(v: &Spanned<DeValue<'_>>, span: &Range<usize>) -> Option<String> {
    match v.get_ref() {
        DeValue::Table(t) => {
            for (k, child) in t.iter() {
                let name: &str = k.get_ref();
                if contains(&k.span(), span) {
                    return Some(format!(".{name}"));
                }
                if let Some(p) = path_to(child, span) {
                    return Some(format!(".{name}{p}"));
                }
                if contains(&child.span(), span) {
                    return Some(format!(".{name}"));
                }
            }
            None
        }
        DeValue::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                if let Some(p) = path_to(child, span) {
                    return Some(format!("[{}]{p}", i + 1));
                }
                if contains(&child.span(), span) {
                    return Some(format!("[{}]", i + 1));
                }
            }
            None
        }
        _ => None,
    }
}

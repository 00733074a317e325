//! The script language: `load`, `clear` and `eval` commands, read as Prometheus'
//! `promql/promqltest/test.go` (d15adb9) reads them.
//!
//! Lines are trimmed and `#` lines are blank. A command's body runs to the next blank line.
//! The details that decide what a script means are Prometheus', quirks included, because a
//! script is only meaningful the way its authors ran it:
//!
//! * `eval` bodies: `expect ...` lines do not count as result positions (for `expect
//!   ordered`), `expect range vector` and `expect string` lines do; a line that is a plain
//!   number is a scalar result and ends the body, as do the legacy `expected_fail_message` and
//!   `expected_fail_regexp` lines (any lines after them are read as new commands).
//! * An instant eval with more than one value per series needs `expect range vector`.
//! * Evaluation times are offsets from Unix time 0, in Prometheus' duration syntax.
//!
//! Queries are not parsed here: a query our parser rejects fails that one eval, rather than
//! the whole file as it would in Prometheus (whose parser defines what a script may contain).

use super::series::{self, SeqValue, SeriesDesc};
use crate::promql::duration::parse_go_duration;
use crate::promql::literals;
use crate::tsdb::Labels;
use regex::Regex;
use std::fmt;
use std::sync::LazyLock;

// The patterns of Prometheus' `test.go`, compiled once. They are constants, so they always
// compile; `None` would only mean a typo here, and then no line would match.
static EVAL_INSTANT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$").ok()
});
static EVAL_RANGE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$",
    )
    .ok()
});
static EXPECT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$").ok()
});
static EXPECT_RANGE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$").ok());

/// A parsed script.
#[derive(Debug, Clone)]
pub struct Script {
    /// The commands in order.
    pub commands: Vec<Command>,
}

/// One command.
#[derive(Debug, Clone)]
pub enum Command {
    /// `load <interval>`: add samples.
    Load(Load),
    /// `clear`: drop all samples.
    Clear {
        /// 1-based line of the command.
        line: usize,
    },
    /// `eval ...`: run a query and check its result.
    Eval(Box<Eval>),
}

/// A `load` block.
#[derive(Debug, Clone)]
pub struct Load {
    /// 1-based line of the `load` command.
    pub line: usize,
    /// Milliseconds between a series' points.
    pub interval_ms: i64,
    /// `load_with_nhcb`: Prometheus also loads each classic histogram as a native histogram
    /// with custom buckets (NHCB) named after its base name.
    pub with_nhcb: bool,
    /// The series, each with the 1-based line it is on.
    pub series: Vec<(usize, SeriesDesc)>,
}

/// What a query's evaluation time or range is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalKind {
    /// `eval instant at <time>`.
    Instant,
    /// `eval range from <start> to <end> step <step>`.
    Range,
}

/// Which expectation an `expect` line states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExpectKind {
    /// `expect ordered`: the vector's order is the expected lines' order.
    Ordered,
    /// `expect fail`: the query fails.
    Fail,
    /// `expect warn`: at least one warning, every warning matched by a `warn` line.
    Warn,
    /// `expect no_warn`: no warning.
    NoWarn,
    /// `expect info`: at least one info annotation, each matched by an `info` line.
    Info,
    /// `expect no_info`: no info annotation.
    NoInfo,
}

impl ExpectKind {
    fn from_word(word: &str) -> Option<ExpectKind> {
        Some(match word {
            "ordered" => ExpectKind::Ordered,
            "fail" => ExpectKind::Fail,
            "warn" => ExpectKind::Warn,
            "no_warn" => ExpectKind::NoWarn,
            "info" => ExpectKind::Info,
            "no_info" => ExpectKind::NoInfo,
            _ => return None,
        })
    }
}

/// How an expectation matches a message.
#[derive(Debug, Clone)]
pub enum MessageMatch {
    /// No `msg:`/`regex:` part: anything matches.
    Any,
    /// `msg: text`: the exact message.
    Exact(String),
    /// `regex: pattern`: unanchored, as Go's `MatchString`.
    Regex(Regex),
}

impl MessageMatch {
    /// Whether `message` satisfies this expectation.
    pub fn matches(&self, message: &str) -> bool {
        match self {
            MessageMatch::Any => true,
            MessageMatch::Exact(m) => m == message,
            MessageMatch::Regex(r) => r.is_match(message),
        }
    }
}

impl fmt::Display for MessageMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageMatch::Any => f.write_str("anything"),
            MessageMatch::Exact(m) => write!(f, "message {m:?}"),
            MessageMatch::Regex(r) => write!(f, "pattern {:?}", r.as_str()),
        }
    }
}

/// One `expect` line.
#[derive(Debug, Clone)]
pub struct Expect {
    /// What it expects.
    pub kind: ExpectKind,
    /// Which messages satisfy it.
    pub matcher: MessageMatch,
}

/// A series an eval expects, with its values.
#[derive(Debug, Clone)]
pub struct ExpectedSeries {
    /// Its labels.
    pub labels: Labels,
    /// One point per step from the query's start (or the instant's single value).
    pub values: Vec<SeqValue>,
    /// Its position among the body's lines (for `expect ordered`), counted as Prometheus
    /// does: 1-based, `expect` lines not counted.
    pub pos: usize,
}

/// What result an eval expects.
#[derive(Debug, Clone)]
pub enum Expected {
    /// A list of series (possibly empty: no series at all).
    Series(Vec<ExpectedSeries>),
    /// A scalar.
    Scalar(f64),
}

/// An `eval` command.
#[derive(Debug, Clone)]
pub struct Eval {
    /// 1-based line of the `eval` command.
    pub line: usize,
    /// The query text.
    pub query: String,
    /// Instant or range.
    pub kind: EvalKind,
    /// Start of a range query; the evaluation time of an instant query; with `expect range
    /// vector`, the start of the expected range. Milliseconds.
    pub start: i64,
    /// End of a range query or of an expected range vector, in milliseconds.
    pub end: i64,
    /// Step of a range query or of an expected range vector, in milliseconds.
    pub step: i64,
    /// When an instant query runs, in milliseconds.
    pub eval_time: i64,
    /// Legacy `eval_fail`.
    pub fail: bool,
    /// Legacy `eval_warn`.
    pub warn: bool,
    /// Legacy `eval_info`.
    pub info: bool,
    /// Legacy `eval_ordered`.
    pub ordered: bool,
    /// Legacy `expected_fail_message`.
    pub expected_fail_message: Option<String>,
    /// Legacy `expected_fail_regexp`.
    pub expected_fail_regexp: Option<Regex>,
    /// The `expect` lines.
    pub expects: Vec<Expect>,
    /// The expected result.
    pub expected: Expected,
    /// `expect string "..."`: the expected string result.
    pub expected_string: Option<String>,
    /// Set by `expect range vector` and `expect string`: the instant query is not re-run as
    /// a range query.
    pub exclude_from_range_query: bool,
}

impl Eval {
    /// The `expect` lines of one kind.
    pub fn expects_of(&self, kind: ExpectKind) -> impl Iterator<Item = &Expect> {
        self.expects.iter().filter(move |e| e.kind == kind)
    }

    /// Whether the result must be in the expected order.
    pub fn is_ordered(&self) -> bool {
        self.ordered || self.expects_of(ExpectKind::Ordered).next().is_some()
    }

    /// Whether the query must fail.
    pub fn is_fail(&self) -> bool {
        self.fail || self.expects_of(ExpectKind::Fail).next().is_some()
    }

    /// Whether any expected point is a native histogram.
    pub fn expects_histograms(&self) -> bool {
        match &self.expected {
            Expected::Series(s) => s
                .iter()
                .any(|s| s.values.iter().any(|v| matches!(v, SeqValue::Histogram))),
            Expected::Scalar(_) => false,
        }
    }
}

/// Why a script does not parse; Prometheus rejects the whole file in these cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ScriptError {}

fn raise<T>(index: usize, message: impl Into<String>) -> Result<T, ScriptError> {
    Err(ScriptError {
        line: index + 1,
        message: message.into(),
    })
}

/// Prometheus' `model.ParseDuration`, in milliseconds.
pub fn parse_duration_ms(text: &str) -> Result<i64, String> {
    parse_go_duration(text)
        .map(|ns| (ns / 1_000_000) as i64)
        .map_err(|e| format!("invalid duration {text:?}: {e:?}"))
}

/// Parses a script.
pub fn parse(input: &str) -> Result<Script, ScriptError> {
    parse_limited(input, usize::MAX)
}

/// Parses a script whose series lines (`load` blocks and expected results) may expand to
/// at most `max_points` points in all.
///
/// Series notation expands (`0+1x1000000` is a million points in 12 bytes), so a script
/// from an untrusted source (an exercise pack opened from a URL) could otherwise make the
/// parser allocate without bound. Parsing stops at the series line that crosses the limit,
/// having held at most one line's expansion ([`series::MAX_POINTS`]) past it.
pub fn parse_limited(input: &str, max_points: usize) -> Result<Script, ScriptError> {
    let lines: Vec<&str> = input
        .split('\n')
        .map(|l| {
            let l = l.trim();
            if l.starts_with('#') { "" } else { l }
        })
        .collect();
    let mut commands = Vec::new();
    let mut points_left = max_points;
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.is_empty() {
            i += 1;
            continue;
        }
        let word = l
            .split([' ', '\t'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if word == "clear" {
            commands.push(Command::Clear { line: i + 1 });
        } else if word.starts_with("load") {
            let (end, load) = parse_load(&lines, i, &mut points_left, max_points)?;
            commands.push(Command::Load(load));
            i = end;
        } else if word.starts_with("eval") {
            let (end, eval) = parse_eval(&lines, i, &mut points_left, max_points)?;
            commands.push(Command::Eval(Box::new(eval)));
            i = end;
        } else {
            return raise(i, format!("invalid command {l:?}"));
        }
        i += 1;
    }
    Ok(Script { commands })
}

/// `load[_with_nhcb] <interval>` and its series; returns the index of its last line.
/// `points_left` is what remains of the script's `max_points`.
fn parse_load(
    lines: &[&str],
    start: usize,
    points_left: &mut usize,
    max_points: usize,
) -> Result<(usize, Load), ScriptError> {
    let l = lines[start];
    let rest = l.strip_prefix("load").unwrap_or_default();
    let (with_nhcb, rest) = match rest.strip_prefix("_with_nhcb") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if !rest.starts_with(char::is_whitespace) || rest.trim().is_empty() {
        return raise(
            start,
            "invalid load command. (load[_with_nhcb] <step:duration>)",
        );
    }
    let step = rest.trim();
    let interval_ms = parse_duration_ms(step)
        .or_else(|e| raise(start, format!("invalid step definition {step:?}: {e}")))?;
    let mut load = Load {
        line: start + 1,
        interval_ms,
        with_nhcb,
        series: Vec::new(),
    };
    let mut i = start;
    // A start-timestamp line waiting for its sample line: (line index, labels, count).
    let mut pending_st: Option<(usize, Labels, usize)> = None;
    while i + 1 < lines.len() && !lines[i + 1].is_empty() {
        i += 1;
        let def = lines[i];
        if is_st_line(def) {
            if let Some((at, _, _)) = pending_st {
                return raise(at, "@st line has no following sample line");
            }
            let (labels, count) = parse_st_line(def).or_else(|e| raise(i, e))?;
            pending_st = Some((i, labels, count));
            continue;
        }
        let desc = series::parse_series_desc(def).or_else(|e| raise(i, e.to_string()))?;
        match points_left.checked_sub(desc.values.len()) {
            Some(left) => *points_left = left,
            None => {
                return raise(
                    i,
                    format!("series lines expand to more than {max_points} points in all"),
                );
            }
        }
        if let Some((at, labels, count)) = pending_st.take() {
            if labels != desc.labels {
                return raise(
                    at,
                    "@st metric does not match the following sample line metric",
                );
            }
            if count != desc.values.len() {
                return raise(
                    at,
                    format!(
                        "@st line has {count} values but sample line has {}",
                        desc.values.len()
                    ),
                );
            }
        }
        load.series.push((i + 1, desc));
    }
    if let Some((at, _, _)) = pending_st {
        return raise(at, "@st line has no following sample line");
    }
    Ok((i, load))
}

/// Whether a load line gives start timestamps: `metric{...}@st <offsets>`.
fn is_st_line(line: &str) -> bool {
    line.find([' ', '\t'])
        .is_some_and(|space| line[..space].ends_with("@st"))
}

/// Parses a start-timestamp line and returns its metric and how many points it covers.
/// Start timestamps are validated like Prometheus does but not stored: our TSDB keeps no
/// start times, so evals that depend on them (`start_timestamps.test`) run without them.
fn parse_st_line(line: &str) -> Result<(Labels, usize), String> {
    let space = line
        .find([' ', '\t'])
        .ok_or("invalid @st line: missing value sequence")?;
    let metric = line[..space].strip_suffix("@st").unwrap_or_default();
    let (labels, end) = series::parse_metric(metric)
        .map_err(|e| format!("invalid @st line metric {metric:?}: {e}"))?;
    if end != metric.len() {
        return Err(format!("invalid @st line metric {metric:?}"));
    }
    let mut count = 0usize;
    for item in line[space..].split_whitespace() {
        count += st_item_len(item)
            .map_err(|e| format!("invalid @st sequence: invalid ST item {item:?}: {e}"))?;
        if count > series::MAX_POINTS {
            return Err(format!(
                "more than {} points in one series",
                series::MAX_POINTS
            ));
        }
    }
    Ok((labels, count))
}

/// How many positions one start-timestamp item covers: `_`, `_xN`, `<dur>`, `<dur>xN`,
/// `<dur>+<dur>xN`, `<dur>-<dur>xN` (durations may be signed).
fn st_item_len(item: &str) -> Result<usize, String> {
    let count = |n: &str, zero_ok: bool| -> Result<usize, String> {
        match n.parse::<u64>() {
            Ok(0) if !zero_ok => Err("invalid repeat count".into()),
            Ok(n) if n <= series::MAX_POINTS as u64 => Ok(n as usize),
            _ => Err("invalid repeat count".into()),
        }
    };
    if item == "_" {
        return Ok(1);
    }
    if let Some(n) = item.strip_prefix("_x") {
        return count(n, false);
    }
    let rest = duration_prefix(item)?;
    if rest.is_empty() {
        return Ok(1);
    }
    if let Some(n) = rest.strip_prefix('x') {
        return Ok(count(n, true)? + 1);
    }
    let Some(step) = rest.strip_prefix(['+', '-']) else {
        return Err(format!(
            "unexpected character {:?} after duration",
            &rest[..1]
        ));
    };
    let rest = duration_prefix(step).map_err(|e| format!("invalid step duration: {e}"))?;
    match rest.strip_prefix('x') {
        Some(n) => Ok(count(n, true)? + 1),
        None => Err("expected 'x<count>' after step duration".into()),
    }
}

/// Checks a signed duration at the start of `s` (digits and unit letters other than `x`) and
/// returns what follows it.
fn duration_prefix(s: &str) -> Result<&str, String> {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let digits = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(format!("expected digits in duration {s:?}"));
    }
    let unit = unsigned[digits..]
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic() && *b != b'x')
        .count();
    let text = &unsigned[..digits + unit];
    parse_go_duration(text).map_err(|_| format!("invalid duration {text:?}"))?;
    Ok(&unsigned[digits + unit..])
}

/// The parts of an eval line.
struct EvalLine<'a> {
    modifier: Option<&'a str>,
    kind: EvalKind,
    times: [&'a str; 3],
    query: &'a str,
}

/// Matches `^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$` and the
/// range form, as `patEvalInstant` and `patEvalRange` do.
fn split_eval_line(line: &str) -> Option<EvalLine<'_>> {
    let instant = EVAL_INSTANT.as_ref()?;
    let range = EVAL_RANGE.as_ref()?;
    if let Some(c) = instant.captures(line) {
        return Some(EvalLine {
            modifier: c.get(1).map(|m| m.as_str()),
            kind: EvalKind::Instant,
            times: [c.get(2).map_or("", |m| m.as_str()), "", ""],
            query: c.get(3)?.as_str(),
        });
    }
    let c = range.captures(line)?;
    Some(EvalLine {
        modifier: c.get(1).map(|m| m.as_str()),
        kind: EvalKind::Range,
        times: [c.get(2)?.as_str(), c.get(3)?.as_str(), c.get(4)?.as_str()],
        query: c.get(5)?.as_str(),
    })
}

/// `from`, `to` and `step` as Prometheus' `parseDurations` reads them.
fn parse_range(from: &str, to: &str, step: &str) -> Result<(i64, i64, i64), String> {
    let start = parse_duration_ms(from)
        .map_err(|e| format!("invalid start timestamp definition {from:?}: {e}"))?;
    let end = parse_duration_ms(to)
        .map_err(|e| format!("invalid end timestamp definition {to:?}: {e}"))?;
    if end < start {
        return Err(format!(
            "invalid test definition, end timestamp ({to}) is before start timestamp ({from})"
        ));
    }
    let step =
        parse_duration_ms(step).map_err(|e| format!("invalid step definition {step:?}: {e}"))?;
    Ok((start, end, step))
}

/// `points_left` is what remains of the script's `max_points` (expected series expand too).
fn parse_eval(
    lines: &[&str],
    start: usize,
    points_left: &mut usize,
    max_points: usize,
) -> Result<(usize, Eval), ScriptError> {
    let Some(parts) = split_eval_line(lines[start]) else {
        return raise(
            start,
            "invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered] instant \
             [at <offset:duration>] <query>' or 'eval[_fail|_warn] range from <from> to <to> \
             step <step> <query>'",
        );
    };
    let query = parts.query.to_string();
    let in_eval = |msg: String| ScriptError {
        line: start + 1,
        message: format!("error in eval {query} (line {}): {msg}", start + 1),
    };
    let (begin, end, step) = match parts.kind {
        EvalKind::Instant => {
            let at = parts.times[0];
            let t = parse_duration_ms(at)
                .map_err(|e| in_eval(format!("invalid timestamp definition {at:?}: {e}")))?;
            (t, 0, 0)
        }
        EvalKind::Range => {
            let [f, t, s] = parts.times;
            parse_range(f, t, s).map_err(in_eval)?
        }
    };
    let modifier = parts.modifier.unwrap_or_default();
    let mut eval = Eval {
        line: start + 1,
        query: query.clone(),
        kind: parts.kind,
        start: begin,
        end,
        step,
        eval_time: begin,
        fail: modifier == "fail",
        warn: modifier == "warn",
        info: modifier == "info",
        ordered: modifier == "ordered",
        expected_fail_message: None,
        expected_fail_regexp: None,
        expects: Vec::new(),
        expected: Expected::Series(Vec::new()),
        expected_string: None,
        exclude_from_range_query: false,
    };
    let mut series: Vec<ExpectedSeries> = Vec::new();
    let mut scalar = None;
    let mut expect_range_vector = false;
    let mut i = start;
    let mut j = 0usize;
    while i + 1 < lines.len() {
        j += 1;
        i += 1;
        let def = lines[i];
        if def.is_empty() {
            i -= 1;
            break;
        }
        if eval.fail
            && let Some(m) = def.strip_prefix("expected_fail_message")
        {
            eval.expected_fail_message = Some(m.trim().to_string());
            break;
        }
        if eval.fail
            && let Some(p) = def.strip_prefix("expected_fail_regexp")
        {
            let p = p.trim();
            let re = Regex::new(p).map_err(|e| {
                in_eval(format!(
                    "invalid regexp '{p}' for expected_fail_regexp: {e}"
                ))
            })?;
            eval.expected_fail_regexp = Some(re);
            break;
        }
        if let Some(rest) = def.strip_prefix("expect range vector") {
            let (s, e, st) = parse_expect_range(rest).map_err(in_eval)?;
            expect_range_vector = true;
            eval.start = s;
            eval.end = e;
            eval.step = st;
            eval.eval_time = e;
            eval.exclude_from_range_query = true;
            continue;
        }
        if def.starts_with("expect string") {
            eval.expected_string = Some(parse_string_literal(def).map_err(in_eval)?);
            eval.exclude_from_range_query = true;
            continue;
        }
        // A metric named `expect` can still be written `expect{}`.
        if def.split(' ').next() == Some("expect") {
            eval.expects.push(parse_expect(def).map_err(in_eval)?);
            j -= 1;
            validate_expects(&eval.expects).map_err(in_eval)?;
            continue;
        }
        if let Ok(v) = literals::parse_number(def) {
            scalar = Some(v);
            break;
        }
        let desc = series::parse_series_desc(def).or_else(|e| raise(i, e.to_string()))?;
        match points_left.checked_sub(desc.values.len()) {
            Some(left) => *points_left = left,
            None => {
                return raise(
                    i,
                    format!("series lines expand to more than {max_points} points in all"),
                );
            }
        }
        if desc.values.len() > 1 && parts.kind == EvalKind::Instant && !expect_range_vector {
            return Err(in_eval(
                "expecting multiple values in instant evaluation not allowed. consider using \
                 'expect range vector' directive to enable a range vector result for an instant \
                 query"
                    .into(),
            ));
        }
        // A series listed twice keeps its last values and position, as in Prometheus' map.
        series.retain(|s| s.labels != desc.labels);
        series.push(ExpectedSeries {
            labels: desc.labels,
            values: desc.values,
            pos: j,
        });
    }
    // In Prometheus a scalar line replaces the series map's meaning entirely.
    eval.expected = match scalar {
        Some(v) => Expected::Scalar(v),
        None => Expected::Series(series),
    };
    Ok((i, eval))
}

/// ` from <start> to <end> step <step>` after `expect range vector`.
fn parse_expect_range(rest: &str) -> Result<(i64, i64, i64), String> {
    let re = EXPECT_RANGE.as_ref().ok_or("internal error: bad pattern")?;
    let c = re
        .captures(rest)
        .ok_or_else(|| format!("invalid range vector definition \"expect range vector{rest}\""))?;
    let get = |n| c.get(n).map_or("", |m| m.as_str());
    parse_range(get(1), get(2), get(3))
}

/// `expect string "text"`: Go's `strconv.Unquote` of what follows.
fn parse_string_literal(line: &str) -> Result<String, String> {
    let missing = "expected string literal not valid - a quoted string literal is required";
    if line == "expect string" {
        return Err(missing.into());
    }
    let s = line.strip_prefix("expect string ").ok_or(missing)?;
    if s.is_empty() {
        return Err(missing.into());
    }
    let bad = "expected string literal not valid - check that the string is correctly quoted";
    // Go's single quotes hold exactly one character.
    if s.starts_with('\'') && s.chars().count() != 3 && !s.starts_with("'\\") {
        return Err(bad.into());
    }
    let bytes = literals::unquote(s).map_err(|_| bad)?;
    String::from_utf8(bytes).map_err(|_| bad.into())
}

/// `expect <type> [msg:|regex: <text>]`.
fn parse_expect(line: &str) -> Result<Expect, String> {
    let re = EXPECT.as_ref().ok_or("internal error: bad pattern")?;
    let invalid =
        "invalid expect statement, must match `expect <type> <match_type>: <string>` format";
    let c = re.captures(line.trim()).ok_or(invalid)?;
    let word = c.get(1).map_or("", |m| m.as_str());
    let kind = ExpectKind::from_word(word)
        .ok_or_else(|| format!("invalid expected error/annotation type {word}"))?;
    let text = c.get(3).map_or("", |m| m.as_str().trim());
    let matcher = match c.get(2).map(|m| m.as_str()) {
        None => MessageMatch::Any,
        Some("msg") => MessageMatch::Exact(text.to_string()),
        Some(_) => MessageMatch::Regex(
            Regex::new(text).map_err(|_| format!("invalid regex {text} for {word}"))?,
        ),
    };
    Ok(Expect { kind, matcher })
}

fn validate_expects(expects: &[Expect]) -> Result<(), String> {
    let has = |k| expects.iter().any(|e| e.kind == k);
    if has(ExpectKind::Info) && has(ExpectKind::NoInfo) {
        return Err("invalid expect lines, info and no_info cannot be used together".into());
    }
    if has(ExpectKind::Warn) && has(ExpectKind::NoWarn) {
        return Err("invalid expect lines, warn and no_warn cannot be used together".into());
    }
    if expects
        .iter()
        .filter(|e| e.kind == ExpectKind::Fail)
        .count()
        > 1
    {
        return Err("invalid expect lines, multiple expect fail lines are not allowed".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_limit_stops_at_the_line_that_crosses_it() {
        let script = "load 1m\n  a 0+1x10\n\nload 1m\n  b 0+1x10\n  c 1 2\n";
        // 11 + 11 + 2 points.
        assert!(parse_limited(script, 24).is_ok());
        let e = parse_limited(script, 23).unwrap_err();
        assert_eq!(e.line, 6);
        assert!(e.message.contains("more than 23 points"), "{}", e.message);
        let e = parse_limited(script, 21).unwrap_err();
        assert_eq!(e.line, 5);
    }

    fn evals(script: &str) -> Vec<Eval> {
        parse(script)
            .unwrap()
            .commands
            .into_iter()
            .filter_map(|c| match c {
                Command::Eval(e) => Some(*e),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn patterns_compile() {
        for p in [&EVAL_INSTANT, &EVAL_RANGE, &EXPECT, &EXPECT_RANGE] {
            assert!(p.is_some());
        }
    }

    #[test]
    fn commands_and_comments() {
        let s = parse(
            "# a comment\nload 5m\n  a{x=\"1\"} 0+10x3\n  b 1 _ stale\n\nclear\n\
             load_with_nhcb 1m\n  h_bucket{le=\"1\"} 1\n\neval instant at 10m a\n  a{x=\"1\"} 20\n",
        )
        .unwrap();
        assert_eq!(s.commands.len(), 4);
        match &s.commands[0] {
            Command::Load(l) => {
                assert_eq!((l.line, l.interval_ms, l.with_nhcb), (2, 300_000, false));
                assert_eq!(l.series.len(), 2);
                assert_eq!(l.series[1].0, 4);
                assert!(l.series[1].1.values[2].is_stale());
            }
            c => panic!("{c:?}"),
        }
        assert!(matches!(s.commands[1], Command::Clear { line: 6 }));
        assert!(matches!(&s.commands[2], Command::Load(l) if l.with_nhcb));
        match &s.commands[3] {
            Command::Eval(e) => {
                assert_eq!(
                    (e.line, e.kind, e.eval_time),
                    (10, EvalKind::Instant, 600_000)
                );
                assert_eq!(e.query, "a");
            }
            c => panic!("{c:?}"),
        }
    }

    #[test]
    fn range_eval_and_expectations() {
        let e = &evals(
            "eval range from 0 to 10m step 5m sum by (env) (m)\n  expect warn msg: PromQL warning: x (1:15)\n  \
             expect info regex: PromQL info: (a|b)\n  {env=\"p\"} 1 2 3\n  {env=\"q\"} _ 2 3\n",
        )[0];
        assert_eq!(
            (e.kind, e.start, e.end, e.step),
            (EvalKind::Range, 0, 600_000, 300_000)
        );
        assert_eq!(e.query, "sum by (env) (m)");
        assert_eq!(e.expects.len(), 2);
        assert!(e.expects[0].matcher.matches("PromQL warning: x (1:15)"));
        assert!(!e.expects[0].matcher.matches("PromQL warning: x"));
        assert!(e.expects[1].matcher.matches("PromQL info: b (1:1)"));
        match &e.expected {
            Expected::Series(s) => {
                assert_eq!(s.len(), 2);
                // `expect` lines do not count as positions.
                assert_eq!((s[0].pos, s[1].pos), (1, 2));
                assert_eq!(s[1].values[0], SeqValue::Omitted);
            }
            x => panic!("{x:?}"),
        }
    }

    #[test]
    fn legacy_forms() {
        let es = evals(
            "eval_fail instant at 0 a\n  expected_fail_message vector cannot contain metrics with the same labelset\n\n\
             eval_ordered instant at 50m sort(x)\n  x{a=\"2\"} 1\n  x{a=\"1\"} 2\n\n\
             eval_warn range from 0 to 1m step 1m y\n\neval_info instant at 0 z\n",
        );
        assert!(es[0].is_fail());
        assert_eq!(
            es[0].expected_fail_message.as_deref(),
            Some("vector cannot contain metrics with the same labelset")
        );
        assert!(es[1].is_ordered());
        assert!(es[2].warn && es[2].kind == EvalKind::Range);
        assert!(es[3].info);
    }

    #[test]
    fn scalars_strings_and_range_vectors() {
        let es = evals(
            "eval instant at 0 1 + 1\n  2\n\neval instant at 0 \"a\"\n  expect string \"a\"\n\n\
             eval instant at 1m m[1m]\n  expect range vector from 10s to 1m step 10s\n  m 1 2 3 4 5 6\n",
        );
        assert!(matches!(es[0].expected, Expected::Scalar(v) if v == 2.0));
        assert_eq!(es[1].expected_string.as_deref(), Some("a"));
        assert!(es[1].exclude_from_range_query);
        assert_eq!(
            (es[2].start, es[2].end, es[2].step, es[2].eval_time),
            (10_000, 60_000, 10_000, 60_000)
        );
    }

    #[test]
    fn instant_evals_take_one_value_per_series() {
        let err = parse("eval instant at 0 m\n  m 1 2\n").unwrap_err();
        assert!(err.message.contains("expect range vector"), "{err}");
    }

    #[test]
    fn bad_scripts() {
        for (bad, line) in [
            ("bogus command", 1),
            ("load\n", 1),
            ("load 1x\n", 1),
            ("load 1m\n  m 1 foo\n", 2),
            ("eval instant at 0\n", 1),
            ("eval instant at 1x m\n", 1),
            ("eval range from 1m to 0 step 1m m\n", 1),
            ("eval instant at 0 m\n  expect bogus\n", 1),
            ("eval instant at 0 m\n  expect warn\n  expect no_warn\n", 1),
            ("eval instant at 0 m\n  expect fail\n  expect fail\n", 1),
            ("eval instant at 0 m\n  expect fail regex: (\n", 1),
            ("eval instant at 0 m\n  expect string\n", 1),
            ("eval instant at 0 m\n  expect string 'ab'\n", 1),
            ("load 1m\n  m@st 0 0\n", 2),
            ("load 1m\n  m@st 0\n  m 1 2\n", 2),
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.line, line, "{bad:?}: {e}");
        }
    }

    #[test]
    fn start_timestamp_lines_are_validated_and_dropped() {
        let s = parse("load 1m\n  m@st 0s -1m+1mx2 _\n  m 1 2 3 4 5\n").unwrap();
        match &s.commands[0] {
            Command::Load(l) => assert_eq!(l.series.len(), 1),
            c => panic!("{c:?}"),
        }
    }
}

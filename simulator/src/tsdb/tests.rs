use super::*;
use crate::promql::matcher::MatchOp;

fn l(pairs: &[(&str, &str)]) -> Labels {
    Labels::new(pairs.iter().copied()).unwrap()
}

fn m(name: &str, op: MatchOp, value: &str) -> Matcher {
    matcher(name, op, value).unwrap()
}

/// Four series: http_requests_total for two jobs and codes, and up without `code`.
fn sample_db() -> Tsdb {
    let mut db = Tsdb::new();
    let series = [
        l(&[
            ("__name__", "http_requests_total"),
            ("job", "api"),
            ("code", "200"),
        ]),
        l(&[
            ("__name__", "http_requests_total"),
            ("job", "api"),
            ("code", "500"),
        ]),
        l(&[
            ("__name__", "http_requests_total"),
            ("job", "web"),
            ("code", "200"),
        ]),
        l(&[("__name__", "up"), ("job", "api")]),
    ];
    for (i, s) in series.iter().enumerate() {
        for k in 0..10 {
            db.append(s, k * 15_000, (i * 100 + k as usize) as f64)
                .unwrap();
        }
    }
    db
}

fn names(db: &Tsdb, refs: &[SeriesRef]) -> Vec<String> {
    refs.iter()
        .map(|r| db.labels(*r).unwrap().to_string())
        .collect()
}

#[test]
fn equality_and_inequality_matchers() {
    let db = sample_db();
    let sel = db.select(&[
        m("__name__", MatchOp::Equal, "http_requests_total"),
        m("code", MatchOp::Equal, "200"),
    ]);
    assert_eq!(
        names(&db, &sel),
        [
            "http_requests_total{code=\"200\", job=\"api\"}",
            "http_requests_total{code=\"200\", job=\"web\"}"
        ]
    );
    let sel = db.select(&[m("job", MatchOp::NotEqual, "api")]);
    assert_eq!(
        names(&db, &sel),
        ["http_requests_total{code=\"200\", job=\"web\"}"]
    );
    assert!(db.select(&[m("job", MatchOp::Equal, "nope")]).is_empty());
    assert_eq!(db.select(&[]).len(), 4);
}

#[test]
fn absent_labels_match_the_empty_string() {
    let db = sample_db();
    // `code=""` selects the series without `code`.
    assert_eq!(
        names(&db, &db.select(&[m("code", MatchOp::Equal, "")])),
        ["up{job=\"api\"}"]
    );
    // `code!=""` selects the series that have it.
    assert_eq!(db.select(&[m("code", MatchOp::NotEqual, "")]).len(), 3);
    // `code!~"5.."` includes the series without `code`.
    let sel = db.select(&[m("code", MatchOp::NotRegex, "5..")]);
    assert_eq!(sel.len(), 3);
    assert!(names(&db, &sel).contains(&"up{job=\"api\"}".to_string()));
    // `code=~"2..|"` includes it too; `code=~"2.."` does not.
    assert_eq!(db.select(&[m("code", MatchOp::Regex, "2..|")]).len(), 3);
    assert_eq!(db.select(&[m("code", MatchOp::Regex, "2..")]).len(), 2);
    // A label no series has: `=~".*"` selects everything, `=~".+"` nothing.
    assert_eq!(db.select(&[m("zone", MatchOp::Regex, ".*")]).len(), 4);
    assert!(db.select(&[m("zone", MatchOp::Regex, ".+")]).is_empty());
}

#[test]
fn regex_matchers_are_anchored_and_combine() {
    let db = sample_db();
    assert!(db.select(&[m("job", MatchOp::Regex, "ap")]).is_empty());
    let sel = db.select(&[
        m("__name__", MatchOp::Regex, "http_.*"),
        m("job", MatchOp::Regex, "api|web"),
        m("code", MatchOp::NotEqual, "500"),
    ]);
    assert_eq!(sel.len(), 2);
}

#[test]
fn results_are_sorted_by_labels_before_and_after_compaction() {
    let mut db = Tsdb::new();
    for job in ["c", "a", "b"] {
        db.append(&l(&[("__name__", "x"), ("job", job)]), 0, 1.0)
            .unwrap();
    }
    let expect = ["x{job=\"a\"}", "x{job=\"b\"}", "x{job=\"c\"}"];
    assert_eq!(names(&db, &db.select(&[])), expect);
    db.compact();
    assert_eq!(names(&db, &db.select(&[])), expect);
    db.append(&l(&[("__name__", "x"), ("job", "0")]), 0, 1.0)
        .unwrap();
    assert_eq!(names(&db, &db.select(&[]))[0], "x{job=\"0\"}");
}

#[test]
fn label_names_and_values() {
    let db = sample_db();
    assert_eq!(db.label_names(&[]), ["__name__", "code", "job"]);
    assert_eq!(
        db.label_names(&[m("__name__", MatchOp::Equal, "up")]),
        ["__name__", "job"]
    );
    assert_eq!(db.label_values("job", &[]), ["api", "web"]);
    assert_eq!(
        db.label_values("code", &[m("job", MatchOp::Equal, "web")]),
        ["200"]
    );
    assert!(db.label_values("nope", &[]).is_empty());
}

#[test]
fn out_of_order_and_duplicates_are_errors() {
    let mut db = Tsdb::new();
    let s = l(&[("__name__", "x")]);
    db.append(&s, 1000, 1.0).unwrap();
    assert!(matches!(
        db.append(&s, 999, 2.0),
        Err(AppendError::OutOfOrder {
            last: 1000,
            t: 999,
            ..
        })
    ));
    assert!(matches!(
        db.append(&s, 1000, 2.0),
        Err(AppendError::Duplicate { t: 1000, .. })
    ));
    // The same value at the same time is accepted and ignored.
    db.append(&s, 1000, 1.0).unwrap();
    assert_eq!(db.stats().samples, 1);
    assert!(matches!(
        db.append_ref(SeriesRef(99), 0, 0.0),
        Err(AppendError::UnknownSeries(_))
    ));
    assert_eq!(
        db.append_batch(&s, &[1, 2], &[1.0]),
        Err(AppendError::LengthMismatch)
    );
    let msg = db.append(&s, 5, 0.0).unwrap_err().to_string();
    assert!(msg.contains("out-of-order") && msg.contains("x"), "{msg}");
}

#[test]
fn range_reads_and_seek_across_chunks() {
    let mut db = Tsdb::new();
    let s = l(&[("__name__", "x")]);
    // 3 hours at 10 s: several chunks (cut each hour and every 480 samples).
    let n = 3 * 360;
    for k in 0..n {
        db.append(&s, k * 10_000, k as f64 * 0.5).unwrap();
    }
    let r = db.lookup(&s).unwrap();
    let all: Vec<(i64, f64)> = db.samples(r, i64::MIN, i64::MAX).collect();
    assert_eq!(all.len(), n as usize);
    // Inclusive bounds, in the middle of chunks.
    let part: Vec<i64> = db
        .samples(r, 3_595_000, 3_620_000)
        .map(|(t, _)| t)
        .collect();
    assert_eq!(part, [3_600_000, 3_610_000, 3_620_000]);
    assert_eq!(db.samples(r, 50, 60).count(), 0);
    assert_eq!(
        db.samples(r, 20_000, 20_000).collect::<Vec<_>>(),
        [(20_000, 1.0)]
    );
    // Seeking skips ahead, never back.
    let mut it = db.samples(r, 0, i64::MAX);
    assert_eq!(it.next(), Some((0, 0.0)));
    it.seek(7_200_000);
    assert_eq!(it.next(), Some((7_200_000, 360.0)));
    it.seek(0);
    assert_eq!(it.next(), Some((7_210_000, 360.5)));
    // Open (unsealed) chunks read the same as sealed ones.
    let before: Vec<(i64, f64)> = db.samples(r, 0, i64::MAX).collect();
    db.compact();
    let after: Vec<(i64, f64)> = db.samples(r, 0, i64::MAX).collect();
    assert_eq!(before, after);
    assert_eq!(db.samples(SeriesRef(7), 0, 10).count(), 0);
}

#[test]
fn stale_markers_and_special_values_survive_storage_bit_exactly() {
    let mut db = Tsdb::new();
    let s = l(&[("__name__", "x")]);
    let values = [
        1.0,
        stale_marker(),
        f64::NAN,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        stale_marker(),
        1e300,
        f64::from_bits(0x7ff8_0000_0000_0001),
    ];
    for (k, v) in values.iter().enumerate() {
        db.append(&s, k as i64 * 1000, *v).unwrap();
    }
    db.compact();
    let got: Vec<u64> = db
        .samples(db.lookup(&s).unwrap(), 0, i64::MAX)
        .map(|(_, v)| v.to_bits())
        .collect();
    let want: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
    assert_eq!(got, want);
    assert!(is_stale_marker(stale_marker()));
    assert!(!is_stale_marker(f64::NAN));
}

#[test]
fn series_scraped_together_share_timestamps() {
    let mut db = Tsdb::new();
    let ts: Vec<i64> = (0..240).map(|k| k * 15_000 + (k * 7) % 3).collect();
    for i in 0..50 {
        let s = l(&[("__name__", "x"), ("i", &i.to_string())]);
        let vs: Vec<f64> = (0..240).map(|k| (k * i) as f64).collect();
        db.append_batch(&s, &ts, &vs).unwrap();
    }
    db.compact();
    let st = db.stats();
    assert_eq!(st.samples, 50 * 240);
    assert_eq!(st.chunks, 50);
    // One shared column of 240 timestamps, not fifty.
    assert!(st.timestamp_bytes < 400, "{st:?}");
    assert!(st.bytes_per_sample() < 2.0, "{st:?}");
}

#[test]
fn metadata_lookup_by_series_name() {
    let mut db = Tsdb::new();
    let meta = |kind| Metadata {
        kind,
        help: "h".into(),
        unit: String::new(),
    };
    db.set_metadata("req_duration_seconds", meta(MetricType::Histogram));
    db.set_metadata("rpc_seconds", meta(MetricType::Summary));
    db.set_metadata("x_total", meta(MetricType::Counter));
    assert_eq!(
        db.metadata_for("req_duration_seconds_bucket").unwrap().0,
        "req_duration_seconds"
    );
    assert_eq!(
        db.metadata_for("rpc_seconds_count").unwrap().0,
        "rpc_seconds"
    );
    assert!(db.metadata_for("rpc_seconds_bucket").is_none());
    assert_eq!(
        db.metadata_for("x_total").unwrap().1.kind,
        MetricType::Counter
    );
    assert!(db.metadata_for("y").is_none());
}

#[test]
fn an_iterator_reused_across_series_reads_each_series_exactly() {
    let mut db = Tsdb::new();
    let a = Labels::new([("__name__", "a")]).unwrap();
    let b = Labels::new([("__name__", "b")]).unwrap();
    let c = Labels::new([("__name__", "c")]).unwrap();
    for i in 0..2000i64 {
        db.append(&a, i * 15_000, i as f64).unwrap();
        db.append(&b, i * 15_000, -(i as f64)).unwrap();
        if i % 3 == 0 {
            db.append(&c, i * 15_000 + 7, 0.5).unwrap();
        }
    }
    db.compact();
    let refs = [
        db.lookup(&a).unwrap(),
        db.lookup(&b).unwrap(),
        db.lookup(&c).unwrap(),
    ];
    let mut it = db.samples(refs[0], 0, -1);
    for (mint, maxt) in [(0, i64::MAX), (3_000_000, 9_000_000), (10_000, 10_000)] {
        for &r in refs.iter().chain(refs.iter().rev()) {
            it = db.samples_reusing(r, mint, maxt, it);
            let reused: Vec<(i64, f64)> = it.by_ref().collect();
            let fresh: Vec<(i64, f64)> = db.samples(r, mint, maxt).collect();
            assert_eq!(reused, fresh);
        }
    }
}

#[test]
fn an_iterator_reused_over_more_shared_columns_than_it_keeps_reads_exactly() {
    // 300 hourly chunks, so 300 shared timestamp columns (more than the iterator keeps);
    // three series read in turn, twice, each over all of them and over a slice of them.
    let mut db = Tsdb::new();
    let names = ["a", "b", "c"];
    let series: Vec<Labels> = names
        .iter()
        .map(|n| Labels::new([("__name__", *n)]).unwrap())
        .collect();
    for i in 0..1200i64 {
        for (k, s) in series.iter().enumerate() {
            db.append(s, i * 900_000 + 1, (i * (k as i64 + 1)) as f64)
                .unwrap();
        }
    }
    db.compact();
    let refs: Vec<SeriesRef> = series.iter().map(|s| db.lookup(s).unwrap()).collect();
    let mut it = db.samples(refs[0], 0, -1);
    for _ in 0..2 {
        for (mint, maxt) in [(0, i64::MAX), (100 * 3_600_000, 200 * 3_600_000)] {
            for &r in &refs {
                it = db.samples_reusing(r, mint, maxt, it);
                let reused: Vec<(i64, f64)> = it.by_ref().collect();
                let fresh: Vec<(i64, f64)> = db.samples(r, mint, maxt).collect();
                assert!(!fresh.is_empty());
                assert_eq!(reused, fresh);
            }
        }
    }
}

#[test]
fn reads_that_start_at_a_resume_mark_return_exactly_the_samples_in_range() {
    // Integers, floats, repeats, NaN and stale markers, so every value code is resumed from;
    // at 7 s, chunks hold up to 480 samples (several resume marks each).
    let mut db = Tsdb::new();
    let s = l(&[("__name__", "x")]);
    let mut all = Vec::new();
    for k in 0..3000i64 {
        let v = match k % 11 {
            0 => f64::NAN,
            1 => stale_marker(),
            2 | 3 => 42.0,
            4 => k as f64 / 3.0,
            _ => (k * 13) as f64,
        };
        db.append(&s, k * 7_000, v).unwrap();
        all.push((k * 7_000, v.to_bits()));
    }
    db.compact();
    let r = db.lookup(&s).unwrap();
    let bits = |it: SampleIter<'_>| it.map(|(t, v)| (t, v.to_bits())).collect::<Vec<_>>();
    for mint in (0..21_000_000).step_by(1_234_567) {
        for len in [0, 7_000, 300_000, 3_600_000, 9_000_000] {
            let maxt = mint + len;
            let want: Vec<(i64, u64)> = all
                .iter()
                .copied()
                .filter(|&(t, _)| t >= mint && t <= maxt)
                .collect();
            assert_eq!(bits(db.samples(r, mint, maxt)), want, "[{mint}, {maxt}]");
        }
    }
    // A seek moves the next chunk's start, so it decodes from a mark too.
    let mut it = db.samples(r, 0, i64::MAX);
    it.next();
    it.seek(5_000_003);
    let want: Vec<(i64, u64)> = all
        .iter()
        .copied()
        .filter(|&(t, _)| t >= 5_000_003)
        .collect();
    assert_eq!(bits(it), want);
}

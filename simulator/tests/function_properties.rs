//! Property tests of the function kernels on arbitrary input: no panics, and the orders
//! handed to Rust's sorts are total (a comparator that is not may make a sort panic).

#![cfg(not(target_arch = "wasm32"))]
// A test's helpers may unwrap: a panic there is a failing test.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use simulator::promql::functions::histogram::{Bucket, bucket_fraction, bucket_quantile, parse_le};
use simulator::promql::functions::label::{LabelReplace, expand};
use simulator::promql::functions::over_time;
use simulator::promql::functions::rate;
use simulator::promql::functions::shape::natural_cmp;
use simulator::tsdb::Labels;
use std::cmp::Ordering;

/// Strings made of what natural order cares about: runs of digits (some longer than an
/// int64 holds, some with leading zeros), letters, dots, and a few others.
fn label_value() -> impl Strategy<Value = String> {
    proptest::string::string_regex("([0-9]{0,3}|0*[1-9][0-9]{17,21}|[a.Z_é :]{0,3}){0,4}").unwrap()
}

/// Any float, NaN and infinities included, with ordinary values more likely.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e6f64..1e6,
        1 => any::<f64>(),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(0.0),
    ]
}

/// A window: ascending distinct timestamps and arbitrary values.
fn window() -> impl Strategy<Value = (Vec<i64>, Vec<f64>)> {
    proptest::collection::vec((1i64..120_000, float()), 0..40).prop_map(|steps| {
        let mut t = 0;
        let mut ts = Vec::new();
        let mut vs = Vec::new();
        for (dt, v) in steps {
            t += dt;
            ts.push(t);
            vs.push(v);
        }
        (ts, vs)
    })
}

proptest! {
    #[test]
    fn natural_order_is_total(a in label_value(), b in label_value(), c in label_value()) {
        prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
        prop_assert_eq!(natural_cmp(&a, &b) == Ordering::Equal, a == b);
        if natural_cmp(&a, &b) != Ordering::Greater && natural_cmp(&b, &c) != Ordering::Greater {
            prop_assert_ne!(natural_cmp(&a, &c), Ordering::Greater);
        }
        let mut v = [a, b, c];
        v.sort_by(|x, y| natural_cmp(x, y));
    }

    #[test]
    fn le_parsing_never_panics_and_reads_plain_decimals(s in ".{0,24}", x in -1e12f64..1e12) {
        let _ = parse_le(&s);
        prop_assert_eq!(parse_le(&x.to_string()), Some(x));
    }

    #[test]
    fn histogram_kernels_take_any_buckets(
        pairs in proptest::collection::vec((float(), float()), 0..12),
        q in float(),
        lo in float(),
        hi in float(),
    ) {
        let buckets: Vec<Bucket> = pairs
            .iter()
            .map(|&(upper_bound, count)| Bucket { upper_bound, count })
            .collect();
        let _ = bucket_quantile(q, &mut buckets.clone());
        let _ = bucket_fraction(lo, hi, &mut buckets.clone());
    }

    #[test]
    fn range_kernels_take_any_window((t, v) in window(), q in float(), eval in -1_000_000i64..1_000_000) {
        let start = t.first().map_or(0, |&x| x - 1);
        let end = t.last().copied().unwrap_or(0);
        let secs = (end - start) as f64 / 1000.0;
        for (counter, is_rate) in [(true, true), (true, false), (false, false)] {
            let r = rate::extrapolated_rate(&t, &v, None, start, end, secs, counter, is_rate);
            prop_assert_eq!(r.is_some(), t.len() >= 2);
            // The drops the engine lists give the same bits as scanning the window.
            let drops: Vec<f64> = v.windows(2).filter(|w| w[1] < w[0]).map(|w| w[0]).collect();
            let listed = rate::extrapolated_rate(&t, &v, Some(&drops), start, end, secs, counter, is_rate);
            prop_assert_eq!(r.map(f64::to_bits), listed.map(f64::to_bits));
            for smoothed in [false, true] {
                let _ = rate::extended_rate(&t, &v, start, end, secs, smoothed, counter, is_rate);
            }
        }
        let _ = rate::instant_value(&t, &v, true);
        let _ = rate::deriv(&t, &v);
        let _ = rate::predict_linear(&t, &v, eval, q);
        let _ = rate::double_exponential_smoothing(&v, 0.5, 0.5);
        let mut scratch = Vec::new();
        let _ = over_time::quantile_over_time(q, &v, &mut scratch);
        let _ = over_time::mad_over_time(&v, &mut scratch);
        prop_assert_eq!(over_time::avg_over_time(&v).is_some(), !v.is_empty());
        let _ = over_time::stddev_over_time(&v);
        let _ = over_time::ts_of_max_over_time(&t, &v);
        if let Some(i) = rate::anchored_start(&t, eval) {
            prop_assert!(i < t.len());
        }
    }

    #[test]
    fn label_replace_takes_any_template(template in ".{0,16}", value in ".{0,8}") {
        let r = LabelReplace::new(b"dst", template.as_bytes(), b"src", b"(.)(?P<rest>.*)");
        prop_assume!(r.is_ok());
        let labels = Labels::new([("src", value.as_str())]).unwrap_or_else(|_| Labels::empty());
        let _ = r.unwrap().apply(&labels);
        let re = regex::Regex::new("(a)?").unwrap();
        let caps = re.captures("").unwrap();
        let _ = expand(&template, &caps, &re);
    }
}

//! `ebanking`: the eBanking metrics exporter of seed 000 (Data2AI Academy's Grafana training
//! stack), scraped as its `prometheus.yml` configures it.
//!
//! One target, `ebanking-exporter:9200` in job `ebanking`, with the target labels
//! `service="ebanking"`, `tier="application"` and `environment="training"`, scraped every
//! 15 s. It exposes the sixteen families of the exporter's README (transactions, sessions,
//! accounts, API, authentication, errors and fraud, database, business) with the exporter's
//! label values, buckets and ratios: 90 % of transactions succeed, 95 % of API requests
//! answer 200, about 5 % of iterations log an API error and 1.5 % a fraud alert.
//!
//! Where the Python exporter draws nonsense for the sake of brevity we keep its intent and
//! make the data teach: it pairs every HTTP method with every endpoint (`DELETE
//! /api/v1/balance`), so we keep the pairs a banking API has; it redraws account balances
//! uniformly every second, so ours wander slowly; its "time of day" is an iteration counter,
//! so ours follows the UTC clock with the busiest hour at 12:30; its daily revenue is a
//! random number, so ours accumulates through the day and starts again at midnight.
//!
//! Two incidents a day, both inside the default window (06:00 to 12:00 UTC): a fraud wave
//! at 09:10 and an API error burst (database connection pool exhausted) at 10:40.

use super::noise::Stream;
use super::process::SeriesContext;
use super::{
    Counter, DAY, Family, FamilyId, Gauge, GaugeFn, HOUR, Histogram, Incident, IncidentId,
    IncidentKind, MINUTE, Rate, Regime, SECOND, Scenario, ScenarioBuilder, ScenarioError, Schedule,
    Target, TargetId, WEEK, WEEK_ORIGIN,
};
use std::f64::consts::TAU;
use std::sync::Arc;

/// Transactions per second at the daily mean. The exporter (training mode) processes
/// `randint(2, 5) · 2` transactions per loop iteration of 0.5 to 2 s: about 5.6 per second.
const TRANSACTIONS_PER_SECOND: f64 = 5.6;
/// API requests per second at the daily mean: 3 to 8 per iteration.
const REQUESTS_PER_SECOND: f64 = 4.4;
/// Login attempts per second: one per iteration.
const LOGINS_PER_SECOND: f64 = 0.8;
/// The UTC time of the busiest moment of the day, and how far traffic swings around its mean.
const PEAK: i64 = 12 * HOUR + 30 * MINUTE;
const SWING: f64 = 0.45;

/// Transaction types and their share of transactions.
const TRANSACTION_TYPES: [(&str, f64); 5] = [
    ("transfer", 0.25),
    ("payment", 0.30),
    ("withdrawal", 0.18),
    ("deposit", 0.12),
    ("bill_payment", 0.15),
];
/// Transaction statuses and their share (the exporter's training weights 90/7/2/1).
const STATUSES: [(&str, f64); 4] = [
    ("success", 0.90),
    ("failed", 0.07),
    ("pending", 0.02),
    ("cancelled", 0.01),
];
/// Channels and their share. The exporter picks uniformly; a bank's customers do not.
const CHANNELS: [(&str, f64); 4] = [
    ("mobile", 0.46),
    ("web", 0.34),
    ("atm", 0.13),
    ("branch", 0.07),
];

/// The API: endpoint, method, share of requests, and the latency of a normal request
/// (median and 99th percentile, seconds). Reads are fast, writes slower, as in the exporter
/// (GET 0.01 to 0.5 s, others 0.1 to 2 s).
const ENDPOINTS: [(&str, &str, f64, f64, f64); 9] = [
    ("/api/v1/balance", "GET", 0.28, 0.06, 0.42),
    ("/api/v1/transactions", "GET", 0.22, 0.09, 0.48),
    ("/api/v1/accounts", "GET", 0.12, 0.07, 0.45),
    ("/api/v1/login", "POST", 0.10, 0.32, 1.7),
    ("/api/v1/transfer", "POST", 0.09, 0.45, 1.9),
    ("/api/v1/cards", "GET", 0.07, 0.07, 0.45),
    ("/api/v1/statements", "GET", 0.06, 0.12, 0.5),
    ("/api/v1/accounts", "PUT", 0.03, 0.3, 1.6),
    ("/api/v1/cards", "PUT", 0.03, 0.28, 1.6),
];
/// Response codes and their share (the exporter's weights 95/2/1/2).
const STATUS_CODES: [(&str, f64); 4] = [("200", 0.95), ("400", 0.02), ("404", 0.01), ("500", 0.02)];

const ERROR_TYPES: [&str; 5] = [
    "timeout",
    "validation",
    "authentication",
    "network",
    "database",
];
const SEVERITIES: [(&str, f64); 4] = [
    ("low", 0.30),
    ("medium", 0.35),
    ("high", 0.25),
    ("critical", 0.10),
];
const FRAUD_TYPES: [&str; 4] = [
    "suspicious_amount",
    "unusual_location",
    "velocity",
    "pattern_anomaly",
];
const FRAUD_SEVERITIES: [(&str, f64); 4] = [
    ("low", 0.40),
    ("medium", 0.35),
    ("high", 0.20),
    ("critical", 0.05),
];
const LOGIN_METHODS: [(&str, f64); 4] = [
    ("password", 0.40),
    ("biometric", 0.35),
    ("otp", 0.15),
    ("sso", 0.10),
];
const FAILED_LOGIN_REASONS: [(&str, f64); 3] = [
    ("invalid_credentials", 0.70),
    ("account_locked", 0.10),
    ("expired_session", 0.20),
];
const CURRENCIES: [(&str, f64); 4] = [("EUR", 1.0), ("USD", 0.35), ("GBP", 0.2), ("CHF", 0.15)];
/// Account types: total EUR balance and number of active accounts.
const ACCOUNT_TYPES: [(&str, f64, f64); 4] = [
    ("checking", 48e6, 8200.0),
    ("savings", 126e6, 5100.0),
    ("business", 82e6, 940.0),
    ("investment", 64e6, 610.0),
];
const POOLS: [(&str, f64, f64); 3] = [
    ("primary", 26.0, 9.0),
    ("replica", 17.0, 6.0),
    ("analytics", 8.0, 3.0),
];
/// Query types: queries per second, and normal latency (median, p99).
const QUERY_TYPES: [(&str, f64, f64, f64); 4] = [
    ("select", 2.4, 0.004, 0.08),
    ("insert", 0.9, 0.011, 0.18),
    ("update", 0.7, 0.013, 0.2),
    ("delete", 0.1, 0.009, 0.15),
];

const AMOUNT_BUCKETS: [f64; 8] = [10.0, 50.0, 100.0, 500.0, 1000.0, 5000.0, 10000.0, 50000.0];
const SESSION_BUCKETS: [f64; 6] = [60.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0];
const REQUEST_BUCKETS: [f64; 8] = [0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0];
const QUERY_BUCKETS: [f64; 7] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0];

/// The traffic shape every business flow follows.
fn traffic(level: f64) -> Rate {
    Rate::per_second(level).daily(SWING, PEAK)
}

/// Status shares that keep the total unchanged while an incident multiplies some of them:
/// the first entry (the "good" outcome) absorbs the difference. Returns, per status, its
/// share and the factor to apply during the incident.
fn shifted(shares: &[(&str, f64)], factors: &[(&str, f64)]) -> Vec<f64> {
    let factor = |name: &str| {
        factors
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(1.0, |(_, f)| *f)
    };
    let others: f64 = shares.iter().skip(1).map(|(n, s)| s * factor(n)).sum();
    let first = shares.first().map_or(1.0, |(_, s)| *s);
    let mut out = vec![((1.0 - others) / first).max(0.0)];
    out.extend(shares.iter().skip(1).map(|(n, _)| factor(n)));
    out
}

/// `ebanking_daily_revenue_eur`: revenue booked since 00:00 UTC. It grows with the day's
/// traffic (the integral of the daily cycle, in closed form) and starts again at midnight,
/// a gauge that looks like a counter reset every day. Each day's total is drawn around
/// 100,000 EUR, the exporter's training figure.
#[derive(Debug)]
struct DailyRevenue;

const SALT_REVENUE: u64 = 0x4e7e;

impl GaugeFn for DailyRevenue {
    fn fill(&self, cx: &SeriesContext<'_>, ts: &[i64], out: &mut [f64]) {
        let days: Stream = cx.stream(SALT_REVENUE);
        let w = TAU / DAY as f64;
        for (o, &t) in out.iter_mut().zip(ts) {
            let since = t - WEEK_ORIGIN;
            let day = since.div_euclid(DAY);
            let x = since.rem_euclid(DAY) as f64;
            let total = 100_000.0 * (0.9 + 0.2 * days.unit(day));
            // ∫₀ˣ 1 + a·cos(w(u − peak)) du, divided by the day's length.
            let share = (x + SWING / w
                * (libm::sin(w * (x - PEAK as f64)) + libm::sin(w * PEAK as f64)))
                / DAY as f64;
            *o = (total * share * 100.0).round() / 100.0;
        }
    }
}

struct Families {
    transactions: FamilyId,
    amount: FamilyId,
    sessions: FamilyId,
    session_duration: FamilyId,
    balance: FamilyId,
    accounts: FamilyId,
    request_duration: FamilyId,
    requests: FamilyId,
    logins: FamilyId,
    failed_logins: FamilyId,
    api_errors: FamilyId,
    fraud: FamilyId,
    connections: FamilyId,
    query_duration: FamilyId,
    revenue: FamilyId,
    satisfaction: FamilyId,
}

fn families(b: &mut ScenarioBuilder) -> Families {
    Families {
        transactions: b.family(Family::counter(
            "ebanking_transactions_processed_total",
            "Total number of processed transactions",
        )),
        amount: b.family(
            Family::histogram(
                "ebanking_transaction_amount_eur",
                "Transaction amounts in EUR",
            )
            .unit("eur"),
        ),
        sessions: b.family(Family::gauge(
            "ebanking_active_sessions",
            "Current number of active user sessions",
        )),
        session_duration: b.family(
            Family::histogram(
                "ebanking_session_duration_seconds",
                "User session duration in seconds",
            )
            .unit("seconds"),
        ),
        balance: b.family(Family::gauge(
            "ebanking_account_balance_total",
            "Total account balance across all accounts",
        )),
        accounts: b.family(Family::gauge(
            "ebanking_active_accounts_total",
            "Total number of active accounts",
        )),
        request_duration: b.family(
            Family::histogram(
                "ebanking_request_duration_seconds",
                "Time taken to process API requests",
            )
            .unit("seconds"),
        ),
        requests: b.family(Family::counter(
            "ebanking_api_requests_total",
            "Total number of API requests",
        )),
        logins: b.family(Family::counter(
            "ebanking_login_attempts_total",
            "Total number of login attempts",
        )),
        failed_logins: b.family(Family::counter(
            "ebanking_failed_login_attempts_total",
            "Total number of failed login attempts",
        )),
        api_errors: b.family(Family::counter(
            "ebanking_api_errors_total",
            "Total number of API errors",
        )),
        fraud: b.family(Family::counter(
            "ebanking_fraud_alerts_total",
            "Total number of fraud alerts",
        )),
        connections: b.family(Family::gauge(
            "ebanking_database_connections",
            "Current number of database connections",
        )),
        query_duration: b.family(
            Family::histogram(
                "ebanking_database_query_duration_seconds",
                "Database query execution time",
            )
            .unit("seconds"),
        ),
        revenue: b.family(
            Family::gauge("ebanking_daily_revenue_eur", "Daily revenue in EUR").unit("eur"),
        ),
        satisfaction: b.family(Family::gauge(
            "ebanking_customer_satisfaction_score",
            "Customer satisfaction score (0-100)",
        )),
    }
}

/// Builds the `ebanking` scenario.
pub fn build() -> Result<Scenario, ScenarioError> {
    let mut b = ScenarioBuilder::new("ebanking", "eBanking exporter");
    b.describe(
        "The eBanking metrics exporter of the Grafana training stack (seed 000): one target, \
         ebanking-exporter:9200 in job \"ebanking\" with the target labels service, tier and \
         environment, scraped every 15 s. Transactions by type, status and channel, active \
         sessions, balances by currency and account type, API requests by endpoint, method \
         and status code with a latency histogram, logins, API errors, fraud alerts, database \
         connection pools and query latency, daily revenue and customer satisfaction. Traffic \
         follows the day, busiest at 12:30 UTC. A fraud wave starts at 09:10 UTC and the \
         database connection pool runs dry at 10:40 UTC.",
    );
    let t = b.target(
        Target::new("ebanking", "ebanking-exporter:9200")
            .label("service", "ebanking")
            .label("tier", "application")
            .label("environment", "training"),
    );
    // The training stack is brought up afresh every week, so the exporter's counters hold
    // days of traffic, not the years since the scenario's epoch.
    b.incident(
        Incident::new(
            IncidentKind::Restart,
            "Weekly restart of the training stack",
        )
        .schedule(Schedule::every(WEEK, 5 * HOUR, 40 * SECOND))
        .targets(&[t])
        .describe(
            "Every Monday at 05:00 UTC the training stack is restarted with docker-compose: \
                 the exporter cannot be scraped for 40 seconds and its counters start again \
                 from zero.",
        )
        .shows("resets(ebanking_api_requests_total[1w])")
        .shows("up{job=\"ebanking\"}"),
    );
    let fraud_wave = b.incident(
        Incident::new(IncidentKind::Other, "Fraud wave")
            .at(9, 10)
            .lasting(35 * MINUTE)
            .describe(
                "A card-testing and account-takeover campaign. Fraud alerts jump from under \
                 one a minute to about fifteen a minute, mostly velocity and unusual-location \
                 alerts, and their severity shifts towards high and critical. Failed logins \
                 multiply (credential stuffing, accounts locked), and more transactions end \
                 failed or cancelled as cards are blocked.",
            )
            .shows("rate(ebanking_fraud_alerts_total[1m]) * 60")
            .shows("sum by (alert_type) (rate(ebanking_fraud_alerts_total[5m]))")
            .shows("sum by (reason) (rate(ebanking_failed_login_attempts_total[5m]))")
            .shows("sum by (status) (rate(ebanking_transactions_processed_total[5m]))"),
    );
    let error_burst = b.incident(
        Incident::new(IncidentKind::ErrorBurst, "Database connection pool exhausted")
            .at(10, 40)
            .lasting(15 * MINUTE)
            .describe(
                "The primary database's connection pool is exhausted (50 of 50 connections in \
                 use). Database queries slow down tenfold, API requests time out: 5xx \
                 responses go from 2 % to a quarter of all requests, writes (POST and PUT) get \
                 slow, database and timeout errors pile up, failed transactions multiply and \
                 customer satisfaction drops.",
            )
            .shows("sum(rate(ebanking_api_requests_total{status_code=~\"5..\"}[5m])) / sum(rate(ebanking_api_requests_total[5m]))")
            .shows("histogram_quantile(0.95, sum by (le, endpoint) (rate(ebanking_request_duration_seconds_bucket[5m])))")
            .shows("ebanking_database_connections{pool=\"primary\"}")
            .shows("sum by (error_type) (rate(ebanking_api_errors_total[5m]))"),
    );
    let f = families(&mut b);
    transactions(&mut b, &f, t, fraud_wave, error_burst);
    sessions_and_accounts(&mut b, &f, t, error_burst);
    api(&mut b, &f, t, fraud_wave, error_burst);
    database(&mut b, &f, t, error_burst);
    b.build()
}

fn transactions(
    b: &mut ScenarioBuilder,
    f: &Families,
    t: TargetId,
    fraud_wave: IncidentId,
    error_burst: IncidentId,
) {
    // Blocked cards cancel transactions during the fraud wave; database errors fail them
    // during the burst. The successes absorb the difference, so the number of transactions
    // (and of amount observations) stays what the traffic says.
    let wave = shifted(&STATUSES, &[("failed", 2.0), ("cancelled", 4.0)]);
    let burst = shifted(&STATUSES, &[("failed", 4.5), ("pending", 3.0)]);
    for (ty, ty_share) in TRANSACTION_TYPES {
        let flow = traffic(TRANSACTIONS_PER_SECOND * ty_share);
        for (i, (status, share)) in STATUSES.iter().enumerate() {
            for (channel, channel_share) in CHANNELS {
                let rate = flow
                    .clone()
                    .times(share * channel_share)
                    .during(fraud_wave, wave[i])
                    .during(error_burst, burst[i]);
                b.series(
                    f.transactions,
                    t,
                    &[
                        ("transaction_type", ty),
                        ("status", status),
                        ("channel", channel),
                    ],
                    Counter::events(rate),
                );
            }
        }
        // Amounts in EUR: cash withdrawals are round and small, transfers large; during
        // the fraud wave a third of transfers are the large ones fraudsters try.
        let (median, p99) = match ty {
            "withdrawal" => (100.0, 500.0),
            "transfer" => (800.0, 9000.0),
            "bill_payment" => (110.0, 480.0),
            "deposit" => (600.0, 4800.0),
            _ => (140.0, 3000.0),
        };
        let mut amounts = Histogram::new(&AMOUNT_BUCKETS).regime(Regime::lognormal(
            flow.clone().except_during(fraud_wave),
            &AMOUNT_BUCKETS,
            median,
            p99,
        ));
        if ty == "transfer" {
            amounts = amounts
                .regime(Regime::lognormal(
                    flow.clone().only_during(fraud_wave).times(0.67),
                    &AMOUNT_BUCKETS,
                    median,
                    p99,
                ))
                .regime(Regime::lognormal(
                    flow.clone().only_during(fraud_wave).times(0.33),
                    &AMOUNT_BUCKETS,
                    4200.0,
                    9800.0,
                ));
        } else {
            amounts = amounts.regime(Regime::lognormal(
                flow.only_during(fraud_wave),
                &AMOUNT_BUCKETS,
                median,
                p99,
            ));
        }
        b.series(f.amount, t, &[("transaction_type", ty)], amounts);
    }
}

fn sessions_and_accounts(b: &mut ScenarioBuilder, f: &Families, t: TargetId, burst: IncidentId) {
    b.series(
        f.sessions,
        t,
        &[],
        Gauge::level(330.0)
            .plus(Gauge::daily(150.0, PEAK))
            .plus(Gauge::walk(30.0, 40 * MINUTE))
            .plus(Gauge::noise(6.0))
            .clamp(0.0, f64::INFINITY)
            .round(),
    );
    // Sessions end at about sessions / mean duration per second.
    b.series(
        f.session_duration,
        t,
        &[],
        Histogram::new(&SESSION_BUCKETS).regime(Regime::lognormal(
            traffic(0.55),
            &SESSION_BUCKETS,
            420.0,
            3500.0,
        )),
    );
    for (currency, rate) in CURRENCIES {
        for (account_type, eur, _) in ACCOUNT_TYPES {
            let level = eur * rate;
            b.series(
                f.balance,
                t,
                &[("currency", currency), ("account_type", account_type)],
                Gauge::level(level)
                    .plus(Gauge::walk(level * 0.015, 6 * HOUR))
                    .plus(Gauge::noise(level * 0.0005))
                    .round(),
            );
        }
    }
    for (account_type, _, count) in ACCOUNT_TYPES {
        b.series(
            f.accounts,
            t,
            &[("account_type", account_type)],
            Gauge::level(count)
                .plus(Gauge::walk(count * 0.02, 3 * HOUR))
                .round(),
        );
    }
    b.series(f.revenue, t, &[], Gauge::custom(Arc::new(DailyRevenue)));
    b.series(
        f.satisfaction,
        t,
        &[],
        Gauge::level(90.0)
            .plus(Gauge::walk(3.0, 2 * HOUR))
            .plus(Gauge::noise(0.4))
            .plus(Gauge::ramp(burst, 0.0, -16.0))
            .clamp(0.0, 100.0),
    );
}

fn api(
    b: &mut ScenarioBuilder,
    f: &Families,
    t: TargetId,
    fraud_wave: IncidentId,
    error_burst: IncidentId,
) {
    let codes = shifted(&STATUS_CODES, &[("500", 12.0)]);
    for (endpoint, method, share, median, p99) in ENDPOINTS {
        let flow = traffic(REQUESTS_PER_SECOND * share);
        for (i, (code, code_share)) in STATUS_CODES.iter().enumerate() {
            b.series(
                f.requests,
                t,
                &[
                    ("endpoint", endpoint),
                    ("method", method),
                    ("status_code", code),
                ],
                Counter::events(
                    flow.clone()
                        .times(*code_share)
                        .during(error_burst, codes[i]),
                ),
            );
        }
        // While the pool is exhausted every request waits for a connection; writes hold
        // theirs longest.
        let (slow_median, slow_p99) = if method == "GET" {
            (0.35, 2.4)
        } else {
            (1.5, 4.6)
        };
        b.series(
            f.request_duration,
            t,
            &[("endpoint", endpoint), ("method", method)],
            Histogram::new(&REQUEST_BUCKETS)
                .regime(Regime::lognormal(
                    flow.clone().except_during(error_burst),
                    &REQUEST_BUCKETS,
                    median,
                    p99,
                ))
                .regime(Regime::lognormal(
                    flow.only_during(error_burst),
                    &REQUEST_BUCKETS,
                    slow_median,
                    slow_p99,
                )),
        );
    }

    // Credential stuffing adds failed attempts during the fraud wave.
    let logins = traffic(LOGINS_PER_SECOND);
    for (method, share) in LOGIN_METHODS {
        b.series(
            f.logins,
            t,
            &[("status", "success"), ("method", method)],
            Counter::events(logins.clone().times(0.97 * share)),
        );
        b.series(
            f.logins,
            t,
            &[("status", "failed"), ("method", method)],
            Counter::events(logins.clone().times(0.03 * share).during(fraud_wave, 8.0)),
        );
    }
    for (reason, share) in FAILED_LOGIN_REASONS {
        let wave = match reason {
            "invalid_credentials" => 8.0,
            "account_locked" => 20.0,
            _ => 1.0,
        };
        b.series(
            f.failed_logins,
            t,
            &[("reason", reason)],
            Counter::events(logins.clone().times(0.03 * share).during(fraud_wave, wave)),
        );
    }

    // About 5 % of exporter iterations log an error: 0.04 per second.
    for error_type in ERROR_TYPES {
        let (burst, wave) = match error_type {
            "database" => (40.0, 1.0),
            "timeout" => (25.0, 1.0),
            "authentication" => (1.0, 3.0),
            _ => (1.0, 1.0),
        };
        for (severity, share) in SEVERITIES {
            b.series(
                f.api_errors,
                t,
                &[("error_type", error_type), ("severity", severity)],
                Counter::events(
                    traffic(0.04 / 5.0 * share)
                        .during(error_burst, burst)
                        .during(fraud_wave, wave),
                ),
            );
        }
    }

    // About 1.5 % of iterations raise a fraud alert: 0.012 per second.
    for alert_type in FRAUD_TYPES {
        let by_type = match alert_type {
            "velocity" => 25.0,
            "unusual_location" => 20.0,
            "suspicious_amount" => 10.0,
            _ => 6.0,
        };
        for (severity, share) in FRAUD_SEVERITIES {
            let by_severity = match severity {
                "critical" => 3.0,
                "high" => 2.0,
                "medium" => 1.2,
                _ => 0.8,
            };
            b.series(
                f.fraud,
                t,
                &[("alert_type", alert_type), ("severity", severity)],
                Counter::events(
                    traffic(0.012 / 4.0 * share).during(fraud_wave, by_type * by_severity),
                ),
            );
        }
    }
}

fn database(b: &mut ScenarioBuilder, f: &Families, t: TargetId, burst: IncidentId) {
    for (pool, level, swing) in POOLS {
        let normal = Gauge::level(level)
            .plus(Gauge::daily(swing, PEAK))
            .plus(Gauge::noise(swing / 4.0))
            .clamp(5.0, 50.0)
            .round();
        let value = if pool == "primary" {
            Gauge::during(
                burst,
                Gauge::level(49.6)
                    .plus(Gauge::noise(0.4))
                    .clamp(48.0, 50.0)
                    .round(),
                normal,
            )
        } else {
            normal
        };
        b.series(f.connections, t, &[("pool", pool)], value);
    }
    for (query_type, rate, median, p99) in QUERY_TYPES {
        let flow = traffic(rate);
        b.series(
            f.query_duration,
            t,
            &[("query_type", query_type)],
            Histogram::new(&QUERY_BUCKETS)
                .regime(Regime::lognormal(
                    flow.clone().except_during(burst),
                    &QUERY_BUCKETS,
                    median,
                    p99,
                ))
                .regime(Regime::lognormal(
                    flow.only_during(burst),
                    &QUERY_BUCKETS,
                    median * 10.0,
                    (p99 * 8.0).min(2.0),
                )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_shares_keep_the_total() {
        let f = shifted(&STATUSES, &[("failed", 2.0), ("cancelled", 4.0)]);
        let total: f64 = STATUSES.iter().zip(&f).map(|((_, s), k)| s * k).sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        assert!(f[0] < 1.0 && f[1] == 2.0 && f[2] == 1.0 && f[3] == 4.0);
    }

    #[test]
    fn revenue_starts_again_at_midnight_and_grows_through_the_day() {
        let s = build().unwrap();
        let midnight = crate::scenario::DEFAULT_ANCHOR - 12 * HOUR;
        let ts: Vec<i64> = (0..=48)
            .map(|i| midnight - HOUR + i * 30 * MINUTE)
            .collect();
        let cx = SeriesContext {
            seed: 1,
            key: 7,
            target_key: 7,
            process: &crate::scenario::process::Process {
                first_start: 0,
                restarts: Vec::new(),
            },
            incidents: s.incidents(),
        };
        let mut out = vec![0.0; ts.len()];
        DailyRevenue.fill(&cx, &ts, &mut out);
        // Before midnight: most of a day's revenue; just after: almost none.
        assert!(out[1] > 80_000.0, "{}", out[1]);
        assert!(out[2] < 1_000.0, "{}", out[2]);
        assert!(out[2..].windows(2).all(|w| w[1] >= w[0]));
    }
}

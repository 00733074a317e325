//! The node exporter: a Linux host's CPU, memory, filesystems, network and disk, as
//! `prometheus/node_exporter` exposes them.
//!
//! A scenario describes the host ([`Host`]) and when it works harder ([`Surge`]); [`add`]
//! declares the families and series. The CPU counters are built so that the modes of one
//! CPU add up to one second per second, as they do on a real machine: each mode's share of
//! the core is tabulated over the day ([`Table`]) from the same busy fraction, and idle is
//! what the others leave. So `1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m]))` is
//! the busy fraction learners expect, and `sum by (cpu) (rate(...))` is 1 give or take the
//! counters' small noise. Counters count from the exporter process's start, which stands for
//! the host's boot (`node_boot_time_seconds`).

use super::rate::{Intensity, Origin, Table};
use super::{
    Counter, DAY, Family, Gauge, HOUR, IncidentId, MINUTE, Rate, ScenarioBuilder, Schedule,
    TargetId, WEEK, WEEK_ORIGIN,
};
use std::sync::Arc;

/// How much harder the host works while an incident is active.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Surge {
    /// The incident.
    pub incident: IncidentId,
    /// Its schedule (the CPU tables need it before the scenario is built).
    pub schedule: Schedule,
    /// The busy fraction is multiplied by this.
    pub busy: f64,
    /// The share of busy time spent waiting for I/O (normally 5 %).
    pub iowait: f64,
    /// Disk time and bytes read are multiplied by this.
    pub disk: f64,
}

/// A filesystem: device, type, mount point, size in bytes, used share, and the share of the
/// size reserved for root (ext4 keeps 5 %), which `free` counts and `avail` does not.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Filesystem {
    pub device: &'static str,
    pub fstype: &'static str,
    pub mountpoint: &'static str,
    pub size: f64,
    pub used: f64,
    pub reserved: f64,
}

/// A Linux host.
#[derive(Debug, Clone)]
pub(crate) struct Host {
    /// `nodename` in `node_uname_info`.
    pub nodename: &'static str,
    /// CPUs; each gets a slightly different load.
    pub cores: usize,
    /// `MemTotal` in bytes.
    pub memory: f64,
    /// Mean busy fraction of a CPU outside surges.
    pub busy: f64,
    /// Relative daily swing of the busy fraction and network traffic, and its peak (ms
    /// after 00:00 UTC).
    pub swing: f64,
    pub peak: i64,
    pub surges: Vec<Surge>,
    pub filesystems: Vec<Filesystem>,
    /// Mean bytes per second received and sent on `eth0`.
    pub receive: f64,
    pub transmit: f64,
    /// Share of the time the disk is busy, and bytes per second read and written.
    pub disk_busy: f64,
    pub disk_read: f64,
    pub disk_written: f64,
}

/// The CPU modes node exporter reports, with their share of busy (non-idle) time.
const MODES: [(&str, f64); 7] = [
    ("user", 0.64),
    ("system", 0.20),
    ("iowait", 0.05),
    ("softirq", 0.04),
    ("irq", 0.005),
    ("nice", 0.02),
    ("steal", 0.045),
];

impl Host {
    /// The busy fraction of CPU `core` at `t`, and the share of it that is iowait.
    fn busy_at(&self, core: usize, t: i64) -> (f64, f64) {
        let tau = t - WEEK_ORIGIN;
        let phase = (tau - self.peak).rem_euclid(DAY) as f64 / DAY as f64;
        let skew = 1.0 + 0.12 * (core as f64 - (self.cores as f64 - 1.0) / 2.0);
        let mut busy =
            self.busy * skew * (1.0 + self.swing * libm::cos(std::f64::consts::TAU * phase));
        let mut iowait = MODES[2].1;
        for s in &self.surges {
            if s.schedule.active(t) {
                busy *= s.busy;
                iowait = s.iowait;
            }
        }
        (busy.clamp(0.0, 0.97), iowait)
    }

    /// The period the CPU tables must cover: a day, unless a surge recurs weekly.
    fn table_period(&self) -> i64 {
        if self.surges.iter().all(|s| DAY % s.schedule.period == 0) {
            DAY
        } else {
            WEEK
        }
    }

    /// Seconds per second CPU `core` spends in mode `mode` (an index into [`MODES`], or
    /// `None` for idle), tabulated every minute.
    fn mode_table(&self, core: usize, mode: Option<usize>) -> Table {
        Table::from_fn(Origin::Absolute, self.table_period(), MINUTE, |tau| {
            let (busy, iowait) = self.busy_at(core, tau + WEEK_ORIGIN);
            match mode {
                None => 1.0 - busy,
                Some(2) => busy * iowait,
                Some(m) => busy * MODES[m].1 * (1.0 - iowait) / (1.0 - MODES[2].1),
            }
        })
    }

    /// CPU-seconds per second the whole host is busy, for the load averages.
    fn busy_table(&self) -> Table {
        Table::from_fn(Origin::Absolute, self.table_period(), MINUTE, |tau| {
            (0..self.cores)
                .map(|c| self.busy_at(c, tau + WEEK_ORIGIN).0)
                .sum()
        })
    }

    /// A traffic-shaped rate of `level` per second, surging with the busy fraction.
    fn shaped(&self, level: f64) -> Rate {
        let mut r = Rate::per_second(level).daily(self.swing, self.peak);
        for s in &self.surges {
            r = r.during(s.incident, s.busy.max(1.0));
        }
        r
    }
}

fn rate_of(table: Table) -> Rate {
    let intensity: Arc<dyn Intensity> = Arc::new(table);
    Rate::custom(intensity, 1.0)
}

/// Declares node exporter's families and the host's series on `target`.
pub(crate) fn add(b: &mut ScenarioBuilder, target: TargetId, host: &Host) {
    let cpu = b.family(
        Family::counter(
            "node_cpu_seconds_total",
            "Seconds the CPUs spent in each mode.",
        )
        .unit("seconds"),
    );
    let load = [
        b.family(Family::gauge("node_load1", "1m load average.")),
        b.family(Family::gauge("node_load5", "5m load average.")),
        b.family(Family::gauge("node_load15", "15m load average.")),
    ];
    let memory = |b: &mut ScenarioBuilder, field: &str| {
        b.family(
            Family::gauge(
                &format!("node_memory_{field}_bytes"),
                &format!("Memory information field {field}_bytes."),
            )
            .unit("bytes"),
        )
    };
    let mem_total = memory(b, "MemTotal");
    let mem_available = memory(b, "MemAvailable");
    let mem_free = memory(b, "MemFree");
    let mem_cached = memory(b, "Cached");
    let mem_buffers = memory(b, "Buffers");
    let fs_size = b.family(
        Family::gauge("node_filesystem_size_bytes", "Filesystem size in bytes.").unit("bytes"),
    );
    let fs_free = b.family(
        Family::gauge(
            "node_filesystem_free_bytes",
            "Filesystem free space in bytes.",
        )
        .unit("bytes"),
    );
    let fs_avail = b.family(
        Family::gauge(
            "node_filesystem_avail_bytes",
            "Filesystem space available to non-root users in bytes.",
        )
        .unit("bytes"),
    );
    let net = |b: &mut ScenarioBuilder, dir: &str, what: &str| {
        b.family(Family::counter(
            &format!("node_network_{dir}_{what}_total"),
            &format!("Network device statistic {dir}_{what}."),
        ))
    };
    let rx_bytes = net(b, "receive", "bytes");
    let tx_bytes = net(b, "transmit", "bytes");
    let rx_packets = net(b, "receive", "packets");
    let tx_packets = net(b, "transmit", "packets");
    let disk_io = b.family(
        Family::counter(
            "node_disk_io_time_seconds_total",
            "Total seconds spent doing I/Os.",
        )
        .unit("seconds"),
    );
    let disk_read = b.family(
        Family::counter(
            "node_disk_read_bytes_total",
            "The total number of bytes read successfully.",
        )
        .unit("bytes"),
    );
    let disk_written = b.family(
        Family::counter(
            "node_disk_written_bytes_total",
            "The total number of bytes written successfully.",
        )
        .unit("bytes"),
    );
    let boot = b.family(
        Family::gauge("node_boot_time_seconds", "Node boot time, in unixtime.").unit("seconds"),
    );
    let uname = b.family(Family::gauge(
        "node_uname_info",
        "Labeled system information as provided by the uname system call.",
    ));

    for core in 0..host.cores {
        let name = core.to_string();
        for (m, (mode, _)) in MODES.iter().enumerate() {
            b.series(
                cpu,
                target,
                &[("cpu", &name), ("mode", mode)],
                Counter::amount(rate_of(host.mode_table(core, Some(m)))).noise(0.02),
            );
        }
        b.series(
            cpu,
            target,
            &[("cpu", &name), ("mode", "idle")],
            Counter::amount(rate_of(host.mode_table(core, None))).noise(0.02),
        );
    }
    // The load averages follow the busy CPUs; the longer ones are smoother.
    let busy = rate_of(host.busy_table());
    for (family, noise) in load.iter().zip([0.18, 0.07, 0.03]) {
        b.series(
            *family,
            target,
            &[],
            Gauge::follows(busy.clone(), 1.15)
                .plus(Gauge::noise(noise * host.cores as f64))
                .clamp(0.0, f64::INFINITY),
        );
    }

    let total = host.memory;
    let mem = |level: f64, walk: f64| {
        Gauge::level(total * level)
            .plus(Gauge::walk(total * walk, 2 * HOUR))
            .plus(Gauge::noise(total * walk / 20.0))
            .round()
    };
    b.series(mem_total, target, &[], Gauge::level(total));
    b.series(mem_available, target, &[], mem(0.58, 0.03));
    b.series(mem_free, target, &[], mem(0.21, 0.02));
    b.series(mem_cached, target, &[], mem(0.31, 0.015));
    b.series(mem_buffers, target, &[], mem(0.018, 0.002));

    for fs in &host.filesystems {
        let labels = [
            ("device", fs.device),
            ("fstype", fs.fstype),
            ("mountpoint", fs.mountpoint),
        ];
        let avail = fs.size * (1.0 - fs.used - fs.reserved);
        let wander = Gauge::walk(fs.size * 0.002, 3 * HOUR);
        b.series(fs_size, target, &labels, Gauge::level(fs.size));
        b.series(
            fs_avail,
            target,
            &labels,
            Gauge::level(avail).plus(wander.clone()).round(),
        );
        b.series(
            fs_free,
            target,
            &labels,
            Gauge::level(avail + fs.size * fs.reserved)
                .plus(wander)
                .round(),
        );
    }

    for (device, rx, tx) in [
        ("eth0", host.receive, host.transmit),
        ("lo", 2_400.0, 2_400.0),
    ] {
        let labels = [("device", device)];
        b.series(rx_bytes, target, &labels, Counter::events(host.shaped(rx)));
        b.series(tx_bytes, target, &labels, Counter::events(host.shaped(tx)));
        b.series(
            rx_packets,
            target,
            &labels,
            Counter::events(host.shaped(rx / 820.0)),
        );
        b.series(
            tx_packets,
            target,
            &labels,
            Counter::events(host.shaped(tx / 1_150.0)),
        );
    }

    let disk = |level: f64| {
        let mut r = Rate::per_second(level).daily(host.swing, host.peak);
        for s in &host.surges {
            r = r.during(s.incident, s.disk);
        }
        r
    };
    let sda = [("device", "sda")];
    b.series(
        disk_io,
        target,
        &sda,
        Counter::amount(disk(host.disk_busy)).noise(0.2),
    );
    b.series(
        disk_read,
        target,
        &sda,
        Counter::events(disk(host.disk_read)),
    );
    b.series(
        disk_written,
        target,
        &sda,
        Counter::events(host.shaped(host.disk_written)),
    );
    b.series(boot, target, &[], Gauge::process_start());
    b.series(
        uname,
        target,
        &[
            ("domainname", "(none)"),
            ("machine", "x86_64"),
            ("nodename", host.nodename),
            ("release", "6.1.0-18-amd64"),
            ("sysname", "Linux"),
            (
                "version",
                "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
            ),
        ],
        Gauge::level(1.0),
    );
}

//! Timing without a framework, so every engine in the comparison is measured the same way
//! (criterion keeps the detailed rolegate-only benches in `benches/`).

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The sample at quantile `p` (0 to 1) of `sorted` samples; NaN when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let at = ((last as f64) * p).round() as usize;
    sorted.get(at.min(last)).copied().unwrap_or(f64::NAN)
}

/// The generated organization's shape called `size` (`S`, `M` or `L`).
pub fn shape(size: &str) -> rolegate_tests::Shape {
    rolegate_tests::Shape::named(size)
        .unwrap_or_else(|| panic!("unknown size {size}: use S, M or L"))
}

/// How long one timed round aims to take.
const ROUND: Duration = Duration::from_millis(200);

/// Nanoseconds per call of `f(i)` (`i` counting up, for cycling through requests): calls are
/// calibrated so a round lasts about 200 ms, then the median of five rounds is returned.
pub fn per_call(mut f: impl FnMut(usize) -> bool) -> f64 {
    let mut n = 1usize;
    loop {
        let start = Instant::now();
        for i in 0..n {
            black_box(f(black_box(i)));
        }
        let took = start.elapsed();
        if took >= ROUND / 4 || n >= 1 << 30 {
            let per = took.as_secs_f64() / n as f64;
            n = ((ROUND.as_secs_f64() / per) as usize).max(1);
            break;
        }
        n *= 4;
    }
    let mut rounds: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            for i in 0..n {
                black_box(f(black_box(i)));
            }
            start.elapsed().as_secs_f64() * 1e9 / n as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[2]
}

/// Milliseconds to run `f` once: the median of three runs, or one when a run takes over a
/// second (the L organization's loads).
pub fn once_ms<T>(mut f: impl FnMut() -> T) -> f64 {
    let mut runs = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let value = f();
        let ms = start.elapsed().as_secs_f64() * 1e3;
        drop(black_box(value));
        runs.push(ms);
        if ms > 1000.0 {
            return ms;
        }
    }
    runs.sort_by(f64::total_cmp);
    runs[1]
}

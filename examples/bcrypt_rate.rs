//! The ceiling for login throughput: bcrypt cost-10 verifications per second on all cores.
//!
//! usage: cargo run --release --example bcrypt_rate -- [SECONDS]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let hash = bcrypt::hash("bench-pass", parse_compat::store::BCRYPT_COST).expect("hash");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let done = AtomicU64::new(0);
    let deadline = Instant::now() + Duration::from_secs(secs);
    std::thread::scope(|s| {
        for _ in 0..cores {
            s.spawn(|| {
                while Instant::now() < deadline {
                    assert!(bcrypt::verify("bench-pass", &hash).expect("verify"));
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let n = done.load(Ordering::Relaxed);
    println!(
        "bcrypt cost 10: {:.1} verifications/s on {cores} cores",
        n as f64 / secs as f64
    );
}

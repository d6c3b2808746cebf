//! Fuzzing in `make test`, bounded to seconds: every input of the committed corpus and of
//! `fuzz/regressions/` (crashes found by `make fuzz`, kept forever) goes through the cargo-fuzz
//! target bodies, then a few seconds of deterministic mutations of the corpus.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[path = "../fuzz/bodies.rs"]
mod bodies;

type Body = fn(&[u8]);
const TARGETS: [(&str, Body); 3] = [
    ("ids", bodies::ids),
    ("netplan", bodies::netplan),
    ("arm_response", bodies::arm_response),
];
const BUDGET: Duration = Duration::from_secs(3);

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut out = Vec::new();
    for dir in [
        root.join("corpus").join(target),
        root.join("regressions").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            if let Ok(bytes) = std::fs::read(e.path()) {
                out.push((e.path(), bytes));
            }
        }
    }
    out.sort();
    out
}

/// xorshift64*: deterministic, so a failure here reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One libFuzzer-style mutation: flip, insert, delete, truncate, splice digits or JSON tokens.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    const TOKENS: [&[u8]; 10] = [
        b"/",
        b"0",
        b"255",
        b"4294967296",
        b"-1",
        b"\"",
        b"{",
        b"]",
        b"null",
        b"::",
    ];
    let mut v = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(5) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.iter().copied());
            }
            2 if at < v.len() => {
                v.remove(at);
            }
            3 => v.truncate(at),
            _ => v.insert(at, rng.next() as u8),
        }
    }
    v
}

fn run(target: &str, body: Body) {
    let corpus = inputs(target);
    assert!(!corpus.is_empty(), "fuzz/corpus/{target} is empty");
    for (path, bytes) in &corpus {
        if std::panic::catch_unwind(|| body(bytes)).is_err() {
            panic!("{target} panics on {}", path.display());
        }
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ target.len() as u64);
    let start = Instant::now();
    let mut runs = 0u64;
    while start.elapsed() < BUDGET {
        let seed = &corpus[rng.below(corpus.len())].1;
        let input = mutate(&mut rng, seed);
        if std::panic::catch_unwind(|| body(&input)).is_err() {
            panic!(
                "{target} panics on a mutated input; save it as fuzz/regressions/{target}/<name>: {:?}",
                String::from_utf8_lossy(&input)
            );
        }
        runs += 1;
    }
    assert!(runs > 100, "{target}: only {runs} inputs in {BUDGET:?}");
}

#[test]
fn ids_never_panic() {
    run(TARGETS[0].0, TARGETS[0].1);
}

#[test]
fn netplan_never_panics() {
    run(TARGETS[1].0, TARGETS[1].1);
}

#[test]
fn arm_responses_never_panic() {
    run(TARGETS[2].0, TARGETS[2].1);
}

//! The file store under `kill -9` (issue 8): a child process (this test binary, re-executed in
//! writer mode) rewrites a [`FileStore`] in a loop and is killed at random moments, many
//! times. After every kill the file must parse as a complete record — the last one the child
//! finished or the one it was writing — and keep permissions `0600`.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use cognito_store::{Change, FileStore, KeyValueStore};

const CHILD_ENV: &str = "COGNITO_STORE_KILL_MID_WRITE_FILE";
const ROUNDS: usize = 200;

/// A record whose parts all derive from its generation, so a torn or mixed write shows.
fn record(generation: u64) -> Vec<Change> {
    let payload = format!("{generation:016x}").repeat(2048); // 32 KiB
    vec![
        Change::Set("generation".into(), generation.to_string().into()),
        Change::Set("payload".into(), payload.into()),
        Change::Set("check".into(), format!("g{generation}").into()),
    ]
}

/// Reads the stored record and checks it is whole; returns its generation.
fn read_record(path: &Path, ctx: &str) -> u64 {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{ctx}: read: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{ctx}: not JSON ({e})"));
    assert!(json.is_object(), "{ctx}: not a JSON object");
    let store = FileStore::new(path);
    let get = |key: &str| {
        store
            .get(key)
            .unwrap_or_else(|e| panic!("{ctx}: store read {key}: {e}"))
            .unwrap_or_else(|| panic!("{ctx}: {key} missing"))
            .expose_secret()
            .clone()
    };
    let generation: u64 = get("generation")
        .parse()
        .unwrap_or_else(|e| panic!("{ctx}: generation: {e}"));
    assert_eq!(
        get("check"),
        format!("g{generation}"),
        "{ctx}: check of {generation}"
    );
    assert_eq!(
        get("payload"),
        format!("{generation:016x}").repeat(2048),
        "{ctx}: payload of {generation}"
    );
    let mode = std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{ctx}: metadata: {e}"))
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{ctx}: permissions {:o}", mode & 0o777);
    generation
}

/// Writer mode: runs only in the child (the env var names the file). Announces each write on
/// stdout before it starts (`begin N`) and after it is stored (`done N`).
#[test]
fn child_writer_mode() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = FileStore::new(&path);
    let mut generation: u64 = store
        .get("generation")
        .ok()
        .flatten()
        .and_then(|g| g.expose_secret().parse().ok())
        .unwrap_or(0);
    loop {
        generation += 1;
        println!("begin {generation}");
        store.update(&record(generation)).expect("child write");
        println!("done {generation}");
    }
}

#[test]
fn killed_writer_leaves_old_or_new_record_with_0600() {
    let mut seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(3, |d| d.as_nanos() as u64);
    let seed0 = seed;
    let mut random = move || {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let dir = std::env::temp_dir().join(format!("cognito-kill-mid-write-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("session.json");
    FileStore::new(&path)
        .update(&record(0))
        .expect("first write");
    let exe = std::env::current_exe().expect("test binary");

    let mut last = read_record(&path, "initial");
    let mut mid_write = 0usize;
    for round in 0..ROUNDS {
        let ctx = format!("seed {seed0}, round {round}");
        let mut child = Command::new(&exe)
            .args([
                "child_writer_mode",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the writer");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        // Wait until the child writes, then let it run a random while (0–20 ms).
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            seen.push_str(&line);
            if line.starts_with("begin ") {
                break;
            }
        }
        std::thread::sleep(Duration::from_micros(random() % 20_000));
        child.kill().expect("kill");
        child.wait().expect("wait");
        out.read_to_string(&mut seen).ok();
        let last_begin = seen
            .lines()
            .filter_map(|l| l.strip_prefix("begin "))
            .filter_map(|n| n.trim().parse::<u64>().ok())
            .next_back();
        let last_done = seen
            .lines()
            .filter_map(|l| l.strip_prefix("done "))
            .filter_map(|n| n.trim().parse::<u64>().ok())
            .next_back();
        let generation = read_record(&path, &ctx);
        match last_begin {
            Some(begun) => {
                assert!(
                    generation == begun || generation + 1 == begun,
                    "{ctx}: the file holds generation {generation}, the child began {begun}"
                );
                if last_done != Some(begun) {
                    mid_write += 1;
                }
            }
            None => assert_eq!(
                generation, last,
                "{ctx}: no write began, yet the file changed"
            ),
        }
        assert!(
            generation >= last,
            "{ctx}: the file went back from {last} to {generation}"
        );
        last = generation;
    }
    // Leftover temporary files of killed writes may remain; the record is what matters.
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        mid_write > ROUNDS / 4,
        "seed {seed0}: only {mid_write} of {ROUNDS} kills landed during a write"
    );
    eprintln!("seed {seed0}: {ROUNDS} kills, {mid_write} during a write, last generation {last}");
}

//! Issue 6's "the two crates expose the same API": the public methods of `cognito-blocking`
//! and `cognito-async` are read from their sources and compared name by name, and each one
//! must appear in the mapping table of both crate docs. A method added to one crate only, or
//! left out of the tables, fails here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `Type::method` for every `pub fn` / `pub async fn` inside `impl Type {` blocks of the
/// crate's `src/`.
fn public_methods(src: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut current: Option<String> = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("impl ") {
                // Inherent impls only: `impl Type {`, not `impl Trait for Type {`.
                current = rest
                    .strip_suffix(" {")
                    .filter(|t| !t.contains(" for ") && !t.contains('<'))
                    .map(str::to_owned);
            } else if line == "}" {
                current = None;
            } else if let Some(ty) = &current {
                let signature = line.trim_start();
                let name = signature
                    .strip_prefix("pub async fn ")
                    .or_else(|| signature.strip_prefix("pub fn "));
                if let Some(name) = name {
                    let name: String = name
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    found.insert(format!("{ty}::{name}"));
                }
            }
        }
    }
    found
}

fn crate_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name)
}

/// The driver-specific default transports: the only public types that differ by name.
fn normalise(methods: BTreeSet<String>) -> BTreeSet<String> {
    methods
        .into_iter()
        .map(|m| {
            m.replace("UreqTransport::", "DefaultTransport::")
                .replace("ReqwestTransport::", "DefaultTransport::")
        })
        .filter(|m| {
            // Each default transport takes its own client type.
            !matches!(
                m.as_str(),
                "DefaultTransport::from_agent" | "DefaultTransport::from_client"
            )
        })
        .collect()
}

#[test]
fn both_crates_have_the_same_public_methods() {
    let blocking = normalise(public_methods(&crate_dir("cognito-blocking").join("src")));
    let asynch = normalise(public_methods(&crate_dir("cognito-async").join("src")));
    assert!(
        blocking.len() > 40,
        "the source scan found too little: {blocking:?}"
    );
    let only_blocking: Vec<_> = blocking.difference(&asynch).collect();
    let only_async: Vec<_> = asynch.difference(&blocking).collect();
    assert!(
        only_blocking.is_empty() && only_async.is_empty(),
        "only in cognito-blocking: {only_blocking:?}; only in cognito-async: {only_async:?}"
    );
}

#[test]
fn every_public_method_is_in_both_doc_tables() {
    let methods = public_methods(&crate_dir("cognito-blocking").join("src"));
    for krate in ["cognito-blocking", "cognito-async"] {
        let docs = std::fs::read_to_string(crate_dir(krate).join("src/lib.rs")).unwrap();
        let table: String = docs
            .lines()
            .filter(|l| l.starts_with("//! |"))
            .collect::<Vec<_>>()
            .join("\n");
        let missing: Vec<_> = methods
            .iter()
            .filter(|m| {
                let (ty, name) = m.split_once("::").unwrap();
                // Constructors and accessors of the transports are documented on the types.
                !ty.ends_with("Transport") && !mentions(&table, name)
            })
            .collect();
        assert!(
            missing.is_empty(),
            "{krate}'s API table does not mention {missing:?}"
        );
    }
}

/// Whether `text` names `ident` as a whole word (not inside a longer identifier).
fn mentions(text: &str, ident: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(ident).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + ident.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

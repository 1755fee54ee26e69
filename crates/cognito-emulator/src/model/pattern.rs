//! The model's `pattern` traits are Java regular expressions that AWS matches against the whole
//! value (`Matcher.matches()`). They are compiled with `fancy-regex`, which hands every pattern
//! without look-around or back-references to the `regex` crate's automata (linear time, cached
//! per shape) and runs the rest (one model pattern has a look-behind: `(?<!\.)`) on its own
//! backtracking engine. Before compiling, the Java dialect is translated where the two differ:
//! Java's `\w`, `\d`, `\s` (and their negations) are ASCII-only, its `.` excludes every line
//! terminator, and `\p{Punct}`-style POSIX names are ASCII classes.

use fancy_regex::Regex;

/// Java's whitespace for `\s`: space, tab, newline, vertical tab, form feed, carriage return.
const SPACE: &str = r"\t\n\x0B\x0C\r ";
const WORD: &str = "0-9A-Za-z_";
const DIGIT: &str = "0-9";

/// Java's line terminators, which `.` does not match unless `(?s)` is given.
const NOT_LINE_TERMINATOR: &str = r"[^\n\r\x{85}\x{2028}\x{2029}]";

/// Translates a Java pattern to the `fancy-regex` dialect, anchored on both ends as
/// `Matcher.matches()` is.
pub(crate) fn translate(java: &str) -> String {
    let mut out = String::with_capacity(java.len() + 32);
    out.push_str(r"\A(?:");
    let dotall = java.contains("(?s)");
    let mut class_depth = 0usize;
    let mut chars = java.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push_str(r"\\");
                    break;
                };
                match e {
                    // A nested class is a union inside a class, so each set is emitted
                    // bracketed and stays right wherever it appears.
                    'w' => push_set(&mut out, WORD, false),
                    'W' => push_set(&mut out, WORD, true),
                    'd' => push_set(&mut out, DIGIT, false),
                    'D' => push_set(&mut out, DIGIT, true),
                    's' => push_set(&mut out, SPACE, false),
                    'S' => push_set(&mut out, SPACE, true),
                    'h' => push_set(
                        &mut out,
                        r" \t\xA0\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}",
                        false,
                    ),
                    'p' | 'P' => {
                        let mut name = String::new();
                        if chars.peek() == Some(&'{') {
                            chars.next();
                            for n in chars.by_ref() {
                                if n == '}' {
                                    break;
                                }
                                name.push(n);
                            }
                        } else if let Some(n) = chars.next() {
                            name.push(n);
                        }
                        push_property(&mut out, &name, e == 'P');
                    }
                    'Q' => {
                        // Quoted until `\E`.
                        let mut quoted = String::new();
                        while let Some(q) = chars.next() {
                            if q == '\\' && chars.peek() == Some(&'E') {
                                chars.next();
                                break;
                            }
                            quoted.push(q);
                        }
                        out.push_str(&fancy_regex::escape(&quoted));
                    }
                    'Z' => out.push_str(r"(?=\n?\z)"),
                    _ => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            '[' => {
                class_depth += 1;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            '.' if class_depth == 0 && !dotall => out.push_str(NOT_LINE_TERMINATOR),
            _ => out.push(c),
        }
    }
    out.push_str(r")\z");
    out
}

fn push_set(out: &mut String, set: &str, negated: bool) {
    out.push('[');
    if negated {
        out.push('^');
    }
    out.push_str(set);
    out.push(']');
}

/// `\p{Name}`: Java's POSIX names are ASCII classes; `IsX`/`InX` prefixes name a category,
/// script or block, which the `regex` crate knows without the prefix.
fn push_property(out: &mut String, name: &str, negated: bool) {
    let posix = match name {
        "Lower" => Some("a-z"),
        "Upper" => Some("A-Z"),
        "ASCII" => Some(r"\x00-\x7F"),
        "Alpha" => Some("A-Za-z"),
        "Digit" => Some("0-9"),
        "Alnum" => Some("0-9A-Za-z"),
        "Punct" => Some(r"!-/:-@\[-`{-~"),
        "Graph" => Some(r"!-~"),
        "Print" => Some(r" -~"),
        "Blank" => Some(r" \t"),
        "Cntrl" => Some(r"\x00-\x1F\x7F"),
        "XDigit" => Some("0-9a-fA-F"),
        "Space" => Some(SPACE),
        _ => None,
    };
    if let Some(set) = posix {
        push_set(out, set, negated);
        return;
    }
    let bare = name
        .strip_prefix("Is")
        .or_else(|| name.strip_prefix("In"))
        .unwrap_or(name);
    out.push('\\');
    out.push(if negated { 'P' } else { 'p' });
    out.push('{');
    out.push_str(bare);
    out.push('}');
}

/// Compiles a Java pattern for whole-value matching; `None` if it uses a construct neither
/// the translation nor `fancy-regex` supports (the model tests assert every pattern compiles).
pub(crate) fn compile(java: &str) -> Option<Regex> {
    Regex::new(&translate(java)).ok()
}

/// Whether `value` matches `regex`; a match that exceeds the backtracking limit (possible
/// only for look-around patterns) counts as no match.
pub(crate) fn matches(regex: &Regex, value: &str) -> bool {
    regex.is_match(value).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, v: &str) -> bool {
        matches(&compile(p).expect("compiles"), v)
    }

    #[test]
    fn java_classes_are_ascii_and_matching_is_whole_value() {
        assert!(m(r"[\w+]+", "abc_12+"));
        assert!(!m(r"[\w+]+", "abcé"), "\\w is ASCII in Java");
        assert!(!m(r"[\w+]+", "ab c"));
        assert!(
            m(r"[\S]+", "a\u{a0}b"),
            "\\S is only ASCII whitespace negated"
        );
        assert!(!m(r"[\S]+", "a b"));
        assert!(!m(r"[\S]+", ""));
        assert!(m(r"^https://[^\s]+$", "https://x.example/a"));
        assert!(!m(r"^https://[^\s]+$", "https://x y"));
        assert!(m(r"[\w-]+_[0-9a-zA-Z]+", "us-east-1_AbC"));
        assert!(
            !m(r"[\w-]+_[0-9a-zA-Z]+", "x us-east-1_AbC"),
            "anchored at the start"
        );
        assert!(
            !m(r"[\w-]+_[0-9a-zA-Z]+", "us-east-1_AbC!"),
            "anchored at the end"
        );
        assert!(m(r"[\w\s+=,.@-]+", "a b+=,.@-"));
        assert!(m(r"\d+", "123"));
        assert!(!m(r"\d+", "١٢٣"), "\\d is ASCII in Java");
    }

    #[test]
    fn unicode_categories_lookbehind_and_dots() {
        let username = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+";
        assert!(m(username, "zoë_ü+1@x"));
        assert!(!m(username, "a b"));
        assert!(!m(username, "a\tb"));
        let bucket = r"^[0-9A-Za-z\.\-_]*(?<!\.)$";
        assert!(m(bucket, "my.bucket"));
        assert!(!m(bucket, "my.bucket."));
        assert!(m(r"(?s).*", "a\nb"));
        assert!(m(r".*\{####\}.*", "code {####} here"));
        assert!(
            !m(r".*\{####\}.*", "code\n{####}"),
            "Java's . stops at line terminators"
        );
        assert!(!m(r".*\{####\}.*", "code\u{2028}{####}"));
        assert!(m(
            r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*",
            "Your code is {####}.\n"
        ));
        assert!(m(
            r"^arn\:(aws|aws-us-gov|aws-eusc)\:secretsmanager\:([\d\w\-]+):(\d{12})\:secret\/[\w+=\/,.@\-]+$",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret/abc"
        ));
        assert!(m(
            r"^[0-9a-f]{8}\b-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-\b[0-9a-f]{12}$",
            "01234567-89ab-cdef-0123-456789abcdef"
        ));
        assert!(m(r"\p{Punct}+", "!?"));
        assert!(!m(r"\p{Punct}+", "¡"));
        assert!(m(r"\QA.B\E", "A.B"));
        assert!(!m(r"\QA.B\E", "AxB"));
    }
}

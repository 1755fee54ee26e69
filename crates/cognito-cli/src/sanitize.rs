//! Text from the network made safe to print on a terminal.
//!
//! A hostile or compromised endpoint controls error messages, usernames, attribute values,
//! device names and code destinations. Printed raw, an escape sequence in one of them could
//! retitle the terminal, clear the screen, plant a hyperlink (OSC 8), move the cursor to
//! overwrite earlier output, or, with a newline, forge extra `name=value` lines for a script
//! that reads ours. So every such text goes through [`clean`] before it is printed.

/// The longest message printed for an error.
pub const MAX_MESSAGE: usize = 1024;
/// The longest single value printed (an attribute value, a username, a device name).
/// Cognito's own attribute values stop at 2048 characters.
pub const MAX_FIELD: usize = 2048;

/// `text` with every control character (C0 including newline and tab, DEL, C1) and every
/// bidirectional override or isolate shown as a visible escape (`\n`, `\t`, `\r`, `\u{1b}`),
/// cut to `max` characters with a note of how much was left out.
///
/// ```text
/// clean("a\u{1b}]0;title\u{7}b", 100) == "a\\u{1b}]0;title\\u{7}b"
/// ```
pub fn clean(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    let mut chars = text.chars();
    for (shown, c) in chars.by_ref().enumerate() {
        if shown == max {
            // This character is the first of those left out.
            let left = 1 + chars.count();
            out.push_str(&format!("… [{left} more characters]"));
            return out;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Control characters and the bidirectional formatting characters that reorder what a
/// terminal shows (the "Trojan Source" characters).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_c0_c1_del_and_bidi_controls() {
        let hostile = "a\u{1b}]0;pwned\u{7}b\u{1b}[2J\u{9b}31m\u{7f}\u{202e}x\ny\tz\r";
        let shown = clean(hostile, 1000);
        assert!(!shown.chars().any(is_unsafe), "{shown:?}");
        assert_eq!(
            shown,
            "a\\u{1b}]0;pwned\\u{7}b\\u{1b}[2J\\u{9b}31m\\u{7f}\\u{202e}x\\ny\\tz\\r"
        );
    }

    #[test]
    fn keeps_ordinary_text_and_cuts_long_text() {
        assert_eq!(clean("Zoë 用户 <a@b.c>", 100), "Zoë 用户 <a@b.c>");
        assert_eq!(clean("abcdef", 3), "abc… [3 more characters]");
        assert_eq!(clean("abc", 3), "abc");
        let long = "x".repeat(1 << 20);
        assert!(clean(&long, MAX_MESSAGE).len() < MAX_MESSAGE + 40);
    }
}

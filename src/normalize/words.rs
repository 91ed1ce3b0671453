//! Word segmentation. Text is split at Unicode word boundaries (UAX #29) with
//! `unicode-segmentation`; for plain ASCII text, the common case in chat, the same
//! rules are applied directly on bytes, which is several times faster than the
//! table lookups. A property test checks the two agree on ASCII.

use unicode_segmentation::UnicodeSegmentation;

/// The non-whitespace segments of `text` with their byte offsets.
pub fn segments(text: &str) -> Vec<(usize, &str)> {
    if !text.is_ascii() {
        return text
            .split_word_bound_indices()
            .filter(|(_, s)| !s.chars().all(char::is_whitespace))
            .collect();
    }
    ascii_segments(text)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// UAX #29 word boundaries restricted to ASCII: letters, digits and `_` join;
/// `.` and `'` join two letters or two digits; `:` joins two letters; `,` and `;`
/// join two digits; anything else stands alone, and whitespace is dropped.
fn ascii_segments(text: &str) -> Vec<(usize, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 4 + 1);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if (c as char).is_whitespace() {
            i += 1;
            continue;
        }
        if !is_word(c) {
            out.push((i, &text[i..i + 1]));
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        loop {
            if i < b.len() && is_word(b[i]) {
                i += 1;
                continue;
            }
            if i + 1 < b.len() && i > start {
                let (prev, mid, next) = (b[i - 1], b[i], b[i + 1]);
                let letters = prev.is_ascii_alphabetic() && next.is_ascii_alphabetic();
                let digits = prev.is_ascii_digit() && next.is_ascii_digit();
                let joins = match mid {
                    b'.' | b'\'' => letters || digits,
                    b':' => letters,
                    b',' | b';' => digits,
                    _ => false,
                };
                if joins {
                    i += 2;
                    continue;
                }
            }
            break;
        }
        out.push((start, &text[start..i]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(text: &str) -> Vec<(usize, &str)> {
        text.split_word_bound_indices()
            .filter(|(_, s)| !s.chars().all(char::is_whitespace))
            .collect()
    }

    #[test]
    fn shop_messages() {
        for t in [
            "ada sepatu 1,5jt?",
            "2jt-an biti's rp.20 1.200.000",
            "ke-4 #A12345 a:b a.1 1'2 x_y",
        ] {
            assert_eq!(ascii_segments(t), reference(t), "{t:?}");
        }
    }

    proptest! {
        #[test]
        fn ascii_agrees_with_unicode_segmentation(text in "[a-cA-C0-2 \t\x0b\x0c\x00\x1f.,;:'_?!#$%&/()\\-]{0,40}") {
            prop_assert_eq!(ascii_segments(&text), reference(&text));
        }
    }
}

//! The features an intent is recognised by: words (folded), entity classes from the
//! extractor ("#category", "#money"), word bigrams over classes ("ada #category"),
//! and character 4-grams inside words, which carry typos and unseen
//! inflections ("sepatuu", "harganya"). Features are hashed; no strings are kept.

use crate::extract::TokenClass;
use crate::normalize::{Token, TokenKind};
use rustc_hash::FxHasher;
use std::hash::Hasher;

/// A hashed feature; the top bit tells the block (word-level or character-level).
pub type Feature = u64;

const CHAR_BLOCK: u64 = 1 << 63;

/// Character n-gram sizes. 4-grams alone classify as well as 3- and 4-grams
/// together on the cross-validation and cost a third of the time.
const CHAR_GRAMS: &[usize] = &[4];

pub fn is_char_feature(f: Feature) -> bool {
    f & CHAR_BLOCK != 0
}

fn hash(kind: u8, parts: &[&[u8]]) -> u64 {
    let mut h = FxHasher::default();
    h.write_u8(kind);
    for p in parts {
        h.write(p);
        h.write_u8(0xff);
    }
    h.finish()
}

/// The features of one message, with counts, sorted by feature.
pub fn features(tokens: &[Token], classes: &[TokenClass], out: &mut Vec<(Feature, f32)>) {
    let mut raw = Vec::new();
    features_into(tokens, classes, &mut raw, out);
}

/// As [`features`], with the caller's buffer for the unsorted features.
pub fn features_into(
    tokens: &[Token],
    classes: &[TokenClass],
    raw: &mut Vec<Feature>,
    out: &mut Vec<(Feature, f32)>,
) {
    out.clear();
    raw.clear();
    let mut prev: Option<&[u8]> = None;
    let mut buf = String::new();
    for (i, t) in tokens.iter().enumerate() {
        let class = classes.get(i).copied().flatten();
        let unit: &[u8] = match (&t.kind, class) {
            (TokenKind::Symbol, _) => continue,
            (TokenKind::Number(_), Some(c)) => c.as_bytes(),
            (TokenKind::Number(a), None) => {
                if a.money {
                    b"#money"
                } else {
                    b"#num"
                }
            }
            (TokenKind::Word, Some(c)) if c != "#money" => {
                raw.push(hash(2, &[c.as_bytes()]) & !CHAR_BLOCK);
                t.key.as_bytes()
            }
            (TokenKind::Word, _) => t.key.as_bytes(),
        };
        raw.push(hash(1, &[unit]) & !CHAR_BLOCK);
        let bigram_unit: &[u8] = match class {
            Some(c) => c.as_bytes(),
            None => unit,
        };
        if let Some(p) = prev {
            raw.push(hash(3, &[p, bigram_unit]) & !CHAR_BLOCK);
        }
        prev = Some(bigram_unit);
        if matches!(t.kind, TokenKind::Word) {
            buf.clear();
            buf.push('<');
            buf.push_str(&t.key);
            buf.push('>');
            if buf.is_ascii() {
                for &n in CHAR_GRAMS {
                    for gram in buf.as_bytes().windows(n) {
                        raw.push(hash(4, &[gram]) | CHAR_BLOCK);
                    }
                }
                continue;
            }
            let chars: Vec<(usize, char)> = buf.char_indices().collect();
            for &n in CHAR_GRAMS {
                if chars.len() < n {
                    continue;
                }
                for w in 0..=(chars.len() - n) {
                    let s = chars[w].0;
                    let e = if w + n < chars.len() {
                        chars[w + n].0
                    } else {
                        buf.len()
                    };
                    raw.push(hash(4, &[&buf.as_bytes()[s..e]]) | CHAR_BLOCK);
                }
            }
        }
    }
    raw.sort_unstable();
    let mut k = 0;
    while k < raw.len() {
        let f = raw[k];
        let mut n = 0;
        while k < raw.len() && raw[k] == f {
            n += 1;
            k += 1;
        }
        out.push((f, 1.0 + (n as f32).ln()));
    }
}

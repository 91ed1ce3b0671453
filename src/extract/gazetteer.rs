//! Phrase matching over a normalized message with `aho-corasick`: every lexicon
//! phrase (colours, categories, brands, price qualifiers, ordinals, ...) compiled into
//! one automaton per language, matched on whole tokens, leftmost-longest. A phrase
//! typed *with* diacritics must carry the lexicon's marks ("gầy" is not "giày").

use crate::normalize::{Normalized, Token, TokenKind};
use crate::trace::Origin;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rustc_hash::FxHashMap;

/// What a lexicon phrase means to the extractor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tag {
    Category(String),
    Color(String),
    Gender(String),
    Size(String),
    Brand(String),
    SizeCue,
    ColorCue,
    Stopword,
    Sort(String),
    Ordinal(i64),
    OrdinalPrefix,
    Exclusion,
    PriceUnder,
    PriceUnderAfter,
    PriceAbove,
    PriceAboveAfter,
    PriceAround,
    RangeStart,
    RangeJoiner,
    PriceCue,
    QuantityUnit,
    QuantityCue,
    OrderCue,
    VoucherCue,
    NonMoneyUnit,
    TimeCue,
    ListJoiner,
}

/// One lexicon phrase.
#[derive(Debug, Clone)]
pub struct Entry {
    pub tag: Tag,
    pub origin: Origin,
    /// The phrase as written, normalized: the words typed marks are compared with.
    pub words: Vec<String>,
    pub phrase: String,
    /// Typed without diacritics this phrase is another common word ("tim" is both
    /// "tím", purple, and "tìm", to look for): the extractor then wants context.
    pub needs_marks: bool,
}

/// A lexicon phrase before compiling: its tag, origin and normalized tokens.
#[derive(Debug, Clone)]
pub struct PhraseSpec {
    pub tag: Tag,
    pub origin: Origin,
    pub tokens: Vec<Token>,
    pub phrase: String,
    pub needs_marks: bool,
}

/// A phrase found in a message: tokens `start..end` and the entries that apply.
#[derive(Debug, Clone)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    /// The matched pattern; `allowed` has bit k set when its k-th entry applies.
    pub pattern: usize,
    pub allowed: u64,
}

/// The compiled phrase matcher of one language.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    automaton: Option<AhoCorasick>,
    /// pattern id -> entry ids
    patterns: Vec<Vec<usize>>,
    pub entries: Vec<Entry>,
}

/// One automaton over phrases written " w1 w2 ", searched with overlaps so every
/// whole-token match is seen; `None` when there are no phrases.
pub fn phrase_automaton(keys: &[String]) -> Option<AhoCorasick> {
    if keys.is_empty() {
        return None;
    }
    Some(
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(keys)
            .expect("phrases are plain strings"),
    )
}

/// Writes the tokens as the phrase matchers see them, " w1 w2 ... ", and where
/// each token starts (plus the end).
pub fn write_haystack(tokens: &[Token], hay: &mut String, mut starts: Option<&mut Vec<usize>>) {
    hay.clear();
    hay.push(' ');
    for t in tokens {
        if let Some(s) = starts.as_deref_mut() {
            s.push(hay.len());
        }
        hay.push_str(&piece(t));
        hay.push(' ');
    }
    if let Some(s) = starts {
        s.push(hay.len());
    }
}

/// The haystack of a few tokens, as a new string.
pub fn haystack_of(tokens: &[Token]) -> String {
    let mut hay = String::new();
    write_haystack(tokens, &mut hay, None);
    hay
}

/// The text a token contributes to the matcher's haystack.
pub fn piece(t: &Token) -> std::borrow::Cow<'_, str> {
    match &t.kind {
        TokenKind::Word | TokenKind::Symbol => t.key.as_str().into(),
        TokenKind::Number(a) if a.unit.is_some() => t.text.as_str().into(),
        TokenKind::Number(a) => a.display().into(),
    }
}

impl Gazetteer {
    /// The entries of a found phrase that apply.
    pub fn entries_of<'a>(&'a self, f: &Found) -> impl Iterator<Item = usize> + 'a {
        let allowed = f.allowed;
        self.patterns[f.pattern]
            .iter()
            .copied()
            .enumerate()
            .filter(move |(k, _)| *k < 64 && allowed & (1 << k) != 0)
            .map(|(_, e)| e)
    }

    /// Builds the matcher from phrases already normalized into tokens.
    pub fn new(entries: Vec<PhraseSpec>) -> Self {
        let mut by_key: FxHashMap<String, usize> = FxHashMap::default();
        let mut patterns: Vec<Vec<usize>> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        let mut out = Vec::with_capacity(entries.len());
        for PhraseSpec {
            tag,
            origin,
            tokens,
            phrase,
            needs_marks,
        } in entries
        {
            if tokens.is_empty() {
                continue;
            }
            let key = haystack_of(&tokens);
            let id = out.len();
            out.push(Entry {
                tag,
                origin,
                words: tokens.iter().map(|t| t.text.to_string()).collect(),
                phrase,
                needs_marks,
            });
            let p = *by_key.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                patterns.push(Vec::new());
                patterns.len() - 1
            });
            // the same tag twice for one phrase adds nothing
            if !patterns[p].iter().any(|&e| out[e].tag == out[id].tag) {
                patterns[p].push(id);
            }
        }
        let automaton = phrase_automaton(&keys);
        Gazetteer {
            automaton,
            patterns,
            entries: out,
        }
    }

    /// All phrases of the message, non-overlapping, leftmost-longest.
    /// `hay` receives the message as the phrase matchers see it, for the
    /// classifier's keywords to reuse.
    pub fn find(&self, msg: &Normalized, hay: &mut String) -> Vec<Found> {
        let tokens = &msg.tokens;
        let mut starts = Vec::with_capacity(tokens.len() + 1);
        write_haystack(tokens, hay, Some(&mut starts));
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let mut candidates: Vec<Found> = Vec::with_capacity(tokens.len());
        for m in ac.find_overlapping_iter(hay.as_str()) {
            // m.start() is the space before the first token
            let Ok(first) = starts.binary_search(&(m.start() + 1)) else {
                continue;
            };
            let Ok(after) = starts.binary_search(&m.end()) else {
                continue;
            };
            if after <= first || after > tokens.len() {
                continue;
            }
            let pattern = m.pattern().as_usize();
            let mut allowed = 0u64;
            for (k, &e) in self.patterns[pattern].iter().enumerate().take(64) {
                if marks_agree(&self.entries[e].words, &tokens[first..after]) {
                    allowed |= 1 << k;
                }
            }
            if allowed != 0 {
                candidates.push(Found {
                    start: first,
                    end: after,
                    pattern,
                    allowed,
                });
            }
        }
        candidates.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then((b.end - b.start).cmp(&(a.end - a.start)))
        });
        let mut chosen: Vec<Found> = Vec::with_capacity(tokens.len());
        let mut covered_until = 0;
        for c in candidates {
            if c.start >= covered_until {
                covered_until = c.end;
                chosen.push(c);
            }
        }
        chosen
    }
}

/// A token typed with marks must match the lexicon word's marks, when it has any.
fn marks_agree(words: &[String], tokens: &[Token]) -> bool {
    words
        .iter()
        .zip(tokens)
        .all(|(w, t)| !t.marked || t.text == *w || !crate::normalize::fold::has_marks(w))
}

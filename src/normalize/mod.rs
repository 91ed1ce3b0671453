//! Stage 1, normalize: turns a customer message into tokens pasar can match.
//! NFC and lower case; words split with `unicode-segmentation`; the language detected
//! per message; Vietnamese diacritics folded for matching while the typed form is
//! kept; numbers and money shorthand read ("150rb" → 150000); elongations squashed
//! ("bagusss" → "bagus"); slang and abbreviations expanded from `lexicons/<lang>/slang.yaml`.

pub mod detect;
pub mod fold;
pub mod numbers;
pub mod words;

use crate::lang::Lang;
use crate::trace::Origin;
use compact_str::CompactString;
use detect::{LanguageVotes, Script};
use numbers::{Amount, NumberLexicon, NumberPhrase, PhraseToken};
use rustc_hash::{FxHashMap, FxHashSet};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// At most this many tokens of a message are read; the rest is noted and ignored.
pub const MAX_TOKENS: usize = 400;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Word,
    Number(Amount),
    /// Punctuation, symbols, emoji.
    Symbol,
}

/// One unit of a normalized message.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Lower case, as typed or as a lexicon expanded it. (Short strings are kept
    /// inline: most words cost no allocation.)
    pub text: CompactString,
    /// Folded (no diacritics) for matching.
    pub key: CompactString,
    /// Byte span in [`Normalized::original`].
    pub span: (usize, usize),
    pub kind: TokenKind,
    /// Typed with diacritics: matching then requires the same marks.
    pub marked: bool,
    /// Typed with an upper-case letter ("M", "HEMAT50").
    pub upper: bool,
}

impl Token {
    pub fn amount(&self) -> Option<&Amount> {
        match &self.kind {
            TokenKind::Number(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_word(&self) -> bool {
        matches!(self.kind, TokenKind::Word)
    }
}

/// Something the normalizer did, for the trace.
#[derive(Debug, Clone, PartialEq)]
pub enum NormalizeNote {
    Slang {
        from: String,
        to: String,
        origin: Origin,
    },
    Number {
        from: String,
        to: String,
    },
    Squashed {
        from: String,
        to: String,
    },
    Truncated {
        tokens: usize,
    },
}

impl std::fmt::Display for NormalizeNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NormalizeNote::Slang { from, to, origin } => {
                write!(f, "slang {from} -> {to} ({origin})")
            }
            NormalizeNote::Number { from, to } => write!(f, "{from} -> {to}"),
            NormalizeNote::Squashed { from, to } => write!(f, "squashed {from} -> {to}"),
            NormalizeNote::Truncated { tokens } => {
                write!(f, "message cut to its first {tokens} tokens")
            }
        }
    }
}

/// A message after normalization.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// The message in NFC.
    pub original: String,
    pub lang: Lang,
    /// The detection scores per language (id, vi, en).
    pub lang_scores: [f32; 3],
    pub script: Script,
    pub tokens: Vec<Token>,
    pub notes: Vec<NormalizeNote>,
}

impl Normalized {
    /// Words and numbers joined by spaces: "ada sepatu lari merah di bawah 500000".
    pub fn text(&self) -> String {
        self.join(|t| t.text.as_str())
    }

    /// The folded form of [`Normalized::text`], which patterns match against.
    pub fn folded_text(&self) -> String {
        self.join(|t| t.key.as_str())
    }

    /// [`Normalized::folded_text`] written into the caller's buffer.
    pub fn write_folded_text(&self, out: &mut String) {
        out.clear();
        self.join_into(|t| t.key.as_str(), out);
    }

    fn join(&self, word: impl Fn(&Token) -> &str) -> String {
        let mut out = String::with_capacity(self.original.len() + 8);
        self.join_into(word, &mut out);
        out
    }

    fn join_into(&self, word: impl Fn(&Token) -> &str, out: &mut String) {
        for t in &self.tokens {
            let piece: std::borrow::Cow<str> = match &t.kind {
                TokenKind::Word => word(t).into(),
                TokenKind::Number(a) => a.display().into(),
                TokenKind::Symbol => continue,
            };
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&piece);
        }
    }

    /// True when the message has no word or number at all.
    pub fn is_blank(&self) -> bool {
        !self
            .tokens
            .iter()
            .any(|t| !matches!(t.kind, TokenKind::Symbol))
    }
}

/// A slang entry: one token to its formal words.
#[derive(Debug, Clone)]
pub struct SlangEntry {
    /// (text, folded key) of each word it expands to.
    pub expansion: Vec<(CompactString, CompactString)>,
    pub origin: Origin,
}

/// The per-language word lists the normalizer needs.
#[derive(Debug, Default, Clone)]
pub struct LangWords {
    pub numbers: NumberLexicon,
    /// folded slang token -> expansion
    pub slang: FxHashMap<String, SlangEntry>,
    /// Folded words known to the content of this language (for squashing).
    pub vocabulary: FxHashSet<String>,
    /// Folded words after which a lone inner-only number word is a count ("ba cái").
    pub quantity_units: FxHashSet<String>,
}

/// The normalizer for all languages, compiled from content.
#[derive(Debug, Default, Clone)]
pub struct Normalizer {
    pub langs: [LangWords; 3],
    pub votes: LanguageVotes,
}

struct Segment {
    text: CompactString,
    key: CompactString,
    span: (usize, usize),
    symbol: bool,
    marked: bool,
    upper: bool,
    vi_marks: bool,
}

impl Normalizer {
    /// Normalizes one message. `forced` is an explicit language from the caller;
    /// `hint` breaks ties (the session's last language).
    pub fn normalize(&self, text: &str, forced: Option<Lang>, hint: Option<Lang>) -> Normalized {
        self.run(text, forced, hint, false)
    }

    /// As [`Normalizer::normalize`], and notes what was changed, for the trace.
    pub fn normalize_with_notes(
        &self,
        text: &str,
        forced: Option<Lang>,
        hint: Option<Lang>,
    ) -> Normalized {
        self.run(text, forced, hint, true)
    }

    fn run(
        &self,
        text: &str,
        forced: Option<Lang>,
        hint: Option<Lang>,
        noting: bool,
    ) -> Normalized {
        let original: String = if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes
        {
            text.to_string()
        } else {
            text.nfc().collect()
        };
        let script = detect::script_of(&original);
        let mut notes = Vec::new();
        let mut segments = Vec::with_capacity((text.len() / 4 + 2).min(MAX_TOKENS + 1));
        for (start, seg) in words::segments(&original) {
            if segments.len() >= MAX_TOKENS {
                notes.push(NormalizeNote::Truncated { tokens: MAX_TOKENS });
                break;
            }
            let (lower, key) = if seg.is_ascii() {
                let mut lower = CompactString::new(seg);
                lower.make_ascii_lowercase();
                let key = lower.clone();
                (lower, key)
            } else {
                let lower = seg.to_lowercase();
                let key = CompactString::from(fold::fold(&lower));
                (CompactString::from(lower), key)
            };
            let symbol = !seg.chars().any(char::is_alphanumeric);
            let marked = !symbol && key != lower;
            segments.push(Segment {
                upper: seg.chars().any(char::is_uppercase),
                vi_marks: marked && fold::has_vietnamese_marks(&lower),
                text: lower,
                key,
                span: (start, start + seg.len()),
                symbol,
                marked,
            });
        }
        let (lang, lang_scores) = match forced {
            Some(l) => (l, [0.0; 3]),
            None => self.votes.detect(
                segments.iter().filter(|s| !s.symbol).map(|s| {
                    // "150rb", "1tr5": the unit says the language
                    let unit = s
                        .key
                        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',');
                    let key = if unit.len() < s.key.len() && !unit.is_empty() {
                        unit.trim_end_matches(|c: char| c.is_ascii_digit())
                    } else {
                        s.key.as_str()
                    };
                    (key, s.vi_marks)
                }),
                hint,
            ),
        };
        let words = &self.langs[lang.index()];
        let tokens = read_numbers(segments, words, &mut notes, noting);
        let tokens = self.expand_words(tokens, lang, &mut notes, noting);
        Normalized {
            original,
            lang,
            lang_scores,
            script,
            tokens,
            notes,
        }
    }

    fn expand_words(
        &self,
        tokens: Vec<Token>,
        lang: Lang,
        notes: &mut Vec<NormalizeNote>,
        noting: bool,
    ) -> Vec<Token> {
        let words = &self.langs[lang.index()];
        let english = &self.langs[Lang::En.index()];
        let mut out = Vec::with_capacity(tokens.len() + 4);
        let tokens = if lang == Lang::Id {
            reduplicate(tokens, notes, noting)
        } else {
            tokens
        };
        for mut tok in tokens {
            if !tok.is_word() {
                out.push(tok);
                continue;
            }
            if !words.vocabulary.contains(tok.key.as_str())
                && !words.slang.contains_key(tok.key.as_str())
            {
                if let Some(squashed) = squash(&tok.key, &words.vocabulary, &words.slang) {
                    if noting {
                        notes.push(NormalizeNote::Squashed {
                            from: tok.text.to_string(),
                            to: squashed.clone(),
                        });
                    }
                    tok.text = squashed.as_str().into();
                    tok.key = squashed.into();
                    tok.marked = false;
                }
            }
            let entry = words.slang.get(tok.key.as_str()).or_else(|| {
                (lang != Lang::En && !words.vocabulary.contains(tok.key.as_str()))
                    .then(|| english.slang.get(tok.key.as_str()))
                    .flatten()
            });
            match entry {
                Some(e) => {
                    if noting {
                        notes.push(NormalizeNote::Slang {
                            from: tok.text.to_string(),
                            to: e
                                .expansion
                                .iter()
                                .map(|(t, _)| t.as_str())
                                .collect::<Vec<_>>()
                                .join(" "),
                            origin: e.origin.clone(),
                        });
                    }
                    for (text, key) in &e.expansion {
                        out.push(Token {
                            text: text.clone(),
                            key: key.clone(),
                            span: tok.span,
                            kind: TokenKind::Word,
                            marked: false,
                            upper: false,
                        });
                    }
                }
                None => out.push(tok),
            }
        }
        out
    }
}

/// Indonesian writes reduplication with a 2: "tiba2" → "tiba tiba", "brg2" → "brg brg"
/// (slang then expands each).
fn reduplicate(tokens: Vec<Token>, notes: &mut Vec<NormalizeNote>, noting: bool) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len() + 2);
    for tok in tokens {
        let stem = tok
            .key
            .strip_suffix('2')
            .filter(|s| s.chars().count() >= 2 && s.chars().all(char::is_alphabetic));
        match (tok.is_word(), stem) {
            (true, Some(stem)) => {
                let stem = stem.to_string();
                let text = tok.text.trim_end_matches('2').to_string();
                if noting {
                    notes.push(NormalizeNote::Squashed {
                        from: tok.text.to_string(),
                        to: format!("{text} {text}"),
                    });
                }
                for _ in 0..2 {
                    out.push(Token {
                        text: text.as_str().into(),
                        key: stem.as_str().into(),
                        ..tok.clone()
                    });
                }
            }
            _ => out.push(tok),
        }
    }
    out
}

/// Collapses letters repeated three or more times: "bagusss" → "bagus",
/// "maaaaf" → "maaf" (the form the vocabulary knows wins).
fn squash(
    key: &str,
    vocabulary: &FxHashSet<String>,
    slang: &FxHashMap<String, SlangEntry>,
) -> Option<String> {
    let chars: Vec<char> = key.chars().collect();
    let known = |w: &String| vocabulary.contains(w) || slang.contains_key(w);
    let has_run = chars
        .windows(3)
        .any(|w| w[0] == w[1] && w[1] == w[2] && w[0].is_alphabetic());
    if !has_run {
        // "haloo", "iyaa": a doubled last letter, when the word without it is known
        let n = chars.len();
        if n >= 3 && chars[n - 1] == chars[n - 2] && chars[n - 1].is_alphabetic() {
            let shorter: String = chars[..n - 1].iter().collect();
            if known(&shorter) {
                return Some(shorter);
            }
        }
        return None;
    }
    let collapse = |keep: usize| -> String {
        let mut out = String::with_capacity(key.len());
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let mut j = i;
            while j < chars.len() && chars[j] == c {
                j += 1;
            }
            let run = j - i;
            let n = if run >= 3 && c.is_alphabetic() {
                keep
            } else {
                run
            };
            out.extend(std::iter::repeat_n(c, n));
            i = j;
        }
        out
    };
    let one = collapse(1);
    let two = collapse(2);
    if known(&one) {
        Some(one)
    } else if known(&two) {
        Some(two)
    } else {
        Some(one)
    }
}

/// Reads numbers: digits and fused shorthand per token, then number phrases
/// across tokens ("dua ratus ribu", "2 triệu rưỡi", "rp 20", "2jt - an").
fn read_numbers(
    segments: Vec<Segment>,
    words: &LangWords,
    notes: &mut Vec<NormalizeNote>,
    noting: bool,
) -> Vec<Token> {
    let lex = &words.numbers;
    let fused: Vec<Option<Amount>> = segments
        .iter()
        .map(|s| {
            if s.symbol || !s.text.bytes().any(|b| b.is_ascii_digit()) {
                None
            } else {
                numbers::parse_fused(&s.text, lex)
            }
        })
        .collect();
    // First the plan (number phrases need to look ahead), then the tokens, moving
    // each plain segment instead of copying it.
    let mut phrases: Vec<(usize, usize, Amount)> = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        match phrase_at(&segments, &fused, i, words) {
            Some((amount, end)) => {
                phrases.push((i, end, amount));
                i = end;
            }
            None => i += 1,
        }
    }
    let mut out = Vec::with_capacity(segments.len());
    let mut next_phrase = phrases.into_iter().peekable();
    let mut segments = segments.into_iter().enumerate().peekable();
    while let Some((i, s)) = segments.next() {
        if let Some((_, end, amount)) = next_phrase.next_if(|(start, _, _)| *start == i) {
            let mut texts = vec![s.text];
            let (span_start, mut span_end, mut upper) = (s.span.0, s.span.1, s.upper);
            while let Some((_, n)) = segments.next_if(|(k, _)| *k < end) {
                texts.push(n.text);
                span_end = n.span.1;
                upper |= n.upper;
            }
            let from = texts.join(" ");
            let to = amount.display();
            if noting && from != to {
                notes.push(NormalizeNote::Number {
                    from: from.clone(),
                    to: format!("{to}{}", if amount.approx { " (around)" } else { "" }),
                });
            }
            out.push(Token {
                text: from.into(),
                key: to.into(),
                span: (span_start, span_end),
                kind: TokenKind::Number(amount),
                marked: false,
                upper,
            });
            continue;
        }
        out.push(Token {
            kind: if s.symbol {
                TokenKind::Symbol
            } else {
                TokenKind::Word
            },
            text: s.text,
            key: s.key,
            span: s.span,
            marked: s.marked,
            upper: s.upper,
        });
    }
    out
}

/// A number phrase starting at `start`, and the index after it.
fn phrase_at(
    segments: &[Segment],
    fused: &[Option<Amount>],
    start: usize,
    words: &LangWords,
) -> Option<(Amount, usize)> {
    let lex = &words.numbers;
    let first = &segments[start];
    if let Some(a) = &fused[start] {
        if a.unit.is_some() {
            return Some((a.clone(), start + 1));
        }
    }
    let mut i = start;
    if fused[start].is_none() && !first.symbol && !lex.may_start(&first.key) {
        return None;
    }
    let mut leading_currency = None;
    // "rp 20", "rp. 20", "$ 10", "vn$ 1000", "usd 5"
    if fused[start].is_none() {
        let cur = lex
            .currency(&first.text)
            .or_else(|| lex.currency(&first.key))
            .or_else(|| {
                // "vn" "$"
                segments
                    .get(start + 1)
                    .filter(|n| n.text == "$")
                    .and_then(|n| {
                        lex.currency(&format!("{}{}", first.text, n.text))
                            .inspect(|_c| {
                                i += 1;
                            })
                    })
            });
        if let Some(c) = cur {
            let mut j = i + 1;
            if segments.get(j).is_some_and(|s| s.text == ".") {
                j += 1;
            }
            if fused.get(j).is_some_and(|a| {
                a.as_ref()
                    .is_some_and(|a| a.unit.is_none() && a.currency.is_none())
            }) {
                leading_currency = Some(c);
                i = j;
            } else {
                return None;
            }
        }
    }
    let head = &segments[i];
    if fused[i].is_none() {
        if head.symbol {
            return None;
        }
        let readings = lex.word(&head.text, &head.key, head.marked);
        if readings.is_empty() {
            return None;
        }
        if lex.is_inner_only(&head.key) {
            let next = segments.get(i + 1)?;
            let next_is_mult = lex
                .word(&next.text, &next.key, next.marked)
                .iter()
                .any(|w| {
                    matches!(
                        w,
                        numbers::NumberWord::Multiplier(_) | numbers::NumberWord::Teen
                    )
                });
            let next_is_unit = lex.money_unit(&next.key).is_some()
                || words.quantity_units.contains(next.key.as_str());
            if !(next_is_mult || next_is_unit) {
                return None;
            }
        }
        // A multiplier alone does not start a number except "trăm"/"ratus"-like
        // words followed by more number words; keep it simple: require an atom.
        if !readings
            .iter()
            .any(|w| matches!(w, numbers::NumberWord::Atom(_)))
        {
            let next = segments.get(i + 1)?;
            if lex.word(&next.text, &next.key, next.marked).is_empty() {
                return None;
            }
        }
    }
    let mut phrase = NumberPhrase::default();
    let mut end = i;
    let mut j = i;
    while j < segments.len() {
        let s = &segments[j];
        // "2jt-an": a hyphen joins an approximation suffix
        if s.text == "-" && phrase.consumed() > 0 {
            if let Some(n) = segments.get(j + 1) {
                if lex.is_approx_suffix(&n.key) {
                    let tok = PhraseToken {
                        text: &n.text,
                        key: &n.key,
                        marked: n.marked,
                        amount: None,
                    };
                    if phrase.push(&tok, lex) {
                        end = j + 2;
                        break;
                    }
                }
            }
            break;
        }
        if s.symbol && s.text != "$" {
            break;
        }
        // "k" alone after a number is money, but "k" after words is slang (không)
        let tok = PhraseToken {
            text: &s.text,
            key: &s.key,
            marked: s.marked,
            amount: fused[j].as_ref(),
        };
        if !phrase.push(&tok, lex) {
            break;
        }
        j += 1;
        end = j;
    }
    if end == i {
        return None;
    }
    let mut amount = phrase.finish()?;
    if let Some(c) = leading_currency {
        amount.currency = Some(c);
        amount.money = true;
    }
    Some((amount, end))
}

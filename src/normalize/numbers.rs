//! Numbers and money as customers type them: digits with either decimal convention
//! ("1.200.000", "1,5"), fused shorthand ("150rb", "1,5jt", "1tr5", "500k", "Rp20"),
//! number words ("dua ratus ribu", "hai mươi mốt nghìn", "2 triệu rưỡi"), money slang
//! ("2 củ") and approximations ("2jt-an", "2 jutaan"). The words come from
//! `lexicons/<lang>/numbers.yaml`; the grammar that combines them lives here.

use crate::lang::Currency;
use rustc_hash::{FxHashMap, FxHashSet};

/// A number read from the message.
#[derive(Debug, Clone, PartialEq)]
pub struct Amount {
    pub value: f64,
    /// A money unit ("rb", "juta", "k", "củ") or a currency made it money.
    pub money: bool,
    pub currency: Option<Currency>,
    /// "2jt-an", "2 jutaan": the customer means "around".
    pub approx: bool,
    /// The largest multiplier used (1 for plain digits): "1jt 500rb" adds up because
    /// 500rb is below the million of the first part.
    pub scale: f64,
    /// A unit that is not money, fused to the digits ("42cm", "128gb").
    pub unit: Option<String>,
    /// Written with digits only ("42", "0033"), no words, unit or separators.
    pub plain_digits: bool,
}

impl Amount {
    fn plain(value: f64, plain_digits: bool) -> Self {
        Amount {
            value,
            money: false,
            currency: None,
            approx: false,
            scale: 1.0,
            unit: None,
            plain_digits,
        }
    }

    /// The value as written in normalized text: an integer when it is one.
    pub fn display(&self) -> String {
        format_number(self.value)
    }
}

/// Writes a number the way normalized text shows it: "500000", "1.5".
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// How a single word takes part in a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumberWord {
    /// A value that adds: "dua" = 2, "seratus" = 100, "mười" = 10.
    Atom(f64),
    /// Multiplies what comes before: "puluh" = 10, "ribu" = 1000.
    Multiplier(f64),
    /// Adds ten to the word before: "belas".
    Teen,
    /// Adds half the multiplier before: "rưỡi".
    Half,
}

/// The number words, units and currencies of one language, compiled.
#[derive(Debug, Default, Clone)]
pub struct NumberLexicon {
    /// Keyed by the word as written (with marks).
    exact: FxHashMap<String, Vec<NumberWord>>,
    /// Keyed by the folded word, for customers who type without marks.
    folded: FxHashMap<String, Vec<NumberWord>>,
    inner_only: FxHashSet<String>,
    negative: FxHashSet<String>,
    money_units: FxHashMap<String, f64>,
    approx_suffixes: Vec<String>,
    currencies: FxHashMap<String, Currency>,
    /// Folded words that can begin a number phrase (number words, currencies):
    /// one lookup rules out every other word.
    starters: FxHashSet<String>,
}

/// The raw lists a [`NumberLexicon`] is built from (already validated).
#[derive(Debug, Default, Clone)]
pub struct NumberLists {
    pub words: Vec<(String, f64)>,
    pub multipliers: Vec<(String, f64)>,
    pub teen: Vec<String>,
    pub half: Vec<String>,
    pub inner_only: Vec<String>,
    pub negative: Vec<String>,
    pub money_units: Vec<(String, f64)>,
    pub approx_suffixes: Vec<String>,
    pub currencies: Vec<(String, Currency)>,
}

impl NumberLexicon {
    pub fn new(lists: &NumberLists) -> Self {
        let mut lex = NumberLexicon::default();
        let mut add = |word: &str, w: NumberWord| {
            let word = word.to_lowercase();
            let folded = super::fold::fold(&word);
            let e = lex.exact.entry(word).or_default();
            if !e.contains(&w) {
                e.push(w);
            }
            let f = lex.folded.entry(folded).or_default();
            if !f.contains(&w) {
                f.push(w);
            }
        };
        for (w, v) in &lists.words {
            add(w, NumberWord::Atom(*v));
        }
        for (w, v) in &lists.multipliers {
            add(w, NumberWord::Multiplier(*v));
        }
        for w in &lists.teen {
            add(w, NumberWord::Teen);
        }
        for w in &lists.half {
            add(w, NumberWord::Half);
        }
        for w in &lists.inner_only {
            lex.inner_only.insert(super::fold::fold(w));
        }
        for w in &lists.negative {
            lex.negative.insert(super::fold::fold(w));
        }
        for (w, v) in &lists.money_units {
            lex.money_units.insert(super::fold::fold(w), *v);
        }
        lex.approx_suffixes = lists
            .approx_suffixes
            .iter()
            .map(|s| s.to_lowercase())
            .collect();
        for (w, c) in &lists.currencies {
            lex.currencies.insert(w.to_lowercase(), *c);
            // A form written with marks ("đồng", "đô") is matched as typed: read
            // without them it is another word ("dong" is an Indonesian particle,
            // "đó" is "that"). Unmarked spellings are listed on their own.
            if !super::fold::has_marks(w) {
                lex.currencies.insert(super::fold::fold(w), *c);
            }
        }
        lex.starters = lex
            .folded
            .keys()
            .chain(lex.currencies.keys())
            .map(|k| super::fold::fold(k))
            .collect();
        // "vn$" is typed as "vn" then "$"
        let split: Vec<String> = lex
            .currencies
            .keys()
            .filter_map(|k| k.split_once('$').map(|(a, _)| a.to_string()))
            .filter(|a| !a.is_empty())
            .collect();
        lex.starters.extend(split);
        lex
    }

    /// Whether a folded word can begin a number phrase.
    pub fn may_start(&self, key: &str) -> bool {
        self.starters.contains(key)
    }

    /// The readings of a word: with marks typed, only the word as written counts.
    pub fn word(&self, text: &str, key: &str, marked: bool) -> &[NumberWord] {
        let found = if marked {
            self.exact.get(text)
        } else {
            self.folded.get(key)
        };
        found.map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn is_inner_only(&self, key: &str) -> bool {
        self.inner_only.contains(key)
    }

    pub fn is_negative(&self, key: &str) -> bool {
        self.negative.contains(key)
    }

    pub fn money_unit(&self, key: &str) -> Option<f64> {
        self.money_units.get(key).copied()
    }

    pub fn currency(&self, text: &str) -> Option<Currency> {
        self.currencies.get(text).copied()
    }

    /// "jutaan" → the unit "juta" read as "around".
    pub fn approx_unit(&self, key: &str) -> Option<f64> {
        self.approx_suffixes.iter().find_map(|suf| {
            let stem = key.strip_suffix(suf.as_str())?;
            if stem.is_empty() {
                return None;
            }
            self.money_unit(stem).or_else(|| {
                self.folded.get(stem).and_then(|ws| {
                    ws.iter().find_map(|w| match w {
                        NumberWord::Multiplier(m) if *m >= 1000.0 => Some(*m),
                        _ => None,
                    })
                })
            })
        })
    }

    pub fn is_approx_suffix(&self, key: &str) -> bool {
        self.approx_suffixes.iter().any(|s| s == key)
    }
}

/// The parts of a fused token: `[currency]digits[unit][tail digits][suffix][$]`,
/// as in "rp20", "1,5jt", "1tr5", "2jtan", "10$".
struct FusedParts<'a> {
    pre: Option<&'a str>,
    num: &'a str,
    unit: Option<&'a str>,
    tail: Option<&'a str>,
    suffix: Option<&'a str>,
    dollar: bool,
}

/// Splits a token into [`FusedParts`]; `None` when it is not shaped like a number.
fn split_fused(token: &str) -> Option<FusedParts<'_>> {
    let b = token.as_bytes();
    let mut i = 0;
    let letters = |from: usize| -> usize {
        token[from..]
            .char_indices()
            .find(|(_, c)| !c.is_alphabetic())
            .map_or(token.len(), |(k, _)| from + k)
    };
    // currency prefix: letters or '$', then an optional '.'
    let mut pre = None;
    let pre_end = {
        let mut e = letters(0);
        while e < b.len() && b[e] == b'$' {
            e = letters(e + 1);
        }
        e
    };
    if pre_end > 0 {
        let mut e = pre_end;
        if e < b.len() && b[e] == b'.' {
            e += 1;
        }
        pre = Some(&token[..pre_end]);
        i = e;
    }
    // digits with separators, ending in a digit (or ",77")
    let start = i;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b',') {
        i += 1;
    }
    while i > start && !b[i - 1].is_ascii_digit() {
        i -= 1;
    }
    let num = &token[start..i];
    if num.is_empty() || !num.bytes().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let leading_separator = num.len() > 1 && num.as_bytes()[1..].iter().all(u8::is_ascii_digit);
    if !(num.as_bytes()[0].is_ascii_digit() || leading_separator) {
        return None;
    }
    let take_letters = |i: &mut usize| -> Option<&str> {
        let e = letters(*i);
        (e > *i).then(|| {
            let s = &token[*i..e];
            *i = e;
            s
        })
    };
    let unit = take_letters(&mut i);
    let tail_start = i;
    while i < b.len() && b[i].is_ascii_digit() && i - tail_start < 3 {
        i += 1;
    }
    let tail = (i > tail_start).then(|| &token[tail_start..i]);
    let suffix = take_letters(&mut i);
    let dollar = i < b.len() && b[i] == b'$';
    if dollar {
        i += 1;
    }
    (i == b.len()).then_some(FusedParts {
        pre,
        num,
        unit,
        tail,
        suffix,
        dollar,
    })
}

/// Reads digits with separators: "1.200.000", "1,5", "33.000", "315,00", ",77".
/// `big_unit` means a million-or-more unit follows, so "1.250jt" is 1.25 million.
pub fn parse_digits(s: &str, big_unit: bool) -> Option<f64> {
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let cleaned: String = if dots > 0 && commas > 0 {
        let last_dot = s.rfind('.')?;
        let last_comma = s.rfind(',')?;
        let (thousands, decimal) = if last_comma > last_dot {
            ('.', ',')
        } else {
            (',', '.')
        };
        s.chars()
            .filter(|c| *c != thousands)
            .map(|c| if c == decimal { '.' } else { c })
            .collect()
    } else if dots + commas == 0 {
        s.to_string()
    } else {
        let sep = if dots > 0 { '.' } else { ',' };
        let count = dots + commas;
        let after = s.rsplit(sep).next().unwrap_or("");
        let thousands = count > 1 || (after.len() == 3 && !big_unit && !s.starts_with(sep));
        if thousands {
            // every group after the first must have three digits
            let groups: Vec<&str> = s.split(sep).collect();
            if groups.iter().skip(1).any(|g| g.len() != 3) || groups[0].is_empty() {
                return None;
            }
            s.chars().filter(|c| *c != sep).collect()
        } else {
            s.replace(sep, ".")
        }
    };
    let cleaned = if cleaned.starts_with('.') {
        format!("0{cleaned}")
    } else {
        cleaned
    };
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Reads one token that fuses digits with a currency or unit: "150rb", "1,5jt",
/// "1tr5", "rp20", "idr33000", "10k", "42cm". `None` when the token is not a number.
pub fn parse_fused(token: &str, lex: &NumberLexicon) -> Option<Amount> {
    let parts = split_fused(token)?;
    let num = parts.num;
    let mut currency = None;
    if let Some(pre) = parts.pre {
        currency = Some(lex.currency(pre)?);
    }
    if parts.dollar {
        currency = Some(Currency::Usd);
    }
    let unit = parts.unit;
    let tail = parts.tail;
    let suffix = parts.suffix;
    let mut amount = Amount::plain(0.0, false);
    amount.currency = currency;
    amount.money = currency.is_some();
    let mut scale = 1.0;
    let mut approx = false;
    if let Some(u) = unit {
        let key = super::fold::fold(u);
        if let Some(m) = lex.money_unit(&key) {
            scale = m;
            amount.money = true;
        } else if let Some(m) = lex.approx_unit(&key) {
            scale = m;
            approx = true;
            amount.money = true;
        } else if let Some(c) = lex.currency(u) {
            if amount.currency.is_some() || tail.is_some() {
                return None;
            }
            amount.currency = Some(c);
            amount.money = true;
        } else if tail.is_none() && suffix.is_none() && currency.is_none() {
            // "42cm", "128gb": a number with a unit that is not money.
            let value = parse_digits(num, false)?;
            let mut a = Amount::plain(value, false);
            a.unit = Some(u.to_string());
            return Some(a);
        } else {
            return None;
        }
    }
    if let Some(s) = suffix {
        // "1tr5k" is not a thing; only an approximation suffix may close the token
        if !lex.is_approx_suffix(s) || unit.is_none() {
            return None;
        }
        approx = true;
    }
    let mut value = parse_digits(num, scale >= 1e6)? * scale;
    if let Some(t) = tail {
        if scale < 1000.0 {
            return None;
        }
        // "1tr5" = 1.5 million, "1tr250" = 1.25 million
        let digits = t.len() as i32;
        value += t.parse::<f64>().ok()? * scale / 10f64.powi(digits);
    }
    amount.value = value;
    amount.scale = scale;
    amount.approx = approx;
    amount.plain_digits = unit.is_none() && currency.is_none() && !num.contains(['.', ',']);
    Some(amount)
}

/// One token offered to [`NumberPhrase`].
pub struct PhraseToken<'a> {
    pub text: &'a str,
    pub key: &'a str,
    pub marked: bool,
    /// Set when the token was already read as a number (digits, fused shorthand).
    pub amount: Option<&'a Amount>,
}

/// Builds one number from consecutive tokens ("dua ratus ribu", "2 triệu rưỡi",
/// "1 juta 500 ribu", "rp 20"). Feed tokens until [`NumberPhrase::push`] says no.
#[derive(Debug, Default)]
pub struct NumberPhrase {
    total: f64,
    current: f64,
    /// The last component added to `current` (for place-value checks).
    last: Option<f64>,
    last_mult: f64,
    /// The smallest closed scale so far (scales must fall: juta, then ribu).
    last_scale: f64,
    /// Digits written after a scale of a million ("1 triệu 5", "1 juta 500").
    remainder_digits: Option<usize>,
    used_words: bool,
    /// The last scale came from a separate word ("1 triệu"), not shorthand ("1tr").
    scale_from_word: bool,
    consumed: usize,
    money: bool,
    currency: Option<Currency>,
    approx: bool,
    plain_digits: bool,
    finished: bool,
}

impl NumberPhrase {
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    fn has_value(&self) -> bool {
        self.consumed > 0
            && (self.total > 0.0
                || self.current > 0.0
                || self.last.is_some()
                || self.last_scale > 0.0)
    }

    /// Offers the next token; true when it became part of the number.
    pub fn push(&mut self, tok: &PhraseToken, lex: &NumberLexicon) -> bool {
        if self.finished {
            return false;
        }
        if let Some(a) = tok.amount {
            return self.push_amount(a);
        }
        if let Some(c) = lex.currency(tok.text).or_else(|| lex.currency(tok.key)) {
            if self.consumed == 0 || self.currency.is_some() {
                return false;
            }
            self.currency = Some(c);
            self.money = true;
            self.consumed += 1;
            self.finished = true;
            return true;
        }
        if self.consumed > 0 && lex.is_approx_suffix(tok.key) && self.money {
            self.approx = true;
            self.consumed += 1;
            self.finished = true;
            return true;
        }
        let readings = lex.word(tok.text, tok.key, tok.marked);
        let unit = lex.money_unit(tok.key);
        let approx_unit = if readings.is_empty() && unit.is_none() {
            lex.approx_unit(tok.key)
        } else {
            None
        };
        if readings.is_empty() && unit.is_none() && approx_unit.is_none() {
            return false;
        }
        if self.consumed == 0 && (unit.is_some() || approx_unit.is_some()) && readings.is_empty() {
            // a unit cannot start a number ("k" alone is slang for "không")
            return false;
        }
        // A word read as a multiplier when a small atom waits for it, else as an atom.
        let small_pending = self.last.is_some_and(|l| l < 10.0);
        let pick = readings
            .iter()
            .copied()
            .find(|w| match w {
                NumberWord::Multiplier(_) | NumberWord::Teen => small_pending,
                _ => !small_pending,
            })
            .or_else(|| readings.first().copied());
        let accepted = match (pick, unit.or(approx_unit)) {
            (Some(NumberWord::Multiplier(m)), u) if m >= 1000.0 || u.is_some() => {
                let m = if m >= 1000.0 { m } else { u.unwrap_or(m) };
                self.scale_step(m, u.is_some())
            }
            (None, Some(u)) => self.scale_step(u, true),
            (Some(NumberWord::Multiplier(m)), None) => self.mult_step(m),
            (Some(NumberWord::Atom(v)), _) => self.atom_step(v),
            (Some(NumberWord::Teen), _) => match self.last {
                Some(l) if l < 10.0 => {
                    self.current += 10.0;
                    self.last = Some(l + 10.0);
                    true
                }
                _ => false,
            },
            (Some(NumberWord::Half), _) => {
                if self.last_mult > 0.0 {
                    if self.last_mult >= 1000.0 && self.current == 0.0 {
                        self.total += self.last_mult / 2.0;
                    } else {
                        self.current += self.last_mult / 2.0;
                    }
                    self.finished = true;
                    true
                } else {
                    false
                }
            }
            (Some(NumberWord::Multiplier(_)), Some(_)) | (None, None) => false,
        };
        if accepted {
            if approx_unit.is_some() {
                self.approx = true;
                self.finished = true;
            }
            self.used_words = true;
            self.plain_digits = false;
            self.consumed += 1;
        }
        accepted
    }

    fn push_amount(&mut self, a: &Amount) -> bool {
        if a.unit.is_some() {
            return false;
        }
        if self.consumed == 0 {
            if a.money && a.scale > 1.0 {
                // "2jt": complete; may continue with a smaller money amount
                self.total = a.value;
                self.last_scale = a.scale;
                self.last_mult = a.scale;
            } else {
                // "1,5" waits for "juta"
                self.current = a.value;
                self.last = Some(a.value);
                self.plain_digits = a.plain_digits;
            }
            self.money = a.money;
            self.currency = a.currency;
            self.approx = a.approx;
            self.consumed = 1;
            return true;
        }
        // After a closed scale: "1jt 500rb", "1 triệu 5", "2 juta 500 ribu"
        if self.current == 0.0 && self.last_scale > 0.0 {
            let smaller = if a.money && a.scale > 1.0 {
                a.scale < self.last_scale && a.value < self.last_scale
            } else {
                a.value < 1000.0 && a.value.fract() == 0.0 && a.plain_digits
            };
            if !smaller
                || a.currency
                    .is_some_and(|c| self.currency.is_some_and(|d| d != c))
            {
                return false;
            }
            if a.money && a.scale > 1.0 {
                self.total += a.value;
                self.last_scale = a.scale;
                self.scale_from_word = false;
            } else {
                if !self.scale_from_word {
                    return false;
                }
                self.current = a.value;
                self.last = Some(a.value);
                if self.last_scale >= 1e6 {
                    self.remainder_digits = Some(digit_count(a.value));
                }
            }
            self.money |= a.money;
            self.currency = self.currency.or(a.currency);
            self.plain_digits = false;
            self.consumed += 1;
            return true;
        }
        false
    }

    fn atom_step(&mut self, v: f64) -> bool {
        if let Some(l) = self.last {
            let place = 10f64.powi(trailing_zeros(l) as i32);
            if !(l >= 10.0 && v < place) {
                return false;
            }
        } else if self.current == 0.0 && self.last_scale > 0.0 && v >= self.last_scale {
            return false;
        }
        self.current += v;
        self.last = Some(v);
        true
    }

    fn mult_step(&mut self, m: f64) -> bool {
        match self.last {
            Some(l) => {
                self.current = self.current - l + l * m;
                self.last = Some(l * m);
            }
            None => {
                if self.current != 0.0 {
                    return false;
                }
                self.current = m;
                self.last = Some(m);
            }
        }
        self.last_mult = m;
        true
    }

    fn scale_step(&mut self, m: f64, money: bool) -> bool {
        if self.last_scale > 0.0 && m >= self.last_scale {
            return false;
        }
        if self.current == 0.0 && self.last_scale > 0.0 {
            return false;
        }
        let base = if self.current == 0.0 {
            1.0
        } else {
            self.current
        };
        self.total += base * m;
        self.current = 0.0;
        self.last = None;
        self.last_scale = m;
        self.last_mult = m;
        self.scale_from_word = true;
        self.money |= money;
        true
    }

    /// The number built so far, if any.
    pub fn finish(self) -> Option<Amount> {
        if !self.has_value() {
            return None;
        }
        let mut value = self.total + self.current;
        if let (Some(d), true) = (self.remainder_digits, self.current > 0.0) {
            value = self.total + self.current * self.last_scale / 10f64.powi(d as i32);
        }
        Some(Amount {
            value,
            money: self.money,
            currency: self.currency,
            approx: self.approx,
            scale: if self.last_scale > 0.0 {
                self.last_scale
            } else {
                1.0
            },
            unit: None,
            plain_digits: self.plain_digits && !self.used_words,
        })
    }

    pub fn used_words(&self) -> bool {
        self.used_words
    }
}

fn trailing_zeros(v: f64) -> u32 {
    let mut n = v as u64;
    if n == 0 {
        return 0;
    }
    let mut z = 0;
    while n.is_multiple_of(10) {
        n /= 10;
        z += 1;
    }
    z
}

fn digit_count(v: f64) -> usize {
    format_number(v.trunc()).trim_start_matches('-').len()
}

/// Reads a whole text as one number ("tiga puluh tiga", "1,2M", "- 1.200.000",
/// "âm 1.200.000", "hai trăm nghìn"). Used for number corpora and tests; inside
/// a message the normalizer reads numbers with [`NumberPhrase`].
pub fn parse_whole(text: &str, lex: &NumberLexicon) -> Option<f64> {
    let lowered = text.trim().to_lowercase();
    let mut words: Vec<&str> = lowered.split_whitespace().collect();
    let mut sign = 1.0;
    if let Some(first) = words.first().copied() {
        if first == "-" || lex.is_negative(&super::fold::fold(first)) {
            sign = -1.0;
            words.remove(0);
        } else if let Some(rest) = first.strip_prefix('-') {
            sign = -1.0;
            words[0] = rest;
        }
    }
    if words.is_empty() {
        return None;
    }
    if words.len() == 1 {
        // Duckling's K/M/G suffixes: "100K", "1,2M", ",0012G"
        let w = words[0];
        let last = w.chars().last()?;
        let scale = match last {
            'k' => Some(1e3),
            'm' => Some(1e6),
            'g' => Some(1e9),
            _ => None,
        };
        if let Some(s) = scale {
            let num = &w[..w.len() - 1];
            if let Some(v) = parse_digits(num, s >= 1e6) {
                return Some(sign * v * s);
            }
        }
    }
    let amounts: Vec<Option<Amount>> = words.iter().map(|w| parse_fused(w, lex)).collect();
    let keys: Vec<String> = words.iter().map(|w| super::fold::fold(w)).collect();
    let mut phrase = NumberPhrase::default();
    for (i, w) in words.iter().enumerate() {
        let tok = PhraseToken {
            text: w,
            key: &keys[i],
            marked: super::fold::has_marks(w),
            amount: amounts[i].as_ref(),
        };
        if !phrase.push(&tok, lex) {
            return None;
        }
    }
    phrase.finish().map(|a| sign * a.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> NumberLexicon {
        let s = |v: &[(&str, f64)]| v.iter().map(|(a, b)| (a.to_string(), *b)).collect();
        NumberLexicon::new(&NumberLists {
            words: s(&[
                ("satu", 1.0),
                ("dua", 2.0),
                ("tiga", 3.0),
                ("lima", 5.0),
                ("tujuh", 7.0),
                ("sepuluh", 10.0),
                ("sebelas", 11.0),
                ("seratus", 100.0),
            ]),
            multipliers: s(&[
                ("puluh", 10.0),
                ("ratus", 100.0),
                ("ribu", 1000.0),
                ("juta", 1e6),
            ]),
            teen: vec!["belas".into()],
            money_units: s(&[
                ("rb", 1000.0),
                ("ribu", 1000.0),
                ("jt", 1e6),
                ("juta", 1e6),
                ("k", 1000.0),
                ("tr", 1e6),
                ("củ", 1e6),
            ]),
            approx_suffixes: vec!["an".into()],
            currencies: vec![
                ("rp".into(), Currency::Idr),
                ("rupiah".into(), Currency::Idr),
            ],
            ..Default::default()
        })
    }

    #[test]
    fn digits_both_conventions() {
        assert_eq!(parse_digits("1.200.000", false), Some(1_200_000.0));
        assert_eq!(parse_digits("33.000", false), Some(33_000.0));
        assert_eq!(parse_digits("1,5", false), Some(1.5));
        assert_eq!(parse_digits("315,00", false), Some(315.0));
        assert_eq!(parse_digits(",77", false), Some(0.77));
        assert_eq!(parse_digits("1.250", true), Some(1.25));
        assert_eq!(parse_digits("1,234.56", false), Some(1234.56));
    }

    #[test]
    fn fused_shorthand() {
        let lex = id();
        let v = |s: &str| parse_fused(s, &lex).map(|a| (a.value, a.money, a.approx));
        assert_eq!(v("150rb"), Some((150_000.0, true, false)));
        assert_eq!(v("1,5jt"), Some((1_500_000.0, true, false)));
        assert_eq!(v("1tr5"), Some((1_500_000.0, true, false)));
        assert_eq!(v("500k"), Some((500_000.0, true, false)));
        assert_eq!(v("2jtan"), Some((2_000_000.0, true, true)));
        assert_eq!(v("rp20"), Some((20.0, true, false)));
        assert_eq!(v("42"), Some((42.0, false, false)));
        assert_eq!(
            parse_fused("42cm", &lex).unwrap().unit.as_deref(),
            Some("cm")
        );
        assert_eq!(v("iphone15"), None);
    }

    #[test]
    fn words() {
        let lex = id();
        assert_eq!(
            parse_whole("tujuh ratus dua puluh satu ribu dua belas", &lex),
            Some(721_012.0)
        );
        assert_eq!(parse_whole("sepuluh ribu sebelas", &lex), Some(10_011.0));
        assert_eq!(parse_whole("2 juta 500 ribu", &lex), Some(2_500_000.0));
        assert_eq!(parse_whole("1 juta 500", &lex), Some(1_500_000.0));
        assert_eq!(parse_whole("2 củ", &lex), Some(2_000_000.0));
        assert_eq!(parse_whole("- 1.200.000", &lex), Some(-1_200_000.0));
        assert_eq!(parse_whole("1,2M", &lex), Some(1_200_000.0));
        assert_eq!(parse_whole("dua tiga", &lex), None);
    }
}

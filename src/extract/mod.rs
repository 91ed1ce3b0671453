//! Stage 2, extract: the constraint keys of CONTRACT.md section 3 from a normalized
//! message — price range and currency, category, colours and excluded colours,
//! sizes, brands, gender, quantity, ordinal, sort, order id, voucher code, and the
//! words left for full-text search. Each key remembers the words and the lexicon
//! entry it came from, for the trace.

pub mod codes;
pub mod constraints;
pub mod gazetteer;
pub mod price;

use crate::lang::{Currency, Lang};
use crate::normalize::{Normalized, TokenKind};
use crate::trace::Origin;
use constraints::push_unique;
pub use constraints::Constraints;
use gazetteer::{Found, Gazetteer, Tag};
use rustc_hash::{FxHashMap, FxHashSet};

/// A token's view of the phrase covering it.
#[derive(Debug, Clone, Copy)]
pub struct Marked<'a> {
    pub start: usize,
    pub end: usize,
    found: Option<&'a Found>,
    gazetteer: &'a Gazetteer,
}

impl<'a> Marked<'a> {
    fn ids(&self) -> impl Iterator<Item = usize> + 'a {
        let g = self.gazetteer;
        self.found.into_iter().flat_map(move |f| g.entries_of(f))
    }

    pub fn has(&self, pred: impl Fn(&Tag) -> bool) -> bool {
        let g = self.gazetteer;
        self.ids().any(|e| pred(&g.entries[e].tag))
    }

    pub fn tags(&self) -> impl Iterator<Item = (&'a Tag, &'a Origin)> + 'a {
        let g = self.gazetteer;
        self.ids()
            .map(move |e| (&g.entries[e].tag, &g.entries[e].origin))
    }

    /// The entries with their "typed without marks, needs context" flag.
    pub fn entries(&self) -> impl Iterator<Item = &'a gazetteer::Entry> + 'a {
        let g = self.gazetteer;
        self.ids().map(move |e| &g.entries[e])
    }

    pub fn is_phrase(&self) -> bool {
        self.found.is_some()
    }
}

/// Where one constraint came from: the words, and the lexicon entry if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    pub key: &'static str,
    pub value: String,
    pub words: String,
    pub origin: Option<Origin>,
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} <- '{}'", self.key, self.value, self.words)?;
        if let Some(o) = &self.origin {
            write!(f, " ({o})")?;
        }
        Ok(())
    }
}

/// The class of a token for the classifier ("#category", "#money", ...).
pub type TokenClass = Option<&'static str>;

/// The result of extraction for one message.
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub constraints: Constraints,
    pub provenance: Vec<Provenance>,
    /// Per token: the class the classifier sees besides the word itself.
    pub classes: Vec<TokenClass>,
    /// Words left for full-text search (before the intent decides whether to keep them).
    pub query_words: Vec<String>,
    /// The message as the phrase matchers see it (" w1 w2 ... "): the gazetteer
    /// built it, the classifier's keywords match on it too.
    pub haystack: String,
}

/// The extractor of one language.
#[derive(Debug, Clone)]
pub struct LangExtractor {
    pub gazetteer: Gazetteer,
    /// Folded words that never go into `query` (stopwords, intent cue words).
    pub query_ignore: FxHashSet<String>,
    pub default_currency: Currency,
    /// Folded words the content knows (a voucher code is not one of them).
    pub vocabulary: FxHashSet<String>,
    /// First words of category phrases ("ao" of "áo thun"): a colour may follow them.
    pub category_heads: FxHashSet<String>,
    /// One-word category forms ("sepatu"): in a longer phrase ("sepatu lari") the
    /// other words still describe the product and go to the query.
    pub category_words: FxHashSet<String>,
    /// Words of each category's usual name ("sepatu", "giày", "tas"): what a
    /// category phrase says beyond them describes the kind of product.
    pub category_names: FxHashMap<String, FxHashSet<String>>,
}

/// The extractor for all languages.
#[derive(Debug, Clone)]
pub struct Extractor {
    pub langs: Vec<LangExtractor>,
}

impl Extractor {
    /// Extracts the constraints; with `trace`, also where each came from.
    pub fn extract(&self, msg: &Normalized, trace: bool) -> Extraction {
        self.langs[msg.lang.index()].extract(msg, trace)
    }
}

fn class_of(tag: &Tag) -> Option<&'static str> {
    Some(match tag {
        Tag::Category(_) => "#category",
        Tag::Color(_) => "#color",
        Tag::Gender(_) => "#gender",
        Tag::Size(_) | Tag::SizeCue => "#size",
        Tag::Brand(_) => "#brand",
        Tag::Sort(_) => "#sort",
        Tag::Ordinal(_) | Tag::OrdinalPrefix => "#ordinal",
        Tag::Exclusion => "#exclude",
        Tag::PriceUnder
        | Tag::PriceAbove
        | Tag::PriceAround
        | Tag::PriceUnderAfter
        | Tag::PriceAboveAfter => "#price",
        Tag::OrderCue => "#order",
        Tag::VoucherCue => "#voucher",
        _ => return None,
    })
}

impl LangExtractor {
    pub fn extract(&self, msg: &Normalized, trace: bool) -> Extraction {
        let tokens = &msg.tokens;
        let mut haystack = String::with_capacity(msg.original.len() + tokens.len() + 2);
        let found: Vec<Found> = self.gazetteer.find(msg, &mut haystack);
        let mut marks: Vec<Marked> = (0..tokens.len())
            .map(|i| Marked {
                start: i,
                end: i + 1,
                found: None,
                gazetteer: &self.gazetteer,
            })
            .collect();
        for f in &found {
            for m in marks.iter_mut().take(f.end).skip(f.start) {
                *m = Marked {
                    start: f.start,
                    end: f.end,
                    found: Some(f),
                    gazetteer: &self.gazetteer,
                };
            }
        }
        let mut out = Extraction {
            classes: vec![None; tokens.len()],
            haystack,
            ..Default::default()
        };
        let mut used = vec![false; tokens.len()];
        let words_of = |s: usize, e: usize| -> String {
            tokens[s..e]
                .iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let c = &mut out.constraints;
        let prov = &mut out.provenance;

        // Order ids and voucher codes: after their cues, or in their own shapes.
        let codes = codes::find_codes(msg, &marks, &self.vocabulary);
        for (key, found, class, slot) in [
            ("order_id", codes.order_id, "#order", &mut c.order_id),
            (
                "voucher_code",
                codes.voucher_code,
                "#voucher",
                &mut c.voucher_code,
            ),
        ] {
            let Some((code, s, e)) = found else { continue };
            if trace {
                prov.push(Provenance {
                    key,
                    value: code.clone(),
                    words: words_of(s, e),
                    origin: None,
                });
            }
            *slot = Some(code);
            claim(&mut used, &mut out.classes, s..e, Some(class));
        }

        // Prices next: they claim their qualifiers and numbers.
        for p in price::find_prices(tokens, &marks, &used) {
            let currency = p.currency.unwrap_or(self.default_currency);
            if let Some(min) = p.min {
                let v = min.round() as i64;
                c.price_min = Some(c.price_min.map_or(v, |old: i64| old.max(v)));
            }
            if let Some(max) = p.max {
                let v = max.round() as i64;
                c.price_max = Some(c.price_max.map_or(v, |old: i64| old.min(v)));
            }
            c.currency = Some(c.currency.unwrap_or(currency));
            if trace {
                prov.push(Provenance {
                    key: "price",
                    value: format!(
                        "{}..{} {} ({})",
                        fmt_opt(p.min),
                        fmt_opt(p.max),
                        currency,
                        p.how
                    ),
                    words: words_of(p.start, p.end),
                    origin: None,
                });
            }
            claim(&mut used, &mut out.classes, p.start..p.end, Some("#money"));
        }
        if let (Some(lo), Some(hi)) = (c.price_min, c.price_max) {
            if lo > hi {
                // "di atas 500rb di bawah 100rb": contradictory; keep both, swapped, so
                // the search still has a sensible range and the trace says so.
                c.price_min = Some(hi);
                c.price_max = Some(lo);
                if trace {
                    prov.push(Provenance {
                        key: "price",
                        value: "swapped a minimum above the maximum".into(),
                        words: String::new(),
                        origin: None,
                    });
                }
            }
        }

        // Exclusions: colours named after "jangan", "không lấy", "except".
        let mut excluded_tokens = FxHashSet::default();
        for f in &found {
            if !self
                .gazetteer
                .entries_of(f)
                .any(|e| self.gazetteer.entries[e].tag == Tag::Exclusion)
            {
                continue;
            }
            let mut j = f.end;
            let mut steps = 0;
            while j < tokens.len() && steps < 6 {
                let m = marks[j];
                if let Some((Tag::Color(col), origin)) =
                    m.tags().find(|(t, _)| matches!(t, Tag::Color(_)))
                {
                    push_unique(&mut c.exclude_colors, col);
                    if trace {
                        prov.push(Provenance {
                            key: "exclude_colors",
                            value: col.clone(),
                            words: words_of(f.start, m.end),
                            origin: Some(origin.clone()),
                        });
                    }
                    excluded_tokens.insert(m.start);
                } else if !m.has(|t| match t {
                    // "selain hitam dan putih": after a first colour only a joiner goes
                    // on; "jangan yang hitam, mau yang putih" starts a new wish
                    Tag::ListJoiner | Tag::ColorCue => true,
                    Tag::Stopword => excluded_tokens.is_empty(),
                    _ => false,
                }) {
                    break;
                }
                j = m.end;
                steps += 1;
            }
            used[f.start..f.end].iter_mut().for_each(|u| *u = true);
        }

        let mut describing: Vec<String> = Vec::new();
        let category_context =
            |c: &Constraints| matches!(c.category.as_deref(), Some("shoes" | "sandals"));
        let mut i = 0;
        while i < tokens.len() {
            let m = marks[i];
            if m.start != i {
                i += 1;
                continue;
            }
            if m.is_phrase() {
                let words = if trace {
                    words_of(m.start, m.end)
                } else {
                    String::new()
                };
                let typed_plain = tokens[m.start..m.end].iter().all(|t| !t.marked);
                // An ambiguous word typed without marks ("den": đen or đến) counts as a
                // colour only right after a colour word or a product word ("ao den").
                let colour_context = i > 0
                    && (marks[i - 1].has(|t| matches!(t, Tag::ColorCue))
                        || self.category_heads.contains(tokens[i - 1].key.as_str())
                        || marks[i - 1].has(|t| matches!(t, Tag::Category(_))));
                for entry in m.entries() {
                    let (tag, origin) = (&entry.tag, &entry.origin);
                    if entry.needs_marks
                        && typed_plain
                        && !(matches!(tag, Tag::Color(_)) && colour_context)
                    {
                        continue;
                    }
                    let mut record = |key: &'static str, value: &str| {
                        if trace {
                            prov.push(Provenance {
                                key,
                                value: value.to_string(),
                                words: words.clone(),
                                origin: Some(origin.clone()),
                            });
                        }
                    };
                    match tag {
                        Tag::Category(slug) if c.category.is_none() => {
                            c.category = Some(slug.clone());
                            record("category", slug);
                            // "sepatu lari", "powerbank", "kem chống nắng": the words
                            // beyond the category's usual name say which kind
                            let span = &tokens[m.start..m.end];
                            // (every word of a lexicon phrase counts: "thể" in
                            // "giày thể thao" is not the stopword "thế")
                            let name = self.category_names.get(slug.as_str());
                            for t in span
                                .iter()
                                .filter(|t| !name.is_some_and(|n| n.contains(t.key.as_str())))
                            {
                                describing.push(t.text.to_string());
                            }
                        }
                        Tag::Color(col)
                            if !excluded_tokens.contains(&m.start)
                                && !used[i]
                                && !c.colors.contains(col) =>
                        {
                            c.colors.push(col.clone());
                            record("colors", col);
                        }
                        Tag::Gender(g) if c.gender.is_none() => {
                            c.gender = Some(g.clone());
                            record("gender", g);
                        }
                        Tag::Brand(b) if !c.brands.contains(b) => {
                            c.brands.push(b.clone());
                            record("brands", b);
                        }
                        Tag::Size(s) => {
                            let single_letter =
                                m.end - m.start == 1 && tokens[i].text.chars().count() == 1;
                            let cued = i > 0 && marks[i - 1].has(|t| matches!(t, Tag::SizeCue));
                            if (!single_letter || cued || tokens[i].upper) && !c.sizes.contains(s) {
                                c.sizes.push(s.clone());
                                record("sizes", s);
                            }
                        }
                        Tag::Sort(s) if c.sort.is_none() && !used[i] => {
                            c.sort = Some(s.clone());
                            record("sort", s);
                        }
                        Tag::Ordinal(n) if c.ordinal.is_none() => {
                            c.ordinal = Some(*n);
                            record("ordinal", &n.to_string());
                        }
                        _ => {}
                    }
                    if let Some(class) = class_of(tag) {
                        for k in m.start..m.end {
                            out.classes[k].get_or_insert(class);
                        }
                    }
                }
                // cue + number: sizes ("ukuran 42"), ordinals ("yang ke-2"), quantities
                let cue_size = m.has(|t| matches!(t, Tag::SizeCue));
                let cue_ordinal = m.has(|t| matches!(t, Tag::OrdinalPrefix));
                let cue_quantity = m.has(|t| matches!(t, Tag::QuantityCue));
                if cue_size || cue_ordinal || cue_quantity {
                    let mut j = m.end;
                    while j < tokens.len()
                        && tokens[j].kind == TokenKind::Symbol
                        && matches!(tokens[j].text.as_str(), "-" | ":" | "." | "#")
                    {
                        j += 1;
                    }
                    if let Some(a) = tokens.get(j).and_then(|t| t.amount()) {
                        if !used[j] && !a.money && a.unit.is_none() && a.value.fract() == 0.0 {
                            let n = a.value as i64;
                            let text = if trace {
                                words_of(m.start, j + 1)
                            } else {
                                String::new()
                            };
                            if cue_size && (n >= 20 || !cue_ordinal) && n <= 60 {
                                let mut k = j;
                                // "ukuran 42 atau 43", "size 40/41"
                                loop {
                                    let v = tokens[k].amount().map(|a| a.value as i64).unwrap_or(0);
                                    push_unique(&mut c.sizes, &v.to_string());
                                    if trace {
                                        prov.push(Provenance {
                                            key: "sizes",
                                            value: v.to_string(),
                                            words: text.clone(),
                                            origin: None,
                                        });
                                    }
                                    used[k] = true;
                                    out.classes[k] = Some("#size");
                                    // the next size after a joiner, if the message goes on
                                    let next = marks
                                        .get(k + 1)
                                        .filter(|m| {
                                            m.has(|t| {
                                                matches!(t, Tag::ListJoiner | Tag::RangeJoiner)
                                            })
                                        })
                                        .map(|m| m.end)
                                        .filter(|&e| {
                                            tokens.get(e).and_then(|t| t.amount()).is_some_and(
                                                |a| {
                                                    !a.money
                                                        && a.value <= 60.0
                                                        && a.value.fract() == 0.0
                                                },
                                            )
                                        });
                                    match next {
                                        Some(e) => k = e,
                                        None => break,
                                    }
                                }
                            } else if cue_ordinal && (1..=50).contains(&n) && c.ordinal.is_none() {
                                c.ordinal = Some(n);
                                if trace {
                                    prov.push(Provenance {
                                        key: "ordinal",
                                        value: n.to_string(),
                                        words: text,
                                        origin: None,
                                    });
                                }
                                used[j] = true;
                                out.classes[j] = Some("#ordinal");
                            } else if cue_quantity
                                && (1..=999).contains(&n)
                                && c.quantity.is_none()
                                && !marks
                                    .get(j + 1)
                                    .is_some_and(|m| m.has(|t| matches!(t, Tag::NonMoneyUnit)))
                            {
                                c.quantity = Some(n);
                                if trace {
                                    prov.push(Provenance {
                                        key: "quantity",
                                        value: n.to_string(),
                                        words: text,
                                        origin: None,
                                    });
                                }
                                used[j] = true;
                            }
                        }
                    }
                }
                i = m.end;
                continue;
            }
            // A number followed by a quantity unit: "2 pasang", "3 cái".
            if let Some(a) = tokens[i].amount() {
                if !used[i]
                    && !a.money
                    && a.unit.is_none()
                    && a.value.fract() == 0.0
                    && (1.0..=999.0).contains(&a.value)
                {
                    let next = marks.get(i + 1);
                    if next.is_some_and(|m| m.has(|t| matches!(t, Tag::QuantityUnit)))
                        && c.quantity.is_none()
                    {
                        let n = a.value as i64;
                        c.quantity = Some(n);
                        let m = next.expect("checked");
                        if trace {
                            prov.push(Provenance {
                                key: "quantity",
                                value: n.to_string(),
                                words: words_of(i, m.end),
                                origin: None,
                            });
                        }
                        used[i] = true;
                    } else if category_context(c)
                        && a.plain_digits
                        && (34.0..=47.0).contains(&a.value)
                        && !next.is_some_and(|m| {
                            m.is_phrase() && m.has(|t| matches!(t, Tag::NonMoneyUnit))
                        })
                    {
                        let v = (a.value as i64).to_string();
                        push_unique(&mut c.sizes, &v);
                        if trace {
                            prov.push(Provenance {
                                key: "sizes",
                                value: v,
                                words: tokens[i].text.to_string(),
                                origin: None,
                            });
                        }
                        used[i] = true;
                        out.classes[i] = Some("#size");
                    }
                }
                // "7th", "2nd": an English ordinal written in digits
                let ordinal_suffix = matches!(a.unit.as_deref(), Some("st" | "nd" | "rd" | "th"));
                if ordinal_suffix
                    && !used[i]
                    && c.ordinal.is_none()
                    && (1.0..=99.0).contains(&a.value)
                {
                    c.ordinal = Some(a.value as i64);
                    if trace {
                        prov.push(Provenance {
                            key: "ordinal",
                            value: (a.value as i64).to_string(),
                            words: tokens[i].text.to_string(),
                            origin: None,
                        });
                    }
                    used[i] = true;
                    out.classes[i] = Some("#ordinal");
                }
                if out.classes[i].is_none() {
                    out.classes[i] = Some(if a.money { "#money" } else { "#num" });
                }
            } else if let Some(n) = codes::times_quantity(&tokens[i].key) {
                // "x2", "2x"
                if c.quantity.is_none() {
                    c.quantity = Some(n);
                    if trace {
                        prov.push(Provenance {
                            key: "quantity",
                            value: n.to_string(),
                            words: tokens[i].text.to_string(),
                            origin: None,
                        });
                    }
                    used[i] = true;
                }
            }
            i += 1;
        }

        // What is left is the search query.
        out.query_words.append(&mut describing);
        for (k, t) in tokens.iter().enumerate() {
            let m = marks[k];
            let claimed = m.is_phrase() || used[k];
            if claimed || t.kind == TokenKind::Symbol {
                continue;
            }
            if let Some(a) = t.amount() {
                if a.money {
                    continue;
                }
            } else if self.query_ignore.contains(t.key.as_str()) || t.key.chars().count() < 2 {
                continue;
            }
            let w = match &t.kind {
                TokenKind::Number(a) if a.unit.is_none() => a.display(),
                _ => t.text.to_string(),
            };
            if !out.query_words.contains(&w) {
                out.query_words.push(w);
            }
        }
        out
    }
}

/// Marks tokens as used by a constraint, with the class the classifier sees.
fn claim(
    used: &mut [bool],
    classes: &mut [TokenClass],
    range: std::ops::Range<usize>,
    class: TokenClass,
) {
    for (u, c) in used[range.clone()].iter_mut().zip(&mut classes[range]) {
        *u = true;
        if class.is_some() {
            *c = class;
        }
    }
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map(|x| format!("{}", x.round() as i64))
        .unwrap_or_default()
}

/// The default currency of a language (CONTRACT.md section 1).
pub fn language_currency(lang: Lang, store_default: Currency) -> Currency {
    match lang {
        Lang::Id => Currency::Idr,
        Lang::Vi => Currency::Vnd,
        Lang::En => store_default,
    }
}

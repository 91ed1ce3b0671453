//! The commerce section of `rules/` (`rules/commerce.yaml`): how long a cart holds
//! stock, shipping fees, which orders may still be cancelled, the payment methods a
//! customer can name, and the vouchers. Raw serde types and their validation, with
//! path:line:column errors like the rest of the content.

use crate::canon;
use crate::content::error::Problems;
use crate::content::raw::PerLang;
use crate::content::source::SourceFile;
use crate::lang::{Currency, Lang};
use crate::normalize::fold::fold;
use serde::Deserialize;
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommerce {
    pub reservation_minutes: i64,
    pub sweep_seconds: i64,
    /// The shop's clock ("+07:00" for WIB and Vietnam): a voucher date is a whole day there.
    pub utc_offset: String,
    pub shipping: BTreeMap<String, RawShipping>,
    pub cancel: RawCancel,
    pub order_prefix: String,
    pub payment_methods: Vec<RawPaymentMethod>,
    /// Words that mark a message as an address ("jl", "kecamatan", "phường").
    pub address_words: PerLang<Vec<String>>,
    #[serde(default)]
    pub vouchers: Vec<RawVoucher>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShipping {
    pub fee: i64,
    #[serde(default)]
    pub free_from: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCancel {
    pub statuses: Vec<String>,
    pub within_hours: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPaymentMethod {
    pub id: String,
    pub label: PerLang<String>,
    pub words: PerLang<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVoucher {
    pub code: String,
    /// `percent` (value is the percentage) or `fixed` (amount per currency).
    pub kind: String,
    #[serde(default)]
    pub percent: Option<u32>,
    #[serde(default)]
    pub amount: BTreeMap<String, i64>,
    #[serde(default)]
    pub min_purchase: BTreeMap<String, i64>,
    #[serde(default)]
    pub max_discount: BTreeMap<String, i64>,
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_until: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub per_customer: Option<i64>,
    #[serde(default)]
    pub categories: Vec<String>,
    pub description: PerLang<String>,
}

/// Order statuses, in the order an order goes through them.
pub const ORDER_STATUSES: &[&str] = &["pending", "paid", "shipped", "delivered", "cancelled"];

/// An amount per currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amounts([Option<i64>; 3]);

impl Amounts {
    pub fn of(pairs: &[(Currency, i64)]) -> Amounts {
        let mut out = Amounts::default();
        for &(c, a) in pairs {
            out.0[currency_index(c)] = Some(a);
        }
        out
    }

    pub fn get(&self, c: Currency) -> Option<i64> {
        self.0[currency_index(c)]
    }
}

fn currency_index(c: Currency) -> usize {
    match c {
        Currency::Idr => 0,
        Currency::Vnd => 1,
        Currency::Usd => 2,
    }
}

/// What a voucher takes off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoucherKind {
    Percent(u32),
    Fixed(Amounts),
}

/// A voucher as content defines it; usage is counted in the store.
#[derive(Debug, Clone)]
pub struct Voucher {
    pub code: String,
    pub kind: VoucherKind,
    pub min_purchase: Amounts,
    pub max_discount: Amounts,
    /// Unix milliseconds; the window is [from, until).
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub limit: Option<i64>,
    pub per_customer: Option<i64>,
    pub categories: Vec<String>,
    pub description: [String; 3],
}

impl Voucher {
    /// A voucher of `kind` without conditions: no minimum, cap, window, limits or
    /// categories (content sets those; code that builds vouchers starts here).
    pub fn unconditional(code: &str, kind: VoucherKind) -> Voucher {
        Voucher {
            code: code.to_string(),
            kind,
            min_purchase: Amounts::default(),
            max_discount: Amounts::default(),
            valid_from: None,
            valid_until: None,
            limit: None,
            per_customer: None,
            categories: Vec::new(),
            description: Default::default(),
        }
    }

    pub fn description(&self, lang: Lang) -> &str {
        &self.description[lang.index()]
    }
}

/// Shipping for one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shipping {
    pub fee: i64,
    pub free_from: Option<i64>,
}

/// A way to pay, with the words a customer names it by (folded).
#[derive(Debug, Clone)]
pub struct PaymentMethod {
    pub id: String,
    pub label: [String; 3],
    pub words: [Vec<String>; 3],
}

/// Compiled commerce rules.
#[derive(Debug, Clone)]
pub struct CommerceRules {
    pub reservation_ms: i64,
    pub sweep_ms: i64,
    pub utc_offset: UtcOffset,
    pub shipping: [Option<Shipping>; 3],
    pub cancel_statuses: Vec<String>,
    pub cancel_within_ms: i64,
    pub order_prefix: String,
    pub payment_methods: Vec<PaymentMethod>,
    /// Per language, folded.
    pub address_words: [Vec<String>; 3],
    pub vouchers: Vec<Voucher>,
}

impl Default for CommerceRules {
    fn default() -> Self {
        CommerceRules {
            reservation_ms: 30 * 60_000,
            sweep_ms: 60_000,
            utc_offset: UtcOffset::UTC,
            shipping: [None; 3],
            cancel_statuses: vec!["pending".into()],
            cancel_within_ms: 24 * 3_600_000,
            order_prefix: "PSR".into(),
            payment_methods: Vec::new(),
            address_words: Default::default(),
            vouchers: Vec::new(),
        }
    }
}

impl CommerceRules {
    /// The shipping fee for a subtotal: free from the threshold on.
    pub fn shipping_fee(&self, currency: Currency, subtotal: i64) -> i64 {
        match self.shipping[currency_index(currency)] {
            Some(s) if s.free_from.is_some_and(|f| subtotal >= f) => 0,
            Some(s) => s.fee,
            None => 0,
        }
    }

    pub fn shipping(&self, currency: Currency) -> Option<Shipping> {
        self.shipping[currency_index(currency)]
    }

    pub fn voucher(&self, code: &str) -> Option<&Voucher> {
        self.vouchers
            .iter()
            .find(|v| v.code.eq_ignore_ascii_case(code.trim()))
    }

    /// The payment method a message names ("bayar pake gopay", "chuyen khoan"):
    /// the one whose longest word the folded message contains.
    pub fn payment_method_in(&self, text: &str, lang: Lang) -> Option<&PaymentMethod> {
        let said = format!(
            " {} ",
            fold(text).split_whitespace().collect::<Vec<_>>().join(" ")
        );
        let mut best: Option<(&PaymentMethod, usize)> = None;
        for m in &self.payment_methods {
            for w in m.words[lang.index()]
                .iter()
                .chain(&m.words[Lang::En.index()])
            {
                if said.contains(&format!(" {w} ")) && best.is_none_or(|(_, n)| w.len() > n) {
                    best = Some((m, w.len()));
                }
            }
        }
        best.map(|(m, _)| m)
    }

    pub fn payment_method(&self, id: &str) -> Option<&PaymentMethod> {
        self.payment_methods.iter().find(|m| m.id == id)
    }

    /// True when `text` reads as a delivery address: a few words with a house
    /// number or an address word of `lang` (or English).
    pub fn looks_like_address(&self, text: &str, lang: Lang) -> bool {
        let folded = fold(text);
        let words: Vec<&str> = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() < 3 {
            return false;
        }
        let has_number = words.iter().any(|w| w.bytes().any(|b| b.is_ascii_digit()));
        let joined = format!(" {} ", words.join(" "));
        let has_word = self.address_words[lang.index()]
            .iter()
            .chain(&self.address_words[Lang::En.index()])
            .any(|w| joined.contains(&format!(" {w} ")));
        has_word && (has_number || words.len() >= 4)
    }

    /// A date as the shop writes it ("31/12/2026" is not used: ISO dates only), in
    /// the shop's clock.
    pub fn local_date(&self, millis: i64) -> String {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
            .map(|t| t.to_offset(self.utc_offset).date().to_string())
            .unwrap_or_default()
    }
}

fn amounts<T>(
    f: &SourceFile<T>,
    node: &str,
    raw: &BTreeMap<String, i64>,
    problems: &mut Problems,
) -> Amounts {
    let mut out = Amounts::default();
    for (code, &amount) in raw {
        match code.parse::<Currency>() {
            Ok(c) if amount >= 0 => out.0[currency_index(c)] = Some(amount),
            Ok(_) => problems.push(f.error(
                &format!("{node}.{code}"),
                format!("a negative amount {amount}"),
                "an amount of 0 or more, in whole currency units",
                "write 50000 for Rp 50.000",
            )),
            Err(_) => problems.push(f.key_error(
                &format!("{node}.{code}"),
                format!("unknown currency {code:?}"),
                "IDR, VND or USD",
                "amounts are given per currency, by ISO code",
            )),
        }
    }
    out
}

/// "2026-12-31" (the whole day in the shop's clock: from its start, until its
/// end) or an RFC 3339 time; unix milliseconds.
fn moment(text: &str, offset: UtcOffset, end_of_day: bool) -> Option<i64> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some((t.unix_timestamp_nanos() / 1_000_000) as i64);
    }
    let date = Date::parse(text, format_description!("[year]-[month]-[day]")).ok()?;
    let date = if end_of_day { date.next_day()? } else { date };
    let t = PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_offset(offset);
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

fn parse_offset(text: &str) -> Option<UtcOffset> {
    UtcOffset::parse(
        text,
        format_description!("[offset_hour sign:mandatory]:[offset_minute]"),
    )
    .ok()
}

fn per_lang_strings(p: &PerLang<String>) -> [String; 3] {
    [p.id.clone(), p.vi.clone(), p.en.clone()]
}

/// Validates the raw section of file `f`.
pub fn compile<T>(f: &SourceFile<T>, raw: &RawCommerce, problems: &mut Problems) -> CommerceRules {
    let mut out = CommerceRules::default();
    let positive = |node: &str, v: i64, unit: &str, problems: &mut Problems| {
        if v <= 0 {
            problems.push(f.error(
                node,
                format!("{v} {unit}"),
                format!("a number of {unit} above 0"),
                "a hold, a sweep and a cancel window all last a while",
            ));
        }
    };
    positive(
        "commerce.reservation_minutes",
        raw.reservation_minutes,
        "minutes",
        problems,
    );
    positive(
        "commerce.sweep_seconds",
        raw.sweep_seconds,
        "seconds",
        problems,
    );
    positive(
        "commerce.cancel.within_hours",
        raw.cancel.within_hours,
        "hours",
        problems,
    );
    out.reservation_ms = raw.reservation_minutes.max(1) * 60_000;
    out.sweep_ms = raw.sweep_seconds.max(1) * 1000;
    out.cancel_within_ms = raw.cancel.within_hours.max(1) * 3_600_000;
    match parse_offset(&raw.utc_offset) {
        Some(o) => out.utc_offset = o,
        None => problems.push(f.error(
            "commerce.utc_offset",
            format!("{:?} is not a UTC offset", raw.utc_offset),
            "a signed offset such as \"+07:00\"",
            "Jakarta and Hanoi are both +07:00",
        )),
    }
    if raw.order_prefix.is_empty() || !raw.order_prefix.chars().all(|c| c.is_ascii_uppercase()) {
        problems.push(f.error(
            "commerce.order_prefix",
            format!("the prefix {:?}", raw.order_prefix),
            "upper-case ASCII letters, such as PSR",
            "order numbers read PSR-7K3M9Q2X; customers type them back",
        ));
    } else {
        out.order_prefix = raw.order_prefix.clone();
    }
    for (code, s) in &raw.shipping {
        let node = format!("commerce.shipping.{code}");
        match code.parse::<Currency>() {
            Ok(c) => {
                out.shipping[currency_index(c)] = Some(Shipping {
                    fee: s.fee.max(0),
                    free_from: s.free_from,
                })
            }
            Err(_) => problems.push(f.key_error(
                &node,
                format!("unknown currency {code:?}"),
                "IDR, VND or USD",
                "shipping is set per currency",
            )),
        }
    }
    for (i, status) in raw.cancel.statuses.iter().enumerate() {
        if !ORDER_STATUSES.contains(&status.as_str()) || status == "cancelled" {
            problems.push(f.error(
                &format!("commerce.cancel.statuses.{i}"),
                format!("unknown order status {status:?}"),
                "any of pending, paid, shipped, delivered",
                "an order can be cancelled while it is in one of these statuses",
            ));
        }
    }
    out.cancel_statuses = raw.cancel.statuses.clone();
    if raw.payment_methods.is_empty() {
        problems.push(f.key_error(
            "commerce.payment_methods",
            "no payment methods",
            "at least one payment method with its label and words per language",
            "checkout asks the customer to pick one",
        ));
    }
    for (i, m) in raw.payment_methods.iter().enumerate() {
        let node = format!("commerce.payment_methods.{i}");
        if out.payment_methods.iter().any(|p| p.id == m.id) {
            problems.push(f.error(
                &format!("{node}.id"),
                format!("a second payment method {:?}", m.id),
                "a unique id",
                "each payment method is defined once",
            ));
        }
        for lang in Lang::ALL {
            if m.label.get(lang).trim().is_empty() {
                problems.push(f.key_error(
                    &format!("{node}.label"),
                    format!("no label in {lang}"),
                    "a label in id, vi and en",
                    "the label is what the reply shows",
                ));
            }
            if m.words.get(lang).is_empty() {
                problems.push(f.key_error(
                    &format!("{node}.words"),
                    format!("no words in {lang}"),
                    "words in id, vi and en",
                    "the words are how a customer names the method",
                ));
            }
        }
        let words = |lang: Lang| -> Vec<String> {
            m.words
                .get(lang)
                .iter()
                .map(|w| fold(w).split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|w| !w.is_empty())
                .collect()
        };
        out.payment_methods.push(PaymentMethod {
            id: m.id.clone(),
            label: per_lang_strings(&m.label),
            words: [words(Lang::Id), words(Lang::Vi), words(Lang::En)],
        });
    }
    for lang in Lang::ALL {
        let words = raw.address_words.get(lang);
        if words.is_empty() {
            problems.push(f.key_error(
                "commerce.address_words",
                format!("no address words in {lang}"),
                "address words in id, vi and en",
                "checkout takes a message as the address when it has one of them",
            ));
        }
        out.address_words[lang.index()] = words
            .iter()
            .map(|w| fold(w).split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|w| !w.is_empty())
            .collect();
    }
    for (i, v) in raw.vouchers.iter().enumerate() {
        if let Some(voucher) = voucher(f, i, v, out.utc_offset, problems) {
            if out.voucher(&voucher.code).is_some() {
                problems.push(f.error(
                    &format!("commerce.vouchers.{i}.code"),
                    format!("a second voucher {:?}", voucher.code),
                    "a unique code",
                    "codes are compared without regard to case",
                ));
            }
            out.vouchers.push(voucher);
        }
    }
    out
}

fn voucher<T>(
    f: &SourceFile<T>,
    i: usize,
    v: &RawVoucher,
    offset: UtcOffset,
    problems: &mut Problems,
) -> Option<Voucher> {
    let node = format!("commerce.vouchers.{i}");
    let before = problems.len();
    let code_ok = !v.code.is_empty()
        && v.code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if !code_ok {
        problems.push(f.error(
            &format!("{node}.code"),
            format!("the code {:?}", v.code),
            "upper-case letters, digits and dashes, such as HEMAT20",
            "customers type codes back; keep them short and unambiguous",
        ));
    }
    let kind = match (v.kind.as_str(), v.percent) {
        ("percent", Some(p)) if (1..=100).contains(&p) => Some(VoucherKind::Percent(p)),
        ("percent", _) => {
            problems.push(f.error(
                &format!("{node}.percent"),
                "no percentage from 1 to 100",
                "`percent: 10` for 10% off",
                "a percent voucher takes a share of the eligible amount",
            ));
            None
        }
        ("fixed", _) if !v.amount.is_empty() => Some(VoucherKind::Fixed(amounts(
            f,
            &format!("{node}.amount"),
            &v.amount,
            problems,
        ))),
        ("fixed", _) => {
            problems.push(f.key_error(
                &format!("{node}.kind"),
                "a fixed voucher without an amount",
                "`amount: {IDR: 20000, VND: 50000}`",
                "a fixed voucher takes an amount per currency",
            ));
            None
        }
        (other, _) => {
            problems.push(f.error(
                &format!("{node}.kind"),
                format!("unknown voucher kind {other:?}"),
                "percent or fixed",
                "percent takes a share, fixed an amount",
            ));
            None
        }
    };
    let mut when = |key: &str, text: &Option<String>, end: bool| {
        let text = text.as_ref()?;
        let m = moment(text, offset, end);
        if m.is_none() {
            problems.push(f.error(
                &format!("{node}.{key}"),
                format!("{text:?} is not a date"),
                "a date such as 2026-12-31, or a time such as 2026-12-31T23:59:00+07:00",
                "a date is a whole day in the shop's clock (commerce.utc_offset)",
            ));
        }
        m
    };
    let valid_from = when("valid_from", &v.valid_from, false);
    let valid_until = when("valid_until", &v.valid_until, true);
    if let (Some(a), Some(b)) = (valid_from, valid_until) {
        if a >= b {
            problems.push(f.error(
                &format!("{node}.valid_until"),
                "the voucher ends before it starts",
                "valid_until on or after valid_from",
                "swap the two dates",
            ));
        }
    }
    for (key, n) in [("limit", v.limit), ("per_customer", v.per_customer)] {
        if n.is_some_and(|n| n < 1) {
            problems.push(f.error(
                &format!("{node}.{key}"),
                "a limit under 1",
                "a number of uses of 1 or more, or no key for no limit",
                "leave the key out for a voucher without a limit",
            ));
        }
    }
    for (j, c) in v.categories.iter().enumerate() {
        if !canon::CATEGORIES.contains(&c.as_str()) {
            problems.push(f.error(
                &format!("{node}.categories.{j}"),
                format!("unknown category {c:?}"),
                format!("one of {}", canon::CATEGORIES.join(", ")),
                "category slugs are named in CONTRACT.md section 3",
            ));
        }
    }
    for lang in Lang::ALL {
        if v.description.get(lang).trim().is_empty() {
            problems.push(f.key_error(
                &format!("{node}.description"),
                format!("no description in {lang}"),
                "a description in id, vi and en",
                "voucher_list shows it to the customer",
            ));
        }
    }
    let min_purchase = amounts(
        f,
        &format!("{node}.min_purchase"),
        &v.min_purchase,
        problems,
    );
    let max_discount = amounts(
        f,
        &format!("{node}.max_discount"),
        &v.max_discount,
        problems,
    );
    let kind = kind.filter(|_| problems.len() == before)?;
    Some(Voucher {
        code: v.code.clone(),
        kind,
        min_purchase,
        max_discount,
        valid_from,
        valid_until,
        limit: v.limit,
        per_customer: v.per_customer,
        categories: v.categories.clone(),
        description: per_lang_strings(&v.description),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_the_whole_day_in_the_shops_clock() {
        let wib = parse_offset("+07:00").unwrap();
        let start = moment("2026-12-31", wib, false).unwrap();
        let end = moment("2026-12-31", wib, true).unwrap();
        assert_eq!(end - start, 86_400_000);
        // 2026-12-31 00:00 WIB is 2026-12-30 17:00 UTC
        let utc = moment("2026-12-30T17:00:00Z", UtcOffset::UTC, false).unwrap();
        assert_eq!(start, utc);
        assert!(moment("31/12/2026", wib, false).is_none());
    }
}

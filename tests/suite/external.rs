//! Checks against real data written by others (`$PASAR_EXTERNAL_DATA`, see
//! ../shared/data/external/README.md): Duckling's money and number corpora, xSID's
//! Indonesian assistant queries (none of them a shop request), and STIF's informal
//! → formal customer-service sentences. Without the variable they skip with a line.

use super::{content, external_data, understand_in};
use pasar::content::Content;
use pasar::intent::Intent;
use pasar::lang::Lang;
use pasar::normalize::numbers::parse_whole;
use std::path::Path;

fn tsv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// The price keys a Duckling row means, per CONTRACT.md section 3.
fn expected_prices(value: &str, kind: &str) -> (Option<i64>, Option<i64>) {
    let num = |s: &str| s.parse::<f64>().expect("a number");
    match kind {
        "exact" => {
            let x = num(value);
            (
                Some((0.8 * x).round() as i64),
                Some((1.2 * x).round() as i64),
            )
        }
        "between" => {
            let (a, b) = value.split_once("..").expect("a range");
            (Some(num(a).round() as i64), Some(num(b).round() as i64))
        }
        "under" => (
            None,
            Some(num(value.trim_start_matches("..")).round() as i64),
        ),
        "above" => (Some(num(value.trim_end_matches("..")).round() as i64), None),
        other => panic!("unknown kind {other}"),
    }
}

#[test]
fn duckling_amounts_of_money_in_idr_and_vnd() {
    let Some(dir) = external_data("duckling_amounts_of_money_in_idr_and_vnd") else {
        return;
    };
    let mut total = 0;
    let mut exact = 0;
    let mut misses = Vec::new();
    for (file, lang) in [
        ("id_amountofmoney.tsv", Lang::Id),
        ("vi_amountofmoney.tsv", Lang::Vi),
    ] {
        for row in tsv(&dir.join("duckling").join(file)) {
            let (text, value, unit, kind) = (&row[0], &row[1], &row[2], &row[3]);
            if unit != "IDR" && unit != "VND" {
                continue;
            }
            total += 1;
            let u = understand_in(text, Some(lang));
            let c = &u.constraints;
            let want = expected_prices(value, kind);
            let got = (c.price_min, c.price_max);
            if got == want && c.currency.map(|x| x.code()) == Some(unit.as_str()) {
                exact += 1;
            } else {
                misses.push(format!(
                    "{text:?}: want {want:?} {unit}, got {got:?} {:?}",
                    c.currency
                ));
            }
        }
    }
    let rate = exact as f64 / total as f64;
    println!(
        "duckling money (IDR/VND): {exact}/{total} exact ({:.1}%)",
        rate * 100.0
    );
    assert!(total >= 40, "expected the IDR and VND rows, found {total}");
    assert!(
        rate >= 0.95,
        "{:.1}% exact; misses:\n{}",
        rate * 100.0,
        misses.join("\n")
    );
}

#[test]
fn duckling_numerals() {
    let Some(dir) = external_data("duckling_numerals") else {
        return;
    };
    for (file, lang) in [("id_numeral.tsv", Lang::Id), ("vi_numeral.tsv", Lang::Vi)] {
        let lex = &content().normalizer.langs[lang.index()].numbers;
        let rows = tsv(&dir.join("duckling").join(file));
        let mut misses = Vec::new();
        for row in &rows {
            let want: f64 = row[1].parse().unwrap();
            match parse_whole(&row[0], lex) {
                Some(got) if (got - want).abs() < 1e-6 * want.abs().max(1.0) => {}
                other => misses.push(format!("{:?}: want {want}, got {other:?}", row[0])),
            }
        }
        let rate = 1.0 - misses.len() as f64 / rows.len() as f64;
        println!(
            "duckling numerals {lang}: {:.1}% of {}",
            rate * 100.0,
            rows.len()
        );
        assert!(
            rate >= 0.95,
            "{lang}: {:.1}%; misses:\n{}",
            rate * 100.0,
            misses.join("\n")
        );
    }
}

#[test]
fn duckling_vietnamese_times_and_ordinals_are_not_prices() {
    let Some(dir) = external_data("duckling_vietnamese_times_and_ordinals_are_not_prices") else {
        return;
    };
    let mut rows = tsv(&dir.join("duckling/vi_time.tsv"));
    rows.extend(tsv(&dir.join("duckling/vi_ordinal.tsv")));
    rows.extend(tsv(&dir.join("duckling/id_ordinal.tsv")));
    let with_price: Vec<String> = rows
        .iter()
        .filter(|r| {
            let u = understand_in(&r[0], None);
            u.constraints.price_min.is_some() || u.constraints.price_max.is_some()
        })
        .map(|r| r[0].clone())
        .collect();
    println!(
        "duckling times/ordinals read as prices: {} of {}",
        with_price.len(),
        rows.len()
    );
    assert!(with_price.len() * 100 <= rows.len(), "{with_price:?}");
}

#[test]
fn xsid_assistant_queries_are_not_shop_requests() {
    let Some(dir) = external_data("xsid_assistant_queries_are_not_shop_requests") else {
        return;
    };
    let mut rows = tsv(&dir.join("id-intents-xsid/id.test.tsv"));
    rows.extend(tsv(&dir.join("id-intents-xsid/id.valid.tsv")));
    let mut shop = Vec::new();
    let mut priced = Vec::new();
    for r in &rows {
        let u = understand_in(&r[0], Some(Lang::Id));
        if let Some(i) = u.intent {
            if i != Intent::OutOfScope && !u.escalate {
                shop.push(format!("{} ({:.2}): {}", i, u.confidence, r[0]));
            }
        }
        if u.constraints.price_min.is_some() || u.constraints.price_max.is_some() {
            priced.push(r[0].clone());
        }
    }
    let n = rows.len() as f64;
    println!(
        "xsid: {} rows, {:.2}% in a shop intent without escalation, {:.2}% with no price key",
        rows.len(),
        shop.len() as f64 / n * 100.0,
        100.0 - priced.len() as f64 / n * 100.0
    );
    assert_eq!(rows.len(), 800);
    assert!(
        shop.len() as f64 / n <= 0.03,
        "{} shop turns:\n{}",
        shop.len(),
        shop.join("\n")
    );
    assert!(priced.len() as f64 / n <= 0.02, "{priced:?}");
}

/// Aligns two token sequences (longest common subsequence) and returns the
/// replaced blocks: (informal tokens, formal tokens) that differ.
fn replaced_blocks<'a>(a: &'a [String], b: &'a [String]) -> Vec<(&'a [String], &'a [String])> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let (mut bi, mut bj) = (0, 0);
    let mut out = Vec::new();
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            if bi < i || bj < j {
                out.push((&a[bi..i], &b[bj..j]));
            }
            i += 1;
            j += 1;
            bi = i;
            bj = j;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            j += 1;
        } else {
            i += 1;
        }
    }
    if bi < n || bj < m {
        out.push((&a[bi..], &b[bj..]));
    }
    out
}

/// STIF: of the informal words the formal side replaced one-for-one (or by a short
/// phrase: "gpp" → "tidak apa apa"), the share the normalizer maps to the same words.
#[test]
fn stif_informal_tokens_mapped_to_formal() {
    let Some(dir) = external_data("stif_informal_tokens_mapped_to_formal") else {
        return;
    };
    let c = content();
    let words = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .map(str::to_lowercase)
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .collect()
    };
    let (mut total, mut right) = (0usize, 0usize);
    let mut unmapped: std::collections::HashMap<String, usize> = Default::default();
    for file in ["train.tsv", "dev.tsv", "test.tsv"] {
        for row in tsv(&dir.join("id-formal-stif").join(file)) {
            let (informal, formal) = (words(&row[0]), words(&row[1]));
            for (inf, form) in replaced_blocks(&informal, &formal) {
                if inf.len() != 1 || form.is_empty() || form.len() > 3 || inf[0].contains("xxx") {
                    continue;
                }
                total += 1;
                let n = c.normalizer.normalize(&inf[0], Some(Lang::Id), None);
                let out: Vec<String> = n
                    .tokens
                    .iter()
                    .filter(|t| t.is_word())
                    .map(|t| t.text.to_string())
                    .collect();
                if out == form {
                    right += 1;
                } else {
                    *unmapped
                        .entry(format!("{} -> {}", inf[0], form.join(" ")))
                        .or_default() += 1;
                }
            }
        }
    }
    let rate = right as f64 / total as f64;
    let mut top: Vec<_> = unmapped.into_iter().collect();
    top.sort_by_key(|b| std::cmp::Reverse(b.1));
    println!(
        "stif: {right} of {total} replaced informal words mapped to the formal side ({:.1}%)",
        rate * 100.0
    );
    println!(
        "stif: most frequent misses: {:?}",
        &top[..top.len().min(120)]
    );
    assert!(total > 1000, "{total}");
    // Many misses are register changes pasar does not want ("kenapa" -> "mengapa",
    // "cek" -> "periksa"); the floor guards against losing the slang that matters.
    assert!(rate >= 0.45, "{:.1}%", rate * 100.0);
}

/// PRDECT-ID's real Tokopedia titles, mapped onto our taxonomy by pasar's own
/// category words, import as a catalog and are found by everyday queries.
#[test]
fn a_real_tokopedia_catalogue_imports_and_is_searchable() {
    use pasar::catalog::import::{parse, Format};
    use pasar::extract::Constraints;
    use pasar::lang::Currency;
    let Some(dir) = external_data("a_real_tokopedia_catalogue_imports_and_is_searchable") else {
        return;
    };
    let rows = tsv(&dir.join("id-catalog-prdect/products.tsv"));
    let mut csv = String::from("id,brand,category,gender,name_id,name_vi,name_en,price_idr,price_vnd,sku,size,color,stock,rating,sold\n");
    let (mut mapped, mut skipped) = (0, 0);
    for (i, r) in rows.iter().enumerate() {
        let (title, price, rating, sold) = (&r[1], &r[2], &r[4], &r[5]);
        // their category names are broad ("Men's Fashion"); the title says what it is
        let Some(category) = understand_in(title, Some(Lang::Id)).constraints.category else {
            skipped += 1;
            continue;
        };
        mapped += 1;
        let quoted = format!("\"{}\"", title.replace('"', "\"\""));
        csv.push_str(&format!(
            "p{i},,{category},,{quoted},,,{price},,p{i}-1,,,5,{rating},{sold}\n"
        ));
    }
    assert!(
        mapped >= 300,
        "only {mapped} of {} titles mapped ({skipped} skipped)",
        rows.len()
    );
    let catalog = parse(&csv, Format::Csv, "prdect.csv").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(catalog.len(), mapped);
    let content = std::sync::Arc::new(Content::load(&super::repo_root()).expect("content"));
    let a =
        pasar::dialogue::Assistant::build(content, std::sync::Arc::new(catalog)).expect("index");
    let mut missed = Vec::new();
    for (query, must) in [
        ("powerbank", "powerbank"),
        ("kabel data", "kabel"),
        ("hijab segi empat", "segi"),
        ("sepatu sneakers", "sepatu"),
        ("headphone", "headphone"),
        ("jam tangan wanita", "jam tangan"),
        ("tas ransel laptop", "ransel"),
        ("kaos kaki", "kaos kaki"),
    ] {
        let u = understand_in(query, Some(Lang::Id));
        let c = Constraints {
            currency: Some(Currency::Idr),
            ..u.constraints
        };
        let names = super::found_names(&a, &c, 3);
        if names.is_empty() || !names.iter().any(|n| n.contains(must)) {
            missed.push(format!("{query}: {names:?}"));
        }
    }
    assert!(
        missed.is_empty(),
        "everyday queries that missed:\n{}",
        missed.join("\n")
    );
}

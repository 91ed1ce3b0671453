//! Reads a catalog file (JSON or CSV, CONTRACT.md section 7) into a valid
//! [`Catalog`]. Import is all-or-nothing: every problem is collected with its line
//! (the product's line in JSON, the row's line in CSV) and a hint, and a file with
//! any problem yields no catalog at all.

use super::{Catalog, Localized, Prices, Product, Variant};
use crate::canon;
use std::collections::HashSet;
use std::fmt;
use std::path::Path;

/// Stock given to the implicit variant of a product listed without variants.
pub const IMPLICIT_STOCK: i64 = 100;

/// One thing wrong with a catalog file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportProblem {
    pub line: usize,
    pub message: String,
    pub hint: String,
}

/// Why a catalog could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: cannot read the catalog: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{}", render(.path, .problems))]
    Invalid {
        path: String,
        problems: Vec<ImportProblem>,
    },
}

impl ImportError {
    pub fn problems(&self) -> &[ImportProblem] {
        match self {
            ImportError::Invalid { problems, .. } => problems,
            ImportError::Unreadable { .. } => &[],
        }
    }
}

fn render(path: &str, problems: &[ImportProblem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{path}:{}: {} (hint: {})",
            p.line, p.message, p.hint
        ));
    }
    out.push_str(&format!(
        "\n{path}: {} problem(s); nothing was imported",
        problems.len()
    ));
    out
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: {} (hint: {})",
            self.line, self.message, self.hint
        )
    }
}

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// By extension, else by the first character (`{` or `[` is JSON).
    pub fn guess(path: &Path, text: &str) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Format::Csv,
            Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
            _ if text.trim_start().starts_with(['{', '[']) => Format::Json,
            _ => Format::Csv,
        }
    }
}

/// Reads and validates a catalog file.
pub fn read_file(path: &Path) -> Result<Catalog, ImportError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ImportError::Unreadable {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| ImportError::Unreadable {
        path: shown.clone(),
        reason: format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
    })?;
    parse(&text, Format::guess(path, &text), &shown)
}

/// Parses and validates catalog text; `origin` names it in errors.
pub fn parse(text: &str, format: Format, origin: &str) -> Result<Catalog, ImportError> {
    let (products, problems) = match format {
        Format::Json => parse_json(text),
        Format::Csv => parse_csv(text),
    };
    checked(products, problems, origin)
}

/// Checks products built in code or read back from the store, as an import
/// would; a problem's "line" is the product's position, from 1.
pub fn from_products(products: Vec<Product>, origin: &str) -> Result<Catalog, ImportError> {
    let lined = products
        .into_iter()
        .enumerate()
        .map(|(i, p)| (i + 1, p))
        .collect();
    checked(lined, Vec::new(), origin)
}

fn checked(
    products: Vec<Lined>,
    mut problems: Vec<ImportProblem>,
    origin: &str,
) -> Result<Catalog, ImportError> {
    let catalog = validate(products, &mut problems);
    if problems.is_empty() {
        Ok(catalog)
    } else {
        problems.sort_by_key(|p| p.line);
        Err(ImportError::Invalid {
            path: origin.to_string(),
            problems,
        })
    }
}

/// A product as read, with the line it starts on.
type Lined = (usize, Product);

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonFile {
    products: Vec<Product>,
}

fn parse_json(text: &str) -> (Vec<Lined>, Vec<ImportProblem>) {
    match serde_json::from_str::<JsonFile>(text) {
        Ok(file) => {
            let lines = element_lines(text);
            let products = file
                .products
                .into_iter()
                .enumerate()
                .map(|(i, p)| (lines.get(i).copied().unwrap_or(1), p))
                .collect();
            (products, Vec::new())
        }
        Err(e) => (
            Vec::new(),
            vec![ImportProblem {
                line: e.line().max(1),
                message: format!("{e}"),
                hint: "the file must be {\"products\": [...]} with the fields of CONTRACT.md section 7".into(),
            }],
        ),
    }
}

/// The line on which each element of the top-level `"products"` array starts.
fn element_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut depth, mut line) = (0usize, 1usize);
    let (mut in_string, mut escaped) = (false, false);
    for ch in text.chars() {
        if ch == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, ch) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => in_string = true,
            '{' | '[' => {
                // the products array is at depth 1 inside the top object
                if depth == 2 && ch == '{' {
                    lines.push(line);
                }
                depth += 1;
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    lines
}

const CSV_COLUMNS: &[&str] = &[
    "id",
    "brand",
    "category",
    "gender",
    "name_id",
    "name_vi",
    "name_en",
    "price_idr",
    "price_vnd",
    "sku",
    "size",
    "color",
    "stock",
];

fn parse_csv(text: &str) -> (Vec<Lined>, Vec<ImportProblem>) {
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.to_ascii_lowercase()).collect(),
        Err(e) => {
            problems.push(csv_problem(1, &e));
            return (Vec::new(), problems);
        }
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    for required in ["id", "category", "sku"] {
        if col(required).is_none() {
            problems.push(ImportProblem {
                line: 1,
                message: format!("the header has no {required:?} column"),
                hint: format!("the columns are {}", CSV_COLUMNS.join(",")),
            });
        }
    }
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    let mut products: Vec<Lined> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                problems.push(csv_problem(line, &e));
                continue;
            }
        };
        let line = record.position().map_or(1, |p| p.line() as usize);
        let cell = |name: &str| -> Option<String> {
            col(name)
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let mut number = |name: &str| -> Option<i64> {
            let raw = cell(name)?;
            match raw.replace(['.', ',', '_', ' '], "").parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.push(ImportProblem {
                        line,
                        message: format!("{name} {raw:?} is not a whole number"),
                        hint: "write amounts in whole units, e.g. 279000".into(),
                    });
                    None
                }
            }
        };
        let id = cell("id").unwrap_or_default();
        let variant = Variant {
            sku: cell("sku").unwrap_or_default(),
            size: cell("size"),
            color: cell("color"),
            stock: number("stock").unwrap_or(0),
        };
        let price_idr = number("price_idr");
        let price_vnd = number("price_vnd");
        let rating = cell("rating").and_then(|r| r.replace(',', ".").parse::<f32>().ok());
        let sold = number("sold").unwrap_or(0);
        if let Some((_, existing)) = products.iter_mut().rev().find(|(_, p)| p.id == id) {
            if let Some(category) = cell("category") {
                if !category.eq_ignore_ascii_case(&existing.category) {
                    problems.push(ImportProblem {
                        line,
                        message: format!(
                            "product {id:?} is in category {:?} on an earlier row and {category:?} here",
                            existing.category
                        ),
                        hint: "every row of one product carries the same product columns".into(),
                    });
                }
            }
            existing.variants.push(variant);
            continue;
        }
        let tags = cell("tags")
            .map(|t| {
                t.split([';', '|', ','])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        products.push((
            line,
            Product {
                id,
                brand: cell("brand"),
                category: cell("category").unwrap_or_default(),
                gender: cell("gender"),
                name: Localized {
                    id: cell("name_id"),
                    vi: cell("name_vi"),
                    en: cell("name_en"),
                },
                description: Localized {
                    id: cell("description_id"),
                    vi: cell("description_vi"),
                    en: cell("description_en"),
                },
                prices: Prices {
                    idr: price_idr,
                    vnd: price_vnd,
                    usd: None,
                },
                tags,
                rating,
                sold,
                added: cell("added"),
                variants: vec![variant],
            },
        ));
    }
    (products, problems)
}

fn csv_problem(line: usize, e: &csv::Error) -> ImportProblem {
    ImportProblem {
        line,
        message: format!("unreadable CSV: {e}"),
        hint: "one row per variant, every row with as many cells as the header".into(),
    }
}

/// A value trimmed and lower-cased; nothing when it is blank.
fn lower_trimmed(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
}

/// Checks every product, normalizes values (lower-case brand and colour, upper-case
/// letter sizes) and adds the implicit variant of products listed without one.
fn validate(products: Vec<Lined>, problems: &mut Vec<ImportProblem>) -> Catalog {
    let mut ids = HashSet::new();
    let mut skus = HashSet::new();
    let mut out = Vec::with_capacity(products.len());
    for (line, mut p) in products {
        let mut bad = |message: String, hint: &str| {
            problems.push(ImportProblem {
                line,
                message,
                hint: hint.to_string(),
            })
        };
        p.id = p.id.trim().to_string();
        if p.id.is_empty() || p.id.chars().any(char::is_whitespace) {
            bad(
                format!("product id {:?} is empty or has spaces", p.id),
                "ids are short codes like shoe-0042",
            );
        } else if !ids.insert(p.id.clone()) {
            bad(
                format!("product id {:?} appears twice", p.id),
                "ids are unique",
            );
        }
        p.category = p.category.trim().to_ascii_lowercase();
        if !canon::CATEGORIES.contains(&p.category.as_str()) {
            bad(
                format!("product {:?}: unknown category {:?}", p.id, p.category),
                &format!("one of {}", canon::CATEGORIES.join(", ")),
            );
        }
        if let Some(g) = &mut p.gender {
            *g = g.trim().to_ascii_lowercase();
            if !canon::GENDERS.contains(&g.as_str()) {
                bad(
                    format!("product {:?}: unknown gender {g:?}", p.id),
                    &format!("one of {} or leave it out", canon::GENDERS.join(", ")),
                );
            }
        }
        p.brand = lower_trimmed(p.brand.take());
        if p.name.is_empty() {
            bad(
                format!("product {:?} has no name", p.id),
                "give at least one of name.id, name.vi, name.en",
            );
        }
        let prices = [p.prices.idr, p.prices.vnd, p.prices.usd];
        if prices.iter().flatten().any(|&x| x <= 0) {
            bad(
                format!("product {:?} has a price of zero or less", p.id),
                "prices are whole currency units above zero",
            );
        } else if prices.iter().all(Option::is_none) {
            bad(
                format!("product {:?} has no price", p.id),
                "give at least one of prices.IDR, prices.VND",
            );
        }
        if let Some(r) = p.rating {
            if !(0.0..=5.0).contains(&r) {
                bad(
                    format!("product {:?}: rating {r} is outside 0-5", p.id),
                    "ratings are 0 to 5 stars",
                );
            }
        }
        if p.sold < 0 {
            bad(
                format!("product {:?}: sold is negative", p.id),
                "the number of units sold so far",
            );
        }
        if p.variants.is_empty() {
            p.variants.push(Variant {
                sku: p.id.clone(),
                size: None,
                color: None,
                stock: IMPLICIT_STOCK,
            });
        }
        for v in &mut p.variants {
            v.sku = v.sku.trim().to_string();
            if v.sku.is_empty() {
                bad(
                    format!("product {:?} has a variant without sku", p.id),
                    "every variant has a unique sku",
                );
            } else if !skus.insert(v.sku.clone()) {
                bad(
                    format!("sku {:?} appears twice", v.sku),
                    "skus are unique over the whole catalog",
                );
            }
            v.color = lower_trimmed(v.color.take());
            if let Some(c) = &v.color {
                if !canon::COLORS.contains(&c.as_str()) {
                    bad(
                        format!("sku {:?}: unknown colour {c:?}", v.sku),
                        &format!("one of {}", canon::COLORS.join(", ")),
                    );
                }
            }
            v.size = v
                .size
                .take()
                .map(|s| {
                    let s = s.trim();
                    if canon::SIZES.iter().any(|k| k.eq_ignore_ascii_case(s)) {
                        s.to_ascii_uppercase()
                    } else {
                        s.to_string()
                    }
                })
                .filter(|s| !s.is_empty());
            if v.stock < 0 {
                bad(
                    format!("sku {:?}: stock {} is negative", v.sku, v.stock),
                    "stock is the number of units on hand, 0 or more",
                );
            }
        }
        out.push(p);
    }
    Catalog::new(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_point_at_the_product() {
        let text = "{\"products\": [\n {\"id\": \"a\", \"category\": \"shoes\", \"name\": {\"en\": \"A\"}, \"prices\": {\"IDR\": 1}},\n {\"id\": \"b\", \"category\": \"shoe\", \"name\": {\"en\": \"B\"}, \"prices\": {\"IDR\": 1}}\n]}";
        let err = parse(text, Format::Json, "c.json").unwrap_err();
        assert_eq!(err.problems().len(), 1);
        assert_eq!(err.problems()[0].line, 3);
        assert!(err
            .to_string()
            .contains("c.json:3: product \"b\": unknown category"));
    }

    #[test]
    fn csv_groups_rows_into_variants() {
        let text = "id,brand,category,gender,name_id,name_vi,name_en,price_idr,price_vnd,sku,size,color,stock\n\
                    s1,Nike,shoes,men,Sepatu,Giày,Shoes,279000,459000,s1-40,40,Black,3\n\
                    s1,Nike,shoes,men,Sepatu,Giày,Shoes,279000,459000,s1-41,41,black,0\n";
        let c = parse(text, Format::Csv, "c.csv").unwrap();
        assert_eq!(c.len(), 1);
        let p = &c.products()[0];
        assert_eq!(p.brand.as_deref(), Some("nike"));
        assert_eq!(p.variants.len(), 2);
        assert_eq!(p.variants[0].color.as_deref(), Some("black"));
        assert_eq!(p.stock(), 3);
    }

    #[test]
    fn one_broken_row_imports_nothing() {
        let text = "id,category,name_en,price_idr,sku,stock\n\
                    a,shoes,A,100,a1,1\n\
                    b,shoes,B,abc,b1,1\n";
        let err = parse(text, Format::Csv, "c.csv").unwrap_err();
        assert_eq!(err.problems()[0].line, 3);
        assert!(err.to_string().contains("nothing was imported"));
    }
}

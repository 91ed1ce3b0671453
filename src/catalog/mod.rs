//! The catalog: products with their names in id/vi/en, prices per currency and
//! variants (size, colour, stock), as CONTRACT.md section 7 describes them. A
//! [`Catalog`] is always valid: it is built only by [`import`], which checks every
//! product and reports each problem with its line, all-or-nothing.

pub mod import;
pub mod synthetic;

use crate::lang::{Currency, Lang};
use serde::{Deserialize, Serialize};

/// A text in the three languages; any may be missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vi: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Localized {
    /// The text in `lang`, else in the other languages (en, id, vi), else "".
    pub fn get(&self, lang: Lang) -> &str {
        let own = match lang {
            Lang::Id => &self.id,
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        };
        own.as_deref()
            .or(self.en.as_deref())
            .or(self.id.as_deref())
            .or(self.vi.as_deref())
            .unwrap_or("")
    }

    pub fn all(&self) -> impl Iterator<Item = &str> {
        [&self.id, &self.vi, &self.en]
            .into_iter()
            .filter_map(|t| t.as_deref())
    }

    pub fn is_empty(&self) -> bool {
        self.all().all(|t| t.trim().is_empty())
    }
}

/// Prices in whole currency units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    #[serde(rename = "IDR", default, skip_serializing_if = "Option::is_none")]
    pub idr: Option<i64>,
    #[serde(rename = "VND", default, skip_serializing_if = "Option::is_none")]
    pub vnd: Option<i64>,
    #[serde(rename = "USD", default, skip_serializing_if = "Option::is_none")]
    pub usd: Option<i64>,
}

impl Prices {
    pub fn get(&self, currency: Currency) -> Option<i64> {
        match currency {
            Currency::Idr => self.idr,
            Currency::Vnd => self.vnd,
            Currency::Usd => self.usd,
        }
    }

    /// The price in `wanted`, else in the first currency the product has.
    pub fn shown(&self, wanted: Currency) -> Option<(i64, Currency)> {
        if let Some(p) = self.get(wanted) {
            return Some((p, wanted));
        }
        [Currency::Idr, Currency::Vnd, Currency::Usd]
            .into_iter()
            .find_map(|c| self.get(c).map(|p| (p, c)))
    }
}

/// One sellable form of a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub sku: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    pub stock: i64,
}

/// One product of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    pub name: Localized,
    #[serde(default)]
    pub description: Localized,
    pub prices: Prices,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<f32>,
    #[serde(default)]
    pub sold: i64,
    /// When the product was listed (YYYY-MM-DD), for the `newest` order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added: Option<String>,
    #[serde(default)]
    pub variants: Vec<Variant>,
}

impl Product {
    /// Units on hand over all variants.
    pub fn stock(&self) -> i64 {
        self.variants.iter().map(|v| v.stock.max(0)).sum()
    }

    pub fn in_stock(&self) -> bool {
        self.stock() > 0
    }

    /// Distinct colours, in catalog order.
    pub fn colors(&self) -> Vec<&str> {
        distinct(self.variants.iter().filter_map(|v| v.color.as_deref()))
    }
}

fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for s in items {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// A validated catalog. Products keep the order they were imported in.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    products: Vec<Product>,
    by_id: rustc_hash::FxHashMap<String, usize>,
}

impl Catalog {
    /// Wraps products that [`import`] has validated.
    pub(crate) fn new(products: Vec<Product>) -> Catalog {
        let by_id = products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        Catalog { products, by_id }
    }

    pub fn products(&self) -> &[Product] {
        &self.products
    }

    pub fn len(&self) -> usize {
        self.products.len()
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn get(&self, id: &str) -> Option<&Product> {
        self.position(id).map(|i| &self.products[i])
    }

    /// Gives products listed without a brand the one `infer` reads from them (real
    /// catalogues often put the brand only in the title: "Casio G-Shock DW-5600").
    /// Returns how many were filled.
    pub fn fill_missing_brands(&mut self, infer: impl Fn(&Product) -> Option<String>) -> usize {
        let mut filled = 0;
        for p in self.products.iter_mut().filter(|p| p.brand.is_none()) {
            p.brand = infer(p);
            filled += usize::from(p.brand.is_some());
        }
        filled
    }
}

/// The demo store shipped in `fixtures/catalog.json`.
pub fn demo_catalog_path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/catalog.json")
}

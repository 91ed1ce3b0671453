//! Per-product facts kept beside the tantivy index, in flat arrays indexed by the
//! product's position in the catalog: category, brand, gender, prices, popularity
//! and the (size, colour, in stock) of every variant. Filters and sort orders read
//! these instead of stored documents, so a filtered search costs a few nanoseconds
//! per candidate.

use crate::canon;
use crate::catalog::{Catalog, Product};
use crate::lang::Currency;
use rustc_hash::FxHashMap;

pub const NONE16: u16 = u16::MAX;
pub const NONE8: u8 = u8::MAX;

/// One variant, packed.
#[derive(Debug, Clone, Copy)]
pub struct VariantFacts {
    pub size: u16,
    pub color: u8,
    pub in_stock: bool,
}

/// One product, packed.
#[derive(Debug, Clone)]
pub struct ProductFacts {
    pub category: u8,
    pub gender: u8,
    pub brand: u16,
    /// Prices by [`currency_slot`]; 0 when the product has none in that currency.
    pub prices: [i64; 3],
    pub sold: i64,
    pub rating: f32,
    /// YYYYMMDD, 0 when unknown.
    pub added: u32,
    pub in_stock: bool,
    pub variants: (u32, u32),
}

pub fn currency_slot(c: Currency) -> usize {
    match c {
        Currency::Idr => 0,
        Currency::Vnd => 1,
        Currency::Usd => 2,
    }
}

/// What a filter scan reads first, packed small and stored per category so a scan
/// walks memory in order: a product that fails here is rejected in a nanosecond or
/// two; one that passes is checked exactly against its variants.
#[derive(Debug, Clone, Copy)]
pub struct ScanRow {
    pub ord: u32,
    pub brand: u16,
    pub gender: u8,
    pub in_stock: bool,
    /// Colours of any variant, and of variants in stock, as bit masks.
    pub colors: u16,
    pub colors_in_stock: u16,
    /// Prices by currency slot, saturated to u32 (0 = none).
    pub prices: [u32; 3],
}

/// Facts for the whole catalog, with the dictionaries that give brands and sizes
/// their small numbers.
#[derive(Debug, Default)]
pub struct Facts {
    pub products: Vec<ProductFacts>,
    pub variants: Vec<VariantFacts>,
    pub brands: FxHashMap<String, u16>,
    pub sizes: FxHashMap<String, u16>,
    /// Scan rows per category (in catalog order), and of products without one.
    pub by_category: Vec<Vec<ScanRow>>,
    pub uncategorized: Vec<ScanRow>,
}

pub fn category_id(slug: &str) -> Option<u8> {
    canon::CATEGORIES
        .iter()
        .position(|c| *c == slug)
        .map(|i| i as u8)
}

pub fn color_id(name: &str) -> Option<u8> {
    canon::COLORS
        .iter()
        .position(|c| *c == name)
        .map(|i| i as u8)
}

pub fn gender_id(name: &str) -> Option<u8> {
    canon::GENDERS
        .iter()
        .position(|c| *c == name)
        .map(|i| i as u8)
}

fn intern(map: &mut FxHashMap<String, u16>, key: &str) -> u16 {
    let next = map.len() as u16;
    *map.entry(key.to_string()).or_insert(next)
}

fn date_number(added: Option<&str>) -> u32 {
    added
        .map(|d| {
            d.chars()
                .filter(char::is_ascii_digit)
                .take(8)
                .collect::<String>()
        })
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}

impl Facts {
    pub fn build(catalog: &Catalog) -> Facts {
        let mut f = Facts {
            by_category: vec![Vec::new(); canon::CATEGORIES.len()],
            ..Facts::default()
        };
        for (i, p) in catalog.products().iter().enumerate() {
            let facts = f.product_facts(p);
            let row = f.scan_row(i as u32, &facts);
            match f.by_category.get_mut(facts.category as usize) {
                Some(list) => list.push(row),
                None => f.uncategorized.push(row),
            }
            f.products.push(facts);
        }
        f
    }

    fn scan_row(&self, ord: u32, p: &ProductFacts) -> ScanRow {
        let (start, len) = p.variants;
        let mut colors = 0u16;
        let mut colors_in_stock = 0u16;
        for v in &self.variants[start as usize..(start + len) as usize] {
            if v.color != NONE8 {
                colors |= 1 << v.color;
                if v.in_stock {
                    colors_in_stock |= 1 << v.color;
                }
            }
        }
        ScanRow {
            ord,
            brand: p.brand,
            gender: p.gender,
            in_stock: p.in_stock,
            colors,
            colors_in_stock,
            prices: p.prices.map(|x| x.clamp(0, u32::MAX as i64) as u32),
        }
    }

    /// Every scan row: all categories, then products without one.
    pub fn all_rows(&self) -> impl Iterator<Item = &ScanRow> {
        self.by_category.iter().flatten().chain(&self.uncategorized)
    }

    fn product_facts(&mut self, p: &Product) -> ProductFacts {
        let start = self.variants.len() as u32;
        for v in &p.variants {
            let size = v
                .size
                .as_deref()
                .map_or(NONE16, |s| intern(&mut self.sizes, s));
            let color = v.color.as_deref().and_then(color_id).unwrap_or(NONE8);
            self.variants.push(VariantFacts {
                size,
                color,
                in_stock: v.stock > 0,
            });
        }
        let prices = [
            p.prices.idr.unwrap_or(0),
            p.prices.vnd.unwrap_or(0),
            p.prices.usd.unwrap_or(0),
        ];
        ProductFacts {
            category: category_id(&p.category).unwrap_or(NONE8),
            gender: p.gender.as_deref().and_then(gender_id).unwrap_or(NONE8),
            brand: p
                .brand
                .as_deref()
                .map_or(NONE16, |b| intern(&mut self.brands, b)),
            prices,
            sold: p.sold,
            rating: p.rating.unwrap_or(0.0),
            added: date_number(p.added.as_deref()),
            in_stock: p.in_stock(),
            variants: (start, p.variants.len() as u32),
        }
    }

    pub fn variants_of(&self, product: u32) -> &[VariantFacts] {
        let (start, len) = self.products[product as usize].variants;
        &self.variants[start as usize..(start + len) as usize]
    }
}

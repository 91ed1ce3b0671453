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

/// The bit a size id sets in [`ScanColumns::sizes_in_stock`].
pub fn size_bit(size: u16) -> u64 {
    1 << (size % 64)
}

pub fn currency_slot(c: Currency) -> usize {
    match c {
        Currency::Idr => 0,
        Currency::Vnd => 1,
        Currency::Usd => 2,
    }
}

/// What a filter scan reads first, stored per category as columns: a scan for a
/// colour and a price range touches only those two arrays (a few kilobytes for
/// thousands of products), so it stays fast even when the cache is cold. A
/// product that fails here is rejected in a nanosecond or two; one that passes is
/// checked exactly against its variants.
#[derive(Debug, Clone, Default)]
pub struct ScanColumns {
    pub ords: Vec<u32>,
    pub brands: Vec<u16>,
    pub genders: Vec<u8>,
    pub in_stock: Vec<bool>,
    /// Colours of any variant, and of variants in stock, as bit masks.
    pub colors: Vec<u16>,
    pub colors_in_stock: Vec<u16>,
    /// Sizes of variants in stock, each size id as bit `id % 64` (a clear bit
    /// means no such variant).
    pub sizes_in_stock: Vec<u64>,
    /// Prices per currency slot, saturated to u32 (0 = none).
    pub prices: [Vec<u32>; 3],
}

impl ScanColumns {
    pub fn len(&self) -> usize {
        self.ords.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ords.is_empty()
    }

    fn push(&mut self, ord: u32, p: &ProductFacts, variants: &[VariantFacts]) {
        let mut colors = 0u16;
        let mut colors_in_stock = 0u16;
        let mut sizes_in_stock = 0u64;
        for v in variants {
            if v.color != NONE8 {
                colors |= 1 << v.color;
                if v.in_stock {
                    colors_in_stock |= 1 << v.color;
                }
            }
            if v.in_stock && v.size != NONE16 {
                sizes_in_stock |= size_bit(v.size);
            }
        }
        self.ords.push(ord);
        self.brands.push(p.brand);
        self.genders.push(p.gender);
        self.in_stock.push(p.in_stock);
        self.colors.push(colors);
        self.colors_in_stock.push(colors_in_stock);
        self.sizes_in_stock.push(sizes_in_stock);
        for (slot, price) in p.prices.iter().enumerate() {
            self.prices[slot].push((*price).clamp(0, u32::MAX as i64) as u32);
        }
    }
}

/// Facts for the whole catalog, with the dictionaries that give brands and sizes
/// their small numbers.
#[derive(Debug, Default)]
pub struct Facts {
    pub products: Vec<ProductFacts>,
    pub variants: Vec<VariantFacts>,
    pub brands: FxHashMap<String, u16>,
    pub sizes: FxHashMap<String, u16>,
    /// Scan columns per category (in catalog order), and of products without one.
    pub by_category: Vec<ScanColumns>,
    pub uncategorized: ScanColumns,
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
            by_category: vec![ScanColumns::default(); canon::CATEGORIES.len()],
            ..Facts::default()
        };
        for (i, p) in catalog.products().iter().enumerate() {
            let facts = f.product_facts(p);
            let (start, len) = facts.variants;
            let variants = &f.variants[start as usize..(start + len) as usize];
            match f.by_category.get_mut(facts.category as usize) {
                Some(cols) => cols.push(i as u32, &facts, variants),
                None => f.uncategorized.push(i as u32, &facts, variants),
            }
            f.products.push(facts);
        }
        f
    }

    /// Every scan column set: each category's, then products without one.
    pub fn all_columns(&self) -> impl Iterator<Item = &ScanColumns> {
        self.by_category
            .iter()
            .chain(std::iter::once(&self.uncategorized))
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

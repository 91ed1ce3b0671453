//! Which products a search may return: the constraint keys of a turn turned into
//! small numbers and bit masks, checked against [`Facts`] per candidate. A colour,
//! size and stock condition must hold for one and the same variant ("hitam ukuran
//! 42" means a black pair in 42, not a black 40 and a white 42).

use super::facts::{
    color_id, gender_id, size_bit, Facts, ProductFacts, ScanColumns, NONE16, NONE8,
};

/// A product filter. Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub category: Option<u8>,
    /// Accepted genders as a bit mask over `canon::GENDERS` (0 = any).
    pub genders: u8,
    pub brands: Vec<u16>,
    /// Wanted colours as a bit mask over `canon::COLORS` (0 = any).
    pub colors: u16,
    pub exclude_colors: u16,
    pub sizes: Vec<u16>,
    /// (currency slot, min, max) in whole units.
    pub price: Option<(usize, i64, i64)>,
    pub in_stock: bool,
}

pub fn color_mask<S: AsRef<str>>(names: &[S]) -> u16 {
    names
        .iter()
        .filter_map(|n| color_id(n.as_ref()))
        .fold(0, |m, c| m | (1 << c))
}

/// Genders a request for `gender` accepts: men's and women's searches include
/// unisex products and products without a gender; kids' only kids'.
pub fn gender_mask(gender: &str) -> u8 {
    let bit = |g: &str| gender_id(g).map_or(0, |i| 1u8 << i);
    match gender {
        "men" | "women" => bit(gender) | bit("unisex") | (1 << 7),
        other => bit(other),
    }
}

impl Filter {
    /// Brand ids for these names; a brand the catalog does not carry gets an id that
    /// matches nothing, so the search can say so (and relax it).
    pub fn brand_ids<S: AsRef<str>>(facts: &Facts, names: &[S]) -> Vec<u16> {
        names
            .iter()
            .map(|n| facts.brands.get(n.as_ref()).copied().unwrap_or(NONE16 - 1))
            .collect()
    }

    pub fn size_ids<S: AsRef<str>>(facts: &Facts, names: &[S]) -> Vec<u16> {
        names
            .iter()
            .map(|n| facts.sizes.get(n.as_ref()).copied().unwrap_or(NONE16 - 1))
            .collect()
    }

    /// Products of `cols` that pass: a quick check column by column (only the
    /// columns this filter uses are read), then the exact check per survivor.
    /// Returns their positions in the catalog.
    // One index walks several parallel columns, and only the ones this filter
    // uses are touched: zipping all of them would read them all.
    #[allow(clippy::needless_range_loop)]
    pub fn scan(&self, facts: &Facts, cols: &ScanColumns, out: &mut Vec<u32>) {
        let n = cols.len();
        let wanted_sizes = self.sizes.iter().fold(0u64, |m, &s| m | size_bit(s));
        let colors = if self.in_stock {
            &cols.colors_in_stock
        } else {
            &cols.colors
        };
        // The columns settle a product unless colour and size must hold for the
        // same variant, a colour is excluded, or a size id shares its mask bit.
        let exact = (self.colors != 0 && !self.sizes.is_empty())
            || self.exclude_colors != 0
            || (!self.sizes.is_empty() && (!self.in_stock || self.sizes.iter().any(|&s| s >= 64)));
        for i in 0..n {
            if let Some((slot, min, max)) = self.price {
                let price = i64::from(cols.prices[slot][i]);
                if price == 0 || price < min || price > max {
                    continue;
                }
            }
            if self.colors != 0 && colors[i] & self.colors == 0 {
                continue;
            }
            if self.in_stock && !cols.in_stock[i] {
                continue;
            }
            if wanted_sizes != 0 && self.in_stock && cols.sizes_in_stock[i] & wanted_sizes == 0 {
                continue;
            }
            if !self.brands.is_empty() && !self.brands.contains(&cols.brands[i]) {
                continue;
            }
            if self.genders != 0 {
                let g = cols.genders[i];
                let bit = if g == NONE8 { 1 << 7 } else { 1u8 << g };
                if self.genders & bit == 0 {
                    continue;
                }
            }
            let ord = cols.ords[i];
            if !exact || self.accepts(facts, ord) {
                out.push(ord);
            }
        }
    }

    /// True when the product passes the filter.
    #[inline]
    pub fn accepts(&self, facts: &Facts, ord: u32) -> bool {
        let p: &ProductFacts = &facts.products[ord as usize];
        if let Some(c) = self.category {
            if p.category != c {
                return false;
            }
        }
        if self.genders != 0 {
            let bit = if p.gender == NONE8 {
                1 << 7
            } else {
                1u8 << p.gender
            };
            if self.genders & bit == 0 {
                return false;
            }
        }
        if !self.brands.is_empty() && !self.brands.contains(&p.brand) {
            return false;
        }
        if let Some((slot, min, max)) = self.price {
            let price = p.prices[slot];
            if price == 0 || price < min || price > max {
                return false;
            }
        }
        if self.in_stock && !p.in_stock {
            return false;
        }
        if self.colors == 0 && self.exclude_colors == 0 && self.sizes.is_empty() {
            return true;
        }
        facts.variants_of(ord).iter().any(|v| {
            let color_bit = if v.color == NONE8 { 0 } else { 1u16 << v.color };
            (self.colors == 0 || self.colors & color_bit != 0)
                && (self.exclude_colors & color_bit == 0)
                && (self.sizes.is_empty() || self.sizes.contains(&v.size))
                && (!self.in_stock || v.in_stock)
        })
    }

    /// True when nothing but stock narrows the products down.
    pub fn is_open(&self) -> bool {
        self.category.is_none()
            && self.genders == 0
            && self.brands.is_empty()
            && self.colors == 0
            && self.exclude_colors == 0
            && self.sizes.is_empty()
            && self.price.is_none()
    }

    /// The keys this filter constrains, least important first: the order in which
    /// a search that found nothing gives them up comes from `rules/`.
    pub fn active_keys(&self) -> Vec<&'static str> {
        let mut keys = Vec::new();
        if self.colors != 0 {
            keys.push("colors");
        }
        if !self.sizes.is_empty() {
            keys.push("sizes");
        }
        if self.genders != 0 {
            keys.push("gender");
        }
        if !self.brands.is_empty() {
            keys.push("brands");
        }
        if self.price.is_some() {
            keys.push("price");
        }
        if self.in_stock {
            keys.push("in_stock");
        }
        keys
    }

    /// This filter without one key.
    pub fn without(&self, key: &str) -> Filter {
        let mut f = self.clone();
        match key {
            "colors" => f.colors = 0,
            "sizes" => f.sizes.clear(),
            "gender" => f.genders = 0,
            "brands" => f.brands.clear(),
            "price" => f.price = None,
            "in_stock" => f.in_stock = false,
            _ => {}
        }
        f
    }
}

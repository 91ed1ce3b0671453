//! A synthetic catalog of any size for benchmarks (`pasar bench --products N`):
//! products in all 20 categories with Indonesian, Vietnamese and English names
//! built from everyday product words, brands per category, sizes, colours, stock
//! and prices in both currencies. Deterministic for a given seed.

use super::import::{from_products, ImportError};
use super::{Catalog, Localized, Prices, Product, Variant};
use crate::canon;

struct Kind {
    category: &'static str,
    prefix: &'static str,
    id: &'static [&'static str],
    vi: &'static [&'static str],
    en: &'static [&'static str],
    brands: &'static [&'static str],
    /// IDR price band, whole rupiah
    price: (i64, i64),
    sizes: &'static [&'static str],
}

const SHOE: &[&str] = &["38", "39", "40", "41", "42", "43", "44"];
const WEAR: &[&str] = &["S", "M", "L", "XL", "XXL"];

const KINDS: &[Kind] = &[
    Kind {
        category: "shoes",
        prefix: "shoe",
        id: &[
            "Sepatu Lari",
            "Sepatu Sneakers",
            "Sepatu Kanvas",
            "Sepatu Futsal",
            "Sepatu Slip On",
        ],
        vi: &[
            "Giày chạy bộ",
            "Giày sneaker",
            "Giày vải",
            "Giày đá banh",
            "Giày lười",
        ],
        en: &[
            "running shoes",
            "sneakers",
            "canvas shoes",
            "futsal shoes",
            "slip-ons",
        ],
        brands: &[
            "nike",
            "adidas",
            "ventela",
            "compass",
            "biti's",
            "aerostreet",
        ],
        price: (150_000, 2_500_000),
        sizes: SHOE,
    },
    Kind {
        category: "sandals",
        prefix: "sand",
        id: &["Sandal Gunung", "Sandal Jepit", "Sandal Slide"],
        vi: &["Dép quai hậu", "Dép xỏ ngón", "Dép quai ngang"],
        en: &["hiking sandals", "flip flops", "slides"],
        brands: &["eiger", "biti's", "crocs"],
        price: (25_000, 600_000),
        sizes: SHOE,
    },
    Kind {
        category: "t-shirts",
        prefix: "tee",
        id: &["Kaos Polos", "Kaos Oversize", "Kaos Polo"],
        vi: &["Áo thun trơn", "Áo thun oversize", "Áo polo"],
        en: &["plain tee", "oversized tee", "polo shirt"],
        brands: &["erigo", "uniqlo", "h&m"],
        price: (49_000, 399_000),
        sizes: WEAR,
    },
    Kind {
        category: "shirts",
        prefix: "shirt",
        id: &["Kemeja Flanel", "Kemeja Oxford", "Kemeja Batik"],
        vi: &["Áo sơ mi flannel", "Áo sơ mi oxford", "Áo sơ mi họa tiết"],
        en: &["flannel shirt", "oxford shirt", "batik shirt"],
        brands: &["uniqlo", "executive", "zara"],
        price: (99_000, 800_000),
        sizes: WEAR,
    },
    Kind {
        category: "pants",
        prefix: "pant",
        id: &["Celana Chino", "Celana Jeans", "Celana Jogger"],
        vi: &["Quần kaki", "Quần jean", "Quần jogger"],
        en: &["chinos", "jeans", "joggers"],
        brands: &["levi's", "uniqlo", "erigo"],
        price: (99_000, 900_000),
        sizes: WEAR,
    },
    Kind {
        category: "dresses",
        prefix: "dress",
        id: &["Dress Midi", "Gamis", "Dress Pesta"],
        vi: &["Đầm midi", "Váy dài", "Đầm dự tiệc"],
        en: &["midi dress", "long dress", "party dress"],
        brands: &["zara", "h&m"],
        price: (99_000, 1_200_000),
        sizes: WEAR,
    },
    Kind {
        category: "jackets",
        prefix: "jack",
        id: &["Jaket Bomber", "Jaket Hoodie", "Jaket Parasut"],
        vi: &["Áo khoác bomber", "Áo hoodie", "Áo khoác gió"],
        en: &["bomber jacket", "hoodie", "windbreaker"],
        brands: &["erigo", "eiger", "uniqlo"],
        price: (150_000, 2_000_000),
        sizes: WEAR,
    },
    Kind {
        category: "hijabs",
        prefix: "hijab",
        id: &["Hijab Pashmina", "Hijab Segi Empat", "Hijab Bergo"],
        vi: &[
            "Khăn trùm đầu pashmina",
            "Khăn trùm đầu vuông",
            "Khăn trùm đầu bergo",
        ],
        en: &["pashmina hijab", "square hijab", "bergo hijab"],
        brands: &["zoya", "elzatta", "rabbani"],
        price: (25_000, 450_000),
        sizes: &[],
    },
    Kind {
        category: "bags",
        prefix: "bag",
        id: &["Tas Selempang", "Tas Tote", "Tas Pinggang"],
        vi: &["Túi đeo chéo", "Túi tote", "Túi đeo hông"],
        en: &["sling bag", "tote bag", "waist bag"],
        brands: &["eiger", "exsport"],
        price: (99_000, 3_000_000),
        sizes: &[],
    },
    Kind {
        category: "backpacks",
        prefix: "bpk",
        id: &["Tas Ransel", "Ransel Laptop", "Tas Gunung"],
        vi: &["Balo", "Balo laptop", "Balo leo núi"],
        en: &["backpack", "laptop backpack", "hiking backpack"],
        brands: &["eiger", "consina", "exsport"],
        price: (149_000, 1_500_000),
        sizes: &[],
    },
    Kind {
        category: "watches",
        prefix: "watch",
        id: &["Jam Tangan Digital", "Jam Tangan Analog", "Smartwatch"],
        vi: &["Đồng hồ điện tử", "Đồng hồ kim", "Đồng hồ thông minh"],
        en: &["digital watch", "analog watch", "smartwatch"],
        brands: &["casio", "seiko", "xiaomi"],
        price: (150_000, 8_000_000),
        sizes: &[],
    },
    Kind {
        category: "phones",
        prefix: "phone",
        id: &["HP", "Smartphone"],
        vi: &["Điện thoại", "Điện thoại thông minh"],
        en: &["smartphone", "phone"],
        brands: &["samsung", "xiaomi", "oppo", "vivo", "realme"],
        price: (1_200_000, 25_000_000),
        sizes: &[],
    },
    Kind {
        category: "laptops",
        prefix: "lap",
        id: &["Laptop", "Laptop Gaming"],
        vi: &["Laptop", "Laptop gaming"],
        en: &["laptop", "gaming laptop"],
        brands: &["asus", "lenovo", "acer"],
        price: (4_000_000, 35_000_000),
        sizes: &[],
    },
    Kind {
        category: "headphones",
        prefix: "head",
        id: &["Earbuds TWS", "Headphone Bluetooth"],
        vi: &["Tai nghe TWS", "Tai nghe bluetooth"],
        en: &["TWS earbuds", "bluetooth headphones"],
        brands: &["sony", "jbl", "baseus"],
        price: (80_000, 6_000_000),
        sizes: &[],
    },
    Kind {
        category: "speakers",
        prefix: "spk",
        id: &["Speaker Bluetooth", "Speaker Portable"],
        vi: &["Loa bluetooth", "Loa di động"],
        en: &["bluetooth speaker", "portable speaker"],
        brands: &["jbl", "polytron", "sony"],
        price: (150_000, 8_000_000),
        sizes: &[],
    },
    Kind {
        category: "phone-accessories",
        prefix: "acc",
        id: &["Powerbank", "Charger", "Kabel Data", "Casing HP"],
        vi: &["Sạc dự phòng", "Củ sạc", "Cáp sạc", "Ốp lưng"],
        en: &["power bank", "charger", "charging cable", "phone case"],
        brands: &["anker", "baseus", "ugreen"],
        price: (15_000, 700_000),
        sizes: &[],
    },
    Kind {
        category: "skincare",
        prefix: "skin",
        id: &["Serum Wajah", "Sunscreen", "Facial Wash", "Moisturizer"],
        vi: &[
            "Serum dưỡng da",
            "Kem chống nắng",
            "Sữa rửa mặt",
            "Kem dưỡng ẩm",
        ],
        en: &["face serum", "sunscreen", "facial wash", "moisturizer"],
        brands: &["wardah", "somethinc", "skintific", "cocoon"],
        price: (25_000, 450_000),
        sizes: &[],
    },
    Kind {
        category: "makeup",
        prefix: "makeup",
        id: &["Lipstik Matte", "Cushion", "Bedak Padat", "Maskara"],
        vi: &["Son lì", "Phấn nước", "Phấn phủ", "Mascara"],
        en: &["matte lipstick", "cushion", "pressed powder", "mascara"],
        brands: &["wardah", "emina", "maybelline"],
        price: (20_000, 350_000),
        sizes: &[],
    },
    Kind {
        category: "snacks",
        prefix: "snack",
        id: &["Keripik Kentang", "Mie Instan", "Cokelat Batang"],
        vi: &["Snack khoai tây", "Mì gói", "Sô cô la thanh"],
        en: &["potato chips", "instant noodles", "chocolate bar"],
        brands: &["chitato", "indomie", "oreo"],
        price: (5_000, 60_000),
        sizes: &[],
    },
    Kind {
        category: "beverages",
        prefix: "bev",
        id: &["Kopi Bubuk", "Teh Kotak", "Susu UHT"],
        vi: &["Cà phê bột", "Trà hộp", "Sữa tươi"],
        en: &["ground coffee", "boxed tea", "UHT milk"],
        brands: &["kapal api", "sosro", "vinamilk"],
        price: (4_000, 150_000),
        sizes: &[],
    },
];

const MODELS: &[&str] = &[
    "Aero", "Nova", "Pro", "Lite", "Max", "Urban", "Classic", "Sport", "Prime", "Flex", "Zen",
    "Volt",
];

/// `n` products, deterministic for `seed`.
pub fn generate(n: usize, seed: u64) -> Result<Catalog, ImportError> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut products = Vec::with_capacity(n);
    for i in 0..n {
        let kind = &KINDS[i % KINDS.len()];
        let t = rng.usize(..kind.id.len());
        let brand = kind.brands[rng.usize(..kind.brands.len())];
        let model = format!("{} {}", MODELS[rng.usize(..MODELS.len())], rng.u32(1..100));
        let shown_brand = brand.to_uppercase();
        let (lo, hi) = kind.price;
        // prices cluster towards the cheap end, as in real shops
        let r = rng.f64();
        let raw = lo as f64 + (hi - lo) as f64 * r * r;
        // shop-style endings: 149.000, 1.299.000
        let idr = ((raw / 10_000.0) as i64).max(1) * 10_000 - 1_000;
        let vnd = ((idr as f64 * 1.6) / 1000.0).round() as i64 * 1000;
        let id = format!("{}-{i:06}", kind.prefix);
        let colors: Vec<&str> = (0..rng.usize(1..4))
            .map(|_| canon::COLORS[rng.usize(..canon::COLORS.len())])
            .collect();
        let mut variants = Vec::new();
        for c in &colors {
            let sizes: Vec<Option<&str>> = if kind.sizes.is_empty() {
                vec![None]
            } else {
                let start = rng.usize(..kind.sizes.len().saturating_sub(2).max(1));
                kind.sizes[start..]
                    .iter()
                    .take(3)
                    .map(|s| Some(*s))
                    .collect()
            };
            for s in sizes {
                let sku = match s {
                    Some(s) => format!("{id}-{s}-{c}"),
                    None => format!("{id}-{c}"),
                };
                if variants.iter().any(|v: &Variant| v.sku == sku) {
                    continue;
                }
                variants.push(Variant {
                    sku,
                    size: s.map(str::to_string),
                    color: Some((*c).to_string()),
                    stock: if rng.u8(..10) == 0 { 0 } else { rng.i64(1..40) },
                });
            }
        }
        products.push(Product {
            id,
            brand: Some(brand.to_string()),
            category: kind.category.to_string(),
            gender: Some(["men", "women", "unisex", "kids"][rng.usize(..4)].to_string()),
            name: Localized {
                id: Some(format!("{} {shown_brand} {model}", kind.id[t])),
                vi: Some(format!("{} {shown_brand} {model}", kind.vi[t])),
                en: Some(format!("{shown_brand} {model} {}", kind.en[t])),
            },
            description: Localized::default(),
            prices: Prices {
                idr: Some(idr.max(1000)),
                vnd: Some(vnd.max(1000)),
                usd: None,
            },
            tags: Vec::new(),
            rating: Some(3.5 + rng.u8(..16) as f32 / 10.0),
            sold: (rng.f64().powi(3) * 20_000.0) as i64,
            added: Some(format!("2026-{:02}-{:02}", rng.u8(1..12), rng.u8(1..29))),
            variants,
        });
    }
    // through the importer's checks, so a synthetic catalog obeys every rule a
    // real one does (and a generator bug is an error, not an empty catalog)
    from_products(products, "the synthetic catalog")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_synthetic_product_is_valid() {
        let c = super::generate(500, 7).expect("a valid synthetic catalog");
        assert_eq!(c.len(), 500);
        assert!(c
            .products()
            .iter()
            .all(|p| p.prices.idr.is_some() && !p.variants.is_empty()));
    }
}

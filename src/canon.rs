//! The canonical values of CONTRACT.md section 3 that content must use: colours,
//! category slugs of the demo store, sizes, genders, sort orders and constraint keys.

pub const COLORS: &[&str] = &[
    "red", "blue", "navy", "black", "white", "grey", "green", "yellow", "orange", "pink", "purple",
    "brown", "beige", "gold", "silver",
];

pub const CATEGORIES: &[&str] = &[
    "shoes",
    "sandals",
    "t-shirts",
    "shirts",
    "pants",
    "dresses",
    "jackets",
    "hijabs",
    "bags",
    "backpacks",
    "watches",
    "phones",
    "laptops",
    "headphones",
    "speakers",
    "phone-accessories",
    "skincare",
    "makeup",
    "snacks",
    "beverages",
];

pub const SIZES: &[&str] = &["S", "M", "L", "XL", "XXL"];

pub const GENDERS: &[&str] = &["men", "women", "kids", "unisex"];

pub const SORTS: &[&str] = &[
    "price_asc",
    "price_desc",
    "best_selling",
    "rating",
    "newest",
];

pub const CONSTRAINT_KEYS: &[&str] = &[
    "price_min",
    "price_max",
    "currency",
    "category",
    "colors",
    "exclude_colors",
    "sizes",
    "brands",
    "gender",
    "quantity",
    "ordinal",
    "sort",
    "order_id",
    "voucher_code",
    "query",
];

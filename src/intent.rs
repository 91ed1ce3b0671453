//! The canonical intents of CONTRACT.md section 2. Content must cover every one of
//! them; the names are what the storefront, QA and evaluation sets depend on.

use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

macro_rules! intents {
    ($($variant:ident => $name:literal, $group:ident;)*) => {
        /// A canonical intent.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Intent { $($variant),* }

        impl Intent {
            pub const ALL: &'static [Intent] = &[$(Intent::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Intent::$variant => $name),* }
            }

            pub fn group(self) -> IntentGroup {
                match self { $(Intent::$variant => IntentGroup::$group),* }
            }
        }

        impl FromStr for Intent {
            type Err = UnknownIntent;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($name => Ok(Intent::$variant),)* other => Err(UnknownIntent(other.to_string())) }
            }
        }
    };
}

intents! {
    Greeting => "greeting", Conversation;
    Goodbye => "goodbye", Conversation;
    Thanks => "thanks", Conversation;
    Affirm => "affirm", Conversation;
    Deny => "deny", Conversation;
    Help => "help", Conversation;
    HumanHandoff => "human_handoff", Conversation;
    Complaint => "complaint", Conversation;
    ProductSearch => "product_search", Catalog;
    ProductInfo => "product_info", Catalog;
    PriceCheck => "price_check", Catalog;
    StockCheck => "stock_check", Catalog;
    CompareProducts => "compare_products", Catalog;
    Recommend => "recommend", Catalog;
    SizeHelp => "size_help", Catalog;
    CartAdd => "cart_add", Cart;
    CartRemove => "cart_remove", Cart;
    CartView => "cart_view", Cart;
    CartClear => "cart_clear", Cart;
    VoucherList => "voucher_list", Cart;
    VoucherApply => "voucher_apply", Cart;
    Checkout => "checkout", Cart;
    OrderStatus => "order_status", Orders;
    OrderCancel => "order_cancel", Orders;
    ReturnPolicy => "return_policy", Orders;
    ShippingInfo => "shipping_info", Orders;
    PaymentMethods => "payment_methods", Orders;
    OutOfScope => "out_of_scope", None;
}

/// How many intents there are (CONTRACT.md section 2).
pub const INTENT_COUNT: usize = 28;
const _: () = assert!(Intent::ALL.len() == INTENT_COUNT);

/// The groups of CONTRACT.md section 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentGroup {
    Conversation,
    Catalog,
    Cart,
    Orders,
    None,
}

impl Intent {
    pub fn index(self) -> usize {
        self as usize
    }

    /// Intents whose turns talk about products, so the words left over are a search query.
    pub fn takes_query(self) -> bool {
        matches!(self.group(), IntentGroup::Catalog)
            || matches!(self, Intent::CartAdd | Intent::CartRemove)
    }
}

/// The error for an intent name that is not canonical.
#[derive(Debug, thiserror::Error)]
#[error("unknown intent {0:?}")]
pub struct UnknownIntent(pub String);

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Intent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The canonical intent names, for error messages.
pub fn canonical_names() -> String {
    Intent::ALL
        .iter()
        .map(|i| i.name())
        .collect::<Vec<_>>()
        .join(", ")
}

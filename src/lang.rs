//! Languages and currencies of CONTRACT.md section 1: the three languages pasar
//! understands, their codes, and the currency a reply in each language defaults to.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A language pasar understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Id,
    Vi,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Id, Lang::Vi, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The error for a language code that is not `id`, `vi` or `en`.
#[derive(Debug, thiserror::Error)]
#[error("unknown language {0:?}; expected one of id, vi, en")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "id" | "ind" | "indonesian" => Ok(Lang::Id),
            "vi" | "vie" | "vietnamese" => Ok(Lang::Vi),
            "en" | "eng" | "english" => Ok(Lang::En),
            other => Err(UnknownLang(other.to_string())),
        }
    }
}

/// A currency a price constraint can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Currency {
    #[default]
    #[serde(rename = "IDR")]
    Idr,
    #[serde(rename = "VND")]
    Vnd,
    #[serde(rename = "USD")]
    Usd,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::Idr => "IDR",
            Currency::Vnd => "VND",
            Currency::Usd => "USD",
        }
    }
}

impl FromStr for Currency {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "IDR" => Ok(Currency::Idr),
            "VND" => Ok(Currency::Vnd),
            "USD" => Ok(Currency::Usd),
            other => Err(format!(
                "unknown currency {other:?}; expected IDR, VND or USD"
            )),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

//! Lexicon words used after understanding: synonym groups (search expands a word
//! with its group), the everyday words of each category (indexed with every product
//! of it, so "hp" finds a phone named "Smartphone"), and the words that name a
//! category or a colour in a reply's search summary.

use std::collections::BTreeMap;

/// One language's words.
#[derive(Debug, Clone, Default)]
pub struct LexiconWords {
    /// Each group: the head word, then the words meaning the same.
    pub synonym_groups: Vec<Vec<String>>,
    /// Category slug -> its words, the usual name first.
    pub categories: BTreeMap<String, Vec<String>>,
    /// Colour -> its words, the usual name first.
    pub colors: BTreeMap<String, Vec<String>>,
}

impl LexiconWords {
    pub fn new(
        synonyms: BTreeMap<String, Vec<String>>,
        categories: BTreeMap<String, Vec<String>>,
        colors: BTreeMap<String, Vec<String>>,
    ) -> LexiconWords {
        let synonym_groups = synonyms
            .into_iter()
            .map(|(head, mut rest)| {
                rest.insert(0, head);
                rest
            })
            .collect();
        LexiconWords {
            synonym_groups,
            categories,
            colors,
        }
    }

    /// How a category is usually called ("sepatu", "giày"), else its slug.
    pub fn category_name<'a>(&'a self, slug: &'a str) -> &'a str {
        self.categories
            .get(slug)
            .and_then(|w| w.first())
            .map_or(slug, String::as_str)
    }

    /// How a colour is usually called ("merah", "đỏ"), else its canonical name.
    pub fn color_name<'a>(&'a self, color: &'a str) -> &'a str {
        self.colors
            .get(color)
            .and_then(|w| w.first())
            .map_or(color, String::as_str)
    }
}

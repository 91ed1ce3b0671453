//! Language detection per message. Vietnamese letters with their marks decide at
//! once; otherwise each word votes for the languages whose content uses it (intent
//! examples, lexicons), a rare word counting more than one every language shares.
//! Ties go to the caller's hint (the session's last language).

use crate::lang::Lang;
use rustc_hash::FxHashMap;

/// What the words of a message say about its language.
#[derive(Debug, Clone, PartialEq)]
pub enum Script {
    /// Latin letters: one of pasar's languages.
    Latin,
    /// Mostly letters of another script (Thai, Han, Cyrillic...): unsupported.
    Other,
    /// No letters at all (empty, emoji, digits only).
    None,
}

/// Word evidence per language, built from the loaded content.
#[derive(Debug, Default, Clone)]
pub struct LanguageVotes {
    /// folded word -> weight per language (index by `Lang::index`)
    weights: FxHashMap<String, [f32; 3]>,
}

impl LanguageVotes {
    /// `counts[word][lang]` is how often the word appears in that language's content.
    pub fn new(counts: FxHashMap<String, [u32; 3]>) -> Self {
        let mut weights = FxHashMap::default();
        let totals: [f32; 3] = counts.values().fold([0f32; 3], |mut acc, c| {
            for i in 0..3 {
                acc[i] += c[i] as f32;
            }
            acc
        });
        for (word, c) in counts {
            let rel: Vec<f32> = (0..3)
                .map(|i| {
                    if totals[i] > 0.0 {
                        c[i] as f32 / totals[i]
                    } else {
                        0.0
                    }
                })
                .collect();
            let sum: f32 = rel.iter().sum();
            if sum <= 0.0 {
                continue;
            }
            weights.insert(word, [rel[0] / sum, rel[1] / sum, rel[2] / sum]);
        }
        LanguageVotes { weights }
    }

    /// Scores per language for folded words, plus how many of them carried
    /// Vietnamese-only marks.
    pub fn detect<'a>(
        &self,
        words: impl Iterator<Item = (&'a str, bool)>,
        hint: Option<Lang>,
    ) -> (Lang, [f32; 3]) {
        let mut score = [0f32; 3];
        for (key, vietnamese_marks) in words {
            if vietnamese_marks {
                score[Lang::Vi.index()] += 3.0;
                continue;
            }
            if let Some(w) = self.weights.get(key) {
                for i in 0..3 {
                    score[i] += w[i];
                }
            }
        }
        let default = hint.unwrap_or(Lang::Id);
        let best = Lang::ALL
            .iter()
            .copied()
            .max_by(|a, b| {
                score[a.index()]
                    .partial_cmp(&score[b.index()])
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then_with(|| (*a == default).cmp(&(*b == default)))
            })
            .unwrap_or(default);
        if score[best.index()] <= 0.0 || (score[best.index()] - score[default.index()]).abs() < 1e-6
        {
            return (default, score);
        }
        // In a conversation a short, mixed message ("ok", "checkout", "size 42")
        // stays in the conversation's language unless another language clearly
        // leads (a whole word's worth of votes).
        if let Some(h) = hint {
            if score[best.index()] - score[h.index()] < HINT_MARGIN {
                return (h, score);
            }
        }
        (best, score)
    }
}

/// How far another language must lead the conversation's language to take over.
const HINT_MARGIN: f32 = 1.0;

/// Whether the text is written in Latin letters, another script, or has no letters.
pub fn script_of(text: &str) -> Script {
    let mut latin = 0usize;
    let mut other = 0usize;
    for c in text.chars() {
        if c.is_alphabetic() {
            if is_latin(c) {
                latin += 1;
            } else {
                other += 1;
            }
        }
    }
    if latin == 0 && other == 0 {
        Script::None
    } else if other > latin {
        Script::Other
    } else {
        Script::Latin
    }
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF | 0x0300..=0x036F)
}

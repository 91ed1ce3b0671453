//! Typo tolerance for search words ("spatu" → "sepatu", "headpone" → "headphone"):
//! a word the catalog does not use is replaced by a catalog word one edit away
//! (a letter missing, extra, wrong or two letters swapped), the most frequent one
//! when several are. Built once from the index vocabulary with the deletion
//! neighbourhoods of SymSpell, so a lookup is a handful of hash probes.

use rustc_hash::FxHashMap;

/// Shortest word corrected: shorter words have too many neighbours.
const MIN_LEN: usize = 4;

#[derive(Debug, Default)]
pub struct Speller {
    /// word -> how many products use it
    words: FxHashMap<String, u32>,
    /// a word with one character deleted -> the words it came from
    deletes: FxHashMap<String, Vec<u32>>,
    by_id: Vec<String>,
}

fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    (0..chars.len()).map(move |i| {
        let (at, c) = chars[i];
        let mut s = String::with_capacity(word.len());
        s.push_str(&word[..at]);
        s.push_str(&word[at + c.len_utf8()..]);
        s
    })
}

impl Speller {
    pub fn new(frequencies: FxHashMap<String, u32>) -> Speller {
        let mut sp = Speller::default();
        for (word, _) in frequencies.iter() {
            if word.chars().count() < MIN_LEN || word.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            let id = sp.by_id.len() as u32;
            sp.by_id.push(word.clone());
            for d in deletions(word) {
                sp.deletes.entry(d).or_default().push(id);
            }
            sp.deletes.entry(word.clone()).or_default().push(id);
        }
        sp.words = frequencies;
        sp
    }

    pub fn frequency(&self, word: &str) -> u32 {
        self.words.get(word).copied().unwrap_or(0)
    }

    /// The catalog word meant by `word`: itself when known, else the most frequent
    /// word one edit away, else `None`.
    pub fn correct<'a>(&'a self, word: &'a str) -> Option<&'a str> {
        if self.words.contains_key(word) {
            return Some(word);
        }
        if word.chars().count() < MIN_LEN {
            return None;
        }
        // candidates: a letter missing from the typed word, or one wrong or two
        // swapped (shared deletion); an extra letter typed (a deletion is a word)
        let mut candidates: Vec<u32> = Vec::new();
        candidates.extend(self.deletes.get(word).into_iter().flatten());
        let mut extra: Vec<&str> = Vec::new();
        for d in deletions(word) {
            if let Some((k, _)) = self.words.get_key_value(&d) {
                if d.chars().count() >= MIN_LEN {
                    extra.push(k.as_str());
                }
            }
            candidates.extend(self.deletes.get(&d).into_iter().flatten());
        }
        let mut best: Option<(&str, u32)> = None;
        let words = candidates
            .iter()
            .map(|&id| self.by_id[id as usize].as_str())
            .chain(extra);
        for w in words {
            let f = self.frequency(w);
            if best.is_none_or(|(bw, bf)| f > bf || (f == bf && w < bw)) {
                best = Some((w, f));
            }
        }
        best.map(|(w, _)| w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speller(words: &[(&str, u32)]) -> Speller {
        Speller::new(words.iter().map(|(w, f)| (w.to_string(), *f)).collect())
    }

    #[test]
    fn corrects_one_edit() {
        let sp = speller(&[
            ("sepatu", 50),
            ("sepeda", 3),
            ("headphone", 9),
            ("kaos", 20),
        ]);
        assert_eq!(sp.correct("spatu"), Some("sepatu"));
        assert_eq!(sp.correct("sepatuu"), Some("sepatu"));
        assert_eq!(sp.correct("sepatp"), Some("sepatu"));
        assert_eq!(sp.correct("sepaut"), Some("sepatu"));
        assert_eq!(sp.correct("headpone"), Some("headphone"));
        assert_eq!(sp.correct("kaos"), Some("kaos"));
        assert_eq!(sp.correct("kas"), None);
        assert_eq!(sp.correct("zzzzzz"), None);
    }
}

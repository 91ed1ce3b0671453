//! Diacritic folding. Vietnamese customers often type without tone marks ("giay" for
//! "giày"); matching happens on the folded form, while the typed form is kept so a
//! word typed *with* marks can still be told apart from a different word.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower-case text with diacritics removed and `đ` read as `d`.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// True when the text carries marks that folding removes.
pub fn has_marks(text: &str) -> bool {
    !text.is_ascii()
        && text
            .nfd()
            .any(|c| is_combining_mark(c) || c == 'đ' || c == 'Đ')
}

/// True when the text has letters only Vietnamese uses among pasar's languages
/// (ă â đ ê ô ơ ư and the tone marks on vowels).
pub fn has_vietnamese_marks(text: &str) -> bool {
    text.chars().any(is_vietnamese_letter)
}

fn is_vietnamese_letter(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    if matches!(c, 'đ' | 'Đ') {
        return true;
    }
    let mut base = None;
    let mut marks = 0;
    for d in std::iter::once(c).nfd() {
        if is_combining_mark(d) {
            marks += 1;
        } else {
            base = Some(d);
        }
    }
    marks > 0 && base.is_some_and(|b| "aeiouyAEIOUY".contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Giày Nike dưới 1 triệu"), "giay nike duoi 1 trieu");
        assert_eq!(fold("đồng hồ"), "dong ho");
        assert_eq!(fold("ƯỚC"), "uoc");
        assert_eq!(fold("sepatu"), "sepatu");
    }

    #[test]
    fn tells_marks() {
        assert!(has_marks("giày"));
        assert!(!has_marks("giay"));
        assert!(has_vietnamese_marks("đen"));
        assert!(has_vietnamese_marks("rưỡi"));
        assert!(!has_vietnamese_marks("café") || has_vietnamese_marks("é"));
    }
}

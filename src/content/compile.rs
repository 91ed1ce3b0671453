//! Phase two of loading: validate the raw files and build the runtime types of every
//! stage (normalizer, extractor, classifier, policy, templates). Problems are
//! collected, not thrown, so one `pasar check` run lists them all.

use super::error::{ContentError, Problems};
use super::raw::*;
use super::source::{read_yaml, SourceFile};
use super::templates::{self, Situation, Template, Templates, COMMON_VARIABLES};
use super::words::LexiconWords;
use super::{Content, Example, IntentInfo, StoreSettings};
use crate::canon;
use crate::classify::{self, Classifier, Keyword, LangModel, Pattern, PreparedExample};
use crate::decide::{EscalationPolicy, Thresholds};
use crate::dialogue::rules::DialogueRules;
use crate::extract::gazetteer::{haystack_of, Gazetteer, PhraseSpec, Tag};
use crate::extract::{language_currency, Extractor, LangExtractor};
use crate::intent::{canonical_names, Intent};
use crate::lang::{Currency, Lang};
use crate::llm::rules::LlmRules;
use crate::normalize::detect::LanguageVotes;
use crate::normalize::numbers::{NumberLexicon, NumberLists};
use crate::normalize::{fold, LangWords, Normalizer, SlangEntry};
use crate::render::Renderer;
use crate::shop::rules::CommerceRules;
use crate::trace::Origin;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The lexicon files of one language.
#[derive(Default)]
struct LangLexicon {
    slang: Option<SourceFile<RawSlang>>,
    colors: Option<SourceFile<RawCanonical>>,
    categories: Option<SourceFile<RawCanonical>>,
    genders: Option<SourceFile<RawCanonical>>,
    synonyms: Option<SourceFile<RawCanonical>>,
    sizes: Option<SourceFile<RawCanonical>>,
    stopwords: Option<SourceFile<RawWordList>>,
    numbers: Option<SourceFile<RawNumbers>>,
    commerce: Option<SourceFile<RawCommerce>>,
}

const LEXICON_FILES: &str =
    "slang.yaml, colors.yaml, categories.yaml, genders.yaml, synonyms.yaml, sizes.yaml, stopwords.yaml, numbers.yaml, commerce.yaml";

fn shown(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) => path
            .strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf()),
        Err(_) => path.to_path_buf(),
    }
}

fn yaml_files(dir: &Path, problems: &mut Problems) -> Vec<PathBuf> {
    let mut out = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_file()
                    && matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml"))
                {
                    out.push(shown(&p));
                }
            }
        }
        Err(e) => problems.push(ContentError::new(
            &shown(dir),
            (1, 1),
            format!("cannot read the folder: {e}"),
            "a content folder with intents/, lexicons/, rules/ and templates/",
            "pass --content DIR pointing at the folder that holds them",
        )),
    }
    out.sort();
    out
}

fn file_arc<T>(f: &SourceFile<T>) -> Arc<str> {
    Arc::from(f.path.display().to_string())
}

fn origin_at<T>(f: &SourceFile<T>, file: &Arc<str>, node: &str) -> Origin {
    Origin::new(file, f.positions.at(node).0)
}

fn load_lexicons(
    root: &Path,
    problems: &mut Problems,
) -> (Vec<LangLexicon>, Option<SourceFile<RawCanonical>>) {
    let mut langs: Vec<LangLexicon> = Lang::ALL.iter().map(|_| LangLexicon::default()).collect();
    for lang in Lang::ALL {
        let dir = root.join("lexicons").join(lang.code());
        let lex = &mut langs[lang.index()];
        for path in yaml_files(&dir, problems) {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_string();
            match name.as_str() {
                "slang" => {
                    lex.slang = read_yaml(
                        &path,
                        "entries: a mapping of slang word to formal words",
                        problems,
                    )
                }
                "colors" => {
                    lex.colors = read_yaml(
                        &path,
                        "entries: a mapping of colour to surface forms",
                        problems,
                    )
                }
                "categories" => {
                    lex.categories = read_yaml(
                        &path,
                        "entries: a mapping of category slug to surface forms",
                        problems,
                    )
                }
                "genders" => {
                    lex.genders = read_yaml(
                        &path,
                        "entries: a mapping of gender to surface forms",
                        problems,
                    )
                }
                "synonyms" => {
                    lex.synonyms = read_yaml(
                        &path,
                        "entries: a mapping of word to words meaning the same",
                        problems,
                    )
                }
                "sizes" => {
                    lex.sizes = read_yaml(
                        &path,
                        "entries (size to surface forms) and cues (a list)",
                        problems,
                    )
                }
                "stopwords" => {
                    lex.stopwords = read_yaml(&path, "entries: a list of words", problems)
                }
                "numbers" => {
                    lex.numbers = read_yaml(
                        &path,
                        "the keys of lexicons/README.md for numbers.yaml",
                        problems,
                    )
                }
                "commerce" => {
                    lex.commerce = read_yaml(
                        &path,
                        "the keys of lexicons/README.md for commerce.yaml",
                        problems,
                    )
                }
                other => problems.push(ContentError::new(
                    &path,
                    (1, 1),
                    format!("unknown lexicon file {other:?}"),
                    format!("one of {LEXICON_FILES}"),
                    "rename the file or move its entries into one of the known files",
                )),
            }
        }
        for (present, file) in [
            (lex.numbers.is_some(), "numbers.yaml"),
            (lex.commerce.is_some(), "commerce.yaml"),
        ] {
            let path = shown(&dir.join(file));
            if !present && !path.exists() {
                problems.push(ContentError::new(
                    &path,
                    (1, 1),
                    format!("the {lang} lexicons have no {file}"),
                    format!("lexicons/{}/{file}", lang.code()),
                    "copy the file from another language and translate its words",
                ));
            }
        }
    }
    let brands_path = shown(&root.join("lexicons/common/brands.yaml"));
    let brands = if brands_path.exists() {
        read_yaml(
            &brands_path,
            "entries: a mapping of brand to how people write it",
            problems,
        )
    } else {
        None
    };
    (langs, brands)
}

/// Checks a canonical-value file: keys from `allowed`, no surface form under two keys.
fn check_canonical(
    f: &SourceFile<RawCanonical>,
    allowed: Option<&[&str]>,
    what: &str,
    problems: &mut Problems,
) {
    if !f.value.cues.is_empty() && what != "colour" && what != "size" {
        problems.push(f.key_error(
            "cues",
            format!("cues in a {what} file"),
            "cues only in colors.yaml (and sizes.yaml)",
            "move the words to the stopwords or remove the key",
        ));
    }
    let mut seen: FxHashMap<String, String> = FxHashMap::default();
    for (key, forms) in &f.value.entries {
        if let Some(allowed) = allowed {
            if !allowed.contains(&key.as_str()) {
                problems.push(f.key_error(
                    &format!("entries.{key}"),
                    format!("{key:?} is not a canonical {what}"),
                    format!("one of {}", allowed.join(", ")),
                    "CONTRACT.md section 3 lists the canonical values; map the word to one of them",
                ));
            }
        }
        for (i, form) in forms.iter().enumerate() {
            let k = fold::fold(form.trim());
            if k.is_empty() {
                problems.push(f.error(
                    &format!("entries.{key}.{i}"),
                    "an empty surface form",
                    "a word or phrase",
                    "remove the empty entry",
                ));
                continue;
            }
            if let Some(other) = seen.get(&k) {
                if other != key {
                    problems.push(f.error(
                        &format!("entries.{key}.{i}"),
                        format!("{form:?} maps to both {other:?} and {key:?}"),
                        format!("each surface form under one {what}"),
                        "keep the form under the value customers mean most often",
                    ));
                }
            } else {
                seen.insert(k, key.clone());
            }
        }
    }
}

fn check_lexicons(
    langs: &[LangLexicon],
    brands: &Option<SourceFile<RawCanonical>>,
    problems: &mut Problems,
) {
    for lex in langs {
        if let Some(f) = &lex.colors {
            check_canonical(f, Some(canon::COLORS), "colour", problems);
        }
        if let Some(f) = &lex.categories {
            check_canonical(f, Some(canon::CATEGORIES), "category slug", problems);
        }
        if let Some(f) = &lex.genders {
            check_canonical(f, Some(canon::GENDERS), "gender", problems);
        }
        if let Some(f) = &lex.synonyms {
            check_canonical(f, None, "synonym group", problems);
        }
        if let Some(f) = &lex.sizes {
            check_canonical(f, Some(canon::SIZES), "size", problems);
        }
        if let Some(f) = &lex.slang {
            for (key, value) in &f.value.entries {
                let node = format!("entries.{key}");
                if key.trim().is_empty() || key.split_whitespace().count() != 1 {
                    problems.push(f.key_error(
                        &node,
                        format!("the slang key {key:?} is not one word"),
                        "a single word",
                        "put multi-word phrases in the intent keywords instead",
                    ));
                }
                if value.trim().is_empty() {
                    problems.push(f.error(
                        &node,
                        format!("{key:?} expands to nothing"),
                        "the formal word(s)",
                        "write what the abbreviation stands for",
                    ));
                } else if fold::fold(key.trim()) == fold::fold(value.trim()) {
                    problems.push(f.error(
                        &node,
                        format!("{key:?} expands into itself"),
                        "a different formal word",
                        "remove the entry: folding already matches words typed without marks",
                    ));
                }
            }
        }
        if let Some(f) = &lex.numbers {
            let n = &f.value;
            for (i, w) in n.inner_only.iter().enumerate() {
                if !n.words.contains_key(w) {
                    problems.push(f.error(
                        &format!("inner_only.{i}"),
                        format!("{w:?} is not an entry of `words`"),
                        "a word listed under words",
                        "add the word to `words` with its value, or remove it here",
                    ));
                }
            }
            for (key, list) in [
                ("words", &n.words),
                ("multipliers", &n.multipliers),
                ("money_units", &n.money_units),
            ] {
                for (w, v) in list {
                    if !v.is_finite() || *v < 0.0 {
                        problems.push(f.error(
                            &format!("{key}.{w}"),
                            format!("{w:?} has the value {v}"),
                            "a number of zero or more",
                            "write the plain value, e.g. 1000",
                        ));
                    }
                }
            }
            for c in n.currencies.keys() {
                if c.parse::<Currency>().is_err() {
                    problems.push(f.key_error(
                        &format!("currencies.{c}"),
                        format!("unknown currency {c:?}"),
                        "IDR, VND or USD",
                        "use the ISO code",
                    ));
                }
            }
        }
        if let Some(f) = &lex.commerce {
            for key in f.value.sort.keys() {
                if !canon::SORTS.contains(&key.as_str()) {
                    problems.push(f.key_error(
                        &format!("sort.{key}"),
                        format!("unknown sort order {key:?}"),
                        format!("one of {}", canon::SORTS.join(", ")),
                        "CONTRACT.md section 3 lists the sort orders",
                    ));
                }
            }
            for (w, v) in &f.value.ordinals {
                if *v == 0 || v.abs() > 50 {
                    problems.push(f.error(
                        &format!("ordinals.{w}"),
                        format!("{w:?} has the ordinal {v}"),
                        "1..50, or -1 for the last one",
                        "ordinals count from 1",
                    ));
                }
            }
        }
    }
    if let Some(f) = brands {
        check_canonical(f, None, "brand", problems);
        for key in f.value.entries.keys() {
            if key.to_lowercase() != *key {
                problems.push(f.key_error(
                    &format!("entries.{key}"),
                    format!("the brand {key:?} is not lower case"),
                    "the brand in lower case, as in the catalog",
                    "write the key in lower case",
                ));
            }
        }
    }
}

/// Splits text into folded words the way the vocabulary needs them.
fn words_of(text: &str) -> impl Iterator<Item = (String, String)> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_lowercase();
            (fold::fold(&lower), lower)
        })
}

struct Rules {
    policy: EscalationPolicy,
    store: StoreSettings,
    min_examples: [usize; 3],
    dialogue: DialogueRules,
    commerce: CommerceRules,
    llm: LlmRules,
}

/// A section already seen in another file of `rules/` is reported here.
fn second_section<T>(f: &SourceFile<T>, section: &str, seen: bool, problems: &mut Problems) {
    if seen {
        problems.push(f.key_error(
            section,
            format!("a second {section} section"),
            format!("one {section} section across rules/"),
            "merge the two sections",
        ));
    }
}

fn load_rules(root: &Path, problems: &mut Problems) -> Rules {
    let mut seen_escalation = false;
    let mut rules = Rules {
        policy: EscalationPolicy {
            default: Thresholds {
                min_confidence: 0.5,
                min_margin: 0.05,
            },
            min_score: 0.15,
            escalate_out_of_scope: true,
            out_of_scope_runner_up: 1.0,
            per_intent: vec![
                Thresholds {
                    min_confidence: 0.5,
                    min_margin: 0.05
                };
                Intent::ALL.len()
            ],
        },
        store: StoreSettings {
            name: "pasar".into(),
            default_currency: Currency::Idr,
        },
        min_examples: [1, 1, 1],
        dialogue: DialogueRules::default(),
        commerce: CommerceRules::default(),
        llm: LlmRules::default(),
    };
    let mut seen_dialogue = false;
    let mut seen_commerce = false;
    let mut seen_llm = false;
    let files = yaml_files(&root.join("rules"), problems);
    let mut seen_store = false;
    let mut seen_content = false;
    for path in files {
        let Some(f) = read_yaml::<RawRulesFile>(
            &path,
            "any of the sections escalation, store, content, dialogue, commerce, llm",
            problems,
        ) else {
            continue;
        };
        if let Some(e) = &f.value.escalation {
            second_section(&f, "escalation", seen_escalation, problems);
            let in_range = |node: &str, v: f64, problems: &mut Problems| {
                if !(0.0..=1.0).contains(&v) {
                    problems.push(f.error(
                        node,
                        format!("the threshold {v} is out of range"),
                        "a number from 0 to 1",
                        "scores and margins are between 0 and 1",
                    ));
                }
            };
            in_range("escalation.min_confidence", e.min_confidence, problems);
            in_range("escalation.min_margin", e.min_margin, problems);
            in_range("escalation.min_score", e.min_score, problems);
            in_range(
                "escalation.out_of_scope_runner_up",
                e.out_of_scope_runner_up,
                problems,
            );
            rules.policy.out_of_scope_runner_up = e.out_of_scope_runner_up as f32;
            let default = Thresholds {
                min_confidence: e.min_confidence as f32,
                min_margin: e.min_margin as f32,
            };
            rules.policy.default = default;
            rules.policy.min_score = e.min_score as f32;
            rules.policy.escalate_out_of_scope = e.escalate_out_of_scope;
            rules.policy.per_intent = vec![default; Intent::ALL.len()];
            for (name, t) in &e.intents {
                let node = format!("escalation.intents.{name}");
                match name.parse::<Intent>() {
                    Ok(intent) => {
                        let mut th = default;
                        if let Some(v) = t.min_confidence {
                            in_range(&format!("{node}.min_confidence"), v, problems);
                            th.min_confidence = v as f32;
                        }
                        if let Some(v) = t.min_margin {
                            in_range(&format!("{node}.min_margin"), v, problems);
                            th.min_margin = v as f32;
                        }
                        rules.policy.per_intent[intent.index()] = th;
                    }
                    Err(_) => problems.push(f.key_error(
                        &node,
                        format!("unknown intent {name:?}"),
                        format!("one of {}", canonical_names()),
                        "intents are named in CONTRACT.md section 2",
                    )),
                }
            }
        }
        if let Some(s) = &f.value.store {
            second_section(&f, "store", seen_store, problems);
            seen_store = true;
            match s.default_currency.parse::<Currency>() {
                Ok(c) => {
                    rules.store = StoreSettings {
                        name: s.name.clone(),
                        default_currency: c,
                    }
                }
                Err(_) => problems.push(f.error(
                    "store.default_currency",
                    format!("unknown currency {:?}", s.default_currency),
                    "IDR, VND or USD",
                    "use the ISO code",
                )),
            }
        }
        if let Some(c) = &f.value.content {
            second_section(&f, "content", seen_content, problems);
            seen_content = true;
            rules.min_examples = [c.min_examples.id, c.min_examples.vi, c.min_examples.en];
        }
        if let Some(d) = &f.value.dialogue {
            second_section(&f, "dialogue", seen_dialogue, problems);
            seen_dialogue = true;
            rules.dialogue = crate::dialogue::rules::compile(&f, d, problems);
        }
        if let Some(c) = &f.value.commerce {
            second_section(&f, "commerce", seen_commerce, problems);
            seen_commerce = true;
            rules.commerce = crate::shop::rules::compile(&f, c, problems);
        }
        if let Some(l) = &f.value.llm {
            second_section(&f, "llm", seen_llm, problems);
            seen_llm = true;
            rules.llm = crate::llm::rules::compile(&f, l, problems);
        }
        seen_escalation |= f.value.escalation.is_some();
    }
    if !seen_dialogue {
        problems.push(crate::dialogue::rules::missing(&shown(
            &root.join("rules/dialogue.yaml"),
        )));
    }
    if !seen_commerce {
        problems.push(ContentError::new(
            &shown(&root.join("rules/commerce.yaml")),
            (1, 1),
            "no commerce rules in rules/",
            "a `commerce:` section (see rules/commerce.yaml)",
            "stock holds, shipping, cancellation, payment methods and vouchers are content",
        ));
    }
    if !seen_llm {
        problems.push(ContentError::new(
            &shown(&root.join("rules/llm.yaml")),
            (1, 1),
            "no llm rules in rules/",
            "an `llm:` section with system_prompt, recent_turns, max_tool_rounds, budget, cache_minutes and max_reply_chars",
            "what escalated turns tell the LLM, and what they may spend, is content",
        ));
    }
    if !seen_escalation {
        problems.push(ContentError::new(
            &shown(&root.join("rules/escalation.yaml")),
            (1, 1),
            "no escalation thresholds in rules/",
            "an `escalation:` section with min_confidence, min_margin and min_score",
            "the thresholds live in content so they can be tuned without a release",
        ));
    }
    rules
}

/// Everything loaded from disk, before the stages are built.
struct Loaded {
    lexicons: Vec<LangLexicon>,
    brands: Option<SourceFile<RawCanonical>>,
    intents: Vec<SourceFile<RawIntent>>,
    rules: Rules,
    templates: Vec<(Lang, SourceFile<RawTemplateFile>)>,
}

fn load_intents(root: &Path, problems: &mut Problems) -> Vec<SourceFile<RawIntent>> {
    let dir = root.join("intents");
    let mut out: Vec<SourceFile<RawIntent>> = Vec::new();
    for path in yaml_files(&dir, problems) {
        let Some(f) = read_yaml::<RawIntent>(
            &path,
            "intent, description, examples (id, vi, en), keywords, patterns, slots",
            problems,
        ) else {
            continue;
        };
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        match f.value.intent.parse::<Intent>() {
            Err(_) => problems.push(f.error(
                "intent",
                format!("unknown intent {:?}", f.value.intent),
                format!("one of {}", canonical_names()),
                "intents are named in CONTRACT.md section 2",
            )),
            Ok(intent) => {
                if stem != intent.name() {
                    problems.push(f.error(
                        "intent",
                        format!("the file {stem}.yaml holds the intent {:?}", f.value.intent),
                        format!("the file name {}.yaml", intent.name()),
                        "name the file after the intent",
                    ));
                }
                if out.iter().any(|o| o.value.intent == f.value.intent) {
                    problems.push(f.error(
                        "intent",
                        format!("the intent {:?} is defined twice", f.value.intent),
                        "one file per intent",
                        "merge the two files",
                    ));
                }
            }
        }
        out.push(f);
    }
    let stems: Vec<String> = yaml_files(&dir, &mut Problems::default())
        .iter()
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .collect();
    for intent in Intent::ALL {
        // a file that exists but does not parse has already been reported
        if !out.iter().any(|f| f.value.intent == intent.name())
            && !stems.iter().any(|s| s == intent.name())
        {
            problems.push(ContentError::new(
                &shown(&dir.join(format!("{}.yaml", intent.name()))),
                (1, 1),
                format!("no file for the intent {intent}"),
                "a file for every intent of CONTRACT.md section 2",
                format!(
                    "create intents/{}.yaml with examples in id, vi and en",
                    intent.name()
                ),
            ));
        }
    }
    out
}

fn load_templates(
    root: &Path,
    problems: &mut Problems,
) -> Vec<(Lang, SourceFile<RawTemplateFile>)> {
    let mut out = Vec::new();
    for lang in Lang::ALL {
        for path in yaml_files(&root.join("templates").join(lang.code()), problems) {
            if let Some(f) = read_yaml::<RawTemplateFile>(
                &path,
                "templates: a list of {id, intent, situation, variants, quick_replies}",
                problems,
            ) {
                out.push((lang, f));
            }
        }
    }
    out
}

/// Loads and compiles everything under `root`.
pub fn load(root: &Path) -> Result<Content, super::ContentErrors> {
    let mut problems = Problems::default();
    let (lexicons, brands) = load_lexicons(root, &mut problems);
    check_lexicons(&lexicons, &brands, &mut problems);
    let rules = load_rules(root, &mut problems);
    let intents = load_intents(root, &mut problems);
    let templates = load_templates(root, &mut problems);
    let loaded = Loaded {
        lexicons,
        brands,
        intents,
        rules,
        templates,
    };
    let content = build(root, loaded, &mut problems);
    problems.into_result(content)
}

fn number_lists(f: &SourceFile<RawNumbers>) -> NumberLists {
    let n = &f.value;
    let pairs =
        |m: &BTreeMap<String, f64>| m.iter().map(|(k, v)| (k.clone(), *v)).collect::<Vec<_>>();
    NumberLists {
        words: pairs(&n.words),
        multipliers: pairs(&n.multipliers),
        teen: n.teen.clone(),
        half: n.half.clone(),
        inner_only: n.inner_only.clone(),
        negative: n.negative.clone(),
        money_units: pairs(&n.money_units),
        approx_suffixes: n.approx_suffixes.clone(),
        currencies: n
            .currencies
            .iter()
            .filter_map(|(c, ws)| c.parse::<Currency>().ok().map(|c| (c, ws)))
            .flat_map(|(c, ws)| ws.iter().map(move |w| (w.clone(), c)))
            .collect(),
    }
}

/// Every surface phrase of a language's lexicons, with its tag and origin.
fn lexicon_phrases(lex: &LangLexicon, out: &mut Vec<(Tag, Origin, String)>) {
    fn canonical(
        f: &Option<SourceFile<RawCanonical>>,
        make: fn(&str) -> Tag,
        cue: Option<Tag>,
        out: &mut Vec<(Tag, Origin, String)>,
    ) {
        let Some(f) = f else { return };
        let file = file_arc(f);
        for (key, forms) in &f.value.entries {
            for (i, form) in forms.iter().enumerate() {
                out.push((
                    make(key),
                    origin_at(f, &file, &format!("entries.{key}.{i}")),
                    form.clone(),
                ));
            }
        }
        if let Some(cue) = cue {
            for (i, w) in f.value.cues.iter().enumerate() {
                out.push((
                    cue.clone(),
                    origin_at(f, &file, &format!("cues.{i}")),
                    w.clone(),
                ));
            }
        }
    }
    canonical(
        &lex.colors,
        |k| Tag::Color(k.into()),
        Some(Tag::ColorCue),
        out,
    );
    canonical(&lex.sizes, |k| Tag::Size(k.into()), Some(Tag::SizeCue), out);
    canonical(&lex.categories, |k| Tag::Category(k.into()), None, out);
    canonical(&lex.genders, |k| Tag::Gender(k.into()), None, out);
    if let Some(f) = &lex.stopwords {
        let file = file_arc(f);
        for (i, w) in f.value.entries.iter().enumerate() {
            out.push((
                Tag::Stopword,
                origin_at(f, &file, &format!("entries.{i}")),
                w.clone(),
            ));
        }
    }
    if let Some(f) = &lex.commerce {
        let file = file_arc(f);
        let c = &f.value;
        let lists: [(&str, &Vec<String>, Tag); 17] = [
            ("price_under", &c.price_under, Tag::PriceUnder),
            (
                "price_under_after",
                &c.price_under_after,
                Tag::PriceUnderAfter,
            ),
            ("price_above", &c.price_above, Tag::PriceAbove),
            (
                "price_above_after",
                &c.price_above_after,
                Tag::PriceAboveAfter,
            ),
            ("price_around", &c.price_around, Tag::PriceAround),
            ("range_start", &c.range_start, Tag::RangeStart),
            ("range_joiners", &c.range_joiners, Tag::RangeJoiner),
            ("price_cues", &c.price_cues, Tag::PriceCue),
            ("ordinal_prefixes", &c.ordinal_prefixes, Tag::OrdinalPrefix),
            ("exclusions", &c.exclusions, Tag::Exclusion),
            ("quantity_units", &c.quantity_units, Tag::QuantityUnit),
            ("quantity_cues", &c.quantity_cues, Tag::QuantityCue),
            ("order_cues", &c.order_cues, Tag::OrderCue),
            ("voucher_cues", &c.voucher_cues, Tag::VoucherCue),
            ("non_money_units", &c.non_money_units, Tag::NonMoneyUnit),
            ("time_cues", &c.time_cues, Tag::TimeCue),
            ("list_joiners", &c.list_joiners, Tag::ListJoiner),
        ];
        for (key, list, tag) in lists {
            for (i, w) in list.iter().enumerate() {
                out.push((
                    tag.clone(),
                    origin_at(f, &file, &format!("{key}.{i}")),
                    w.clone(),
                ));
            }
        }
        for (sort, forms) in &c.sort {
            for (i, w) in forms.iter().enumerate() {
                out.push((
                    Tag::Sort(sort.clone()),
                    origin_at(f, &file, &format!("sort.{sort}.{i}")),
                    w.clone(),
                ));
            }
        }
        for (w, n) in &c.ordinals {
            out.push((
                Tag::Ordinal(*n),
                origin_at(f, &file, &format!("ordinals.{w}")),
                w.clone(),
            ));
        }
    }
}

fn build(root: &Path, loaded: Loaded, problems: &mut Problems) -> Content {
    let Loaded {
        lexicons,
        brands,
        intents,
        rules,
        templates,
    } = loaded;

    // Vocabulary and language votes: every word the content of a language uses.
    let mut vocab: Vec<FxHashSet<String>> = vec![FxHashSet::default(); 3];
    // folded word -> how often each marked spelling of it occurs in the examples
    let mut marked_forms: Vec<FxHashMap<String, FxHashMap<String, u32>>> =
        vec![FxHashMap::default(); 3];
    let mut votes: FxHashMap<String, [u32; 3]> = FxHashMap::default();
    let mut add_text = |lang: Lang, text: &str, vote: bool| {
        for (key, lower) in words_of(text) {
            if vote {
                votes.entry(key.clone()).or_default()[lang.index()] += 1;
            }
            if vote {
                *marked_forms[lang.index()]
                    .entry(key.clone())
                    .or_default()
                    .entry(lower)
                    .or_default() += 1;
            }
            vocab[lang.index()].insert(key);
        }
    };
    for f in &intents {
        for lang in Lang::ALL {
            for ex in f
                .value
                .examples
                .get(lang)
                .iter()
                .chain(f.value.keywords.get(lang).iter())
            {
                add_text(lang, ex, true);
            }
        }
    }
    let mut phrases: Vec<Vec<(Tag, Origin, String)>> = vec![Vec::new(); 3];
    for lang in Lang::ALL {
        let lex = &lexicons[lang.index()];
        lexicon_phrases(lex, &mut phrases[lang.index()]);
        for (_, _, p) in &phrases[lang.index()] {
            add_text(lang, p, true);
        }
        if let Some(f) = &lex.slang {
            for (k, v) in &f.value.entries {
                add_text(lang, k, true);
                add_text(lang, v, false);
            }
        }
        if let Some(f) = &lex.numbers {
            for w in f
                .value
                .words
                .keys()
                .chain(f.value.multipliers.keys())
                .chain(f.value.money_units.keys())
            {
                add_text(lang, w, true);
            }
        }
    }

    // Money shorthand is read in every language ("1,5jt" in a message detected as
    // Vietnamese is still juta): each language gets the others' units and currencies
    // after its own.
    let mut shared_units: Vec<(String, f64)> = Vec::new();
    let mut shared_currencies: Vec<(String, Currency)> = Vec::new();
    for lex in &lexicons {
        if let Some(f) = &lex.numbers {
            let lists = number_lists(f);
            shared_units.extend(lists.money_units);
            shared_currencies.extend(lists.currencies);
        }
    }
    // The normalizer.
    let mut normalizer = Normalizer {
        votes: LanguageVotes::new(votes),
        ..Default::default()
    };
    for lang in Lang::ALL {
        let lex = &lexicons[lang.index()];
        let mut words = LangWords {
            numbers: lex
                .numbers
                .as_ref()
                .map(|f| {
                    let mut lists = number_lists(f);
                    for (w, v) in &shared_units {
                        if !lists.money_units.iter().any(|(o, _)| o == w) {
                            lists.money_units.push((w.clone(), *v));
                        }
                    }
                    for (w, c) in &shared_currencies {
                        // another language's currency word that is an everyday word
                        // here stays a word ("dong" is an Indonesian particle)
                        let everyday = vocab[lang.index()].contains(&fold::fold(w));
                        if !everyday && !lists.currencies.iter().any(|(o, _)| o == w) {
                            lists.currencies.push((w.clone(), *c));
                        }
                    }
                    NumberLexicon::new(&lists)
                })
                .unwrap_or_default(),
            vocabulary: vocab[lang.index()].clone(),
            ..Default::default()
        };
        if let Some(f) = &lex.slang {
            let file = file_arc(f);
            for (k, v) in &f.value.entries {
                let expansion = words_of(v)
                    .map(|(key, lower)| (lower.into(), key.into()))
                    .collect::<Vec<(compact_str::CompactString, compact_str::CompactString)>>();
                if expansion.is_empty() {
                    continue;
                }
                words.slang.insert(
                    fold::fold(k.trim()),
                    SlangEntry {
                        expansion,
                        origin: origin_at(f, &file, &format!("entries.{k}")),
                    },
                );
            }
        }
        if let Some(f) = &lex.commerce {
            for u in &f.value.quantity_units {
                words.quantity_units.insert(fold::fold(u));
            }
        }
        normalizer.langs[lang.index()] = words;
    }

    // The extractor: every phrase normalized the way messages are.
    let mut extractor_langs = Vec::new();
    let brand_phrases: Vec<(Tag, Origin, String)> = match &brands {
        Some(f) => {
            let file = file_arc(f);
            f.value
                .entries
                .iter()
                .flat_map(|(b, forms)| {
                    let file = file.clone();
                    forms.iter().enumerate().map(move |(i, form)| {
                        (
                            Tag::Brand(b.clone()),
                            origin_at(f, &file, &format!("entries.{b}.{i}")),
                            form.clone(),
                        )
                    })
                })
                .collect()
        }
        None => Vec::new(),
    };
    // Words of keywords of intents that take no search query ("keranjang", "pesanan")
    // are cues, not things to search for.
    let mut keyword_words: Vec<FxHashSet<String>> = vec![FxHashSet::default(); 3];
    for f in &intents {
        if f.value
            .intent
            .parse::<Intent>()
            .is_ok_and(Intent::takes_query)
        {
            continue;
        }
        for lang in Lang::ALL {
            for k in f.value.keywords.get(lang) {
                for (key, _) in words_of(k) {
                    keyword_words[lang.index()].insert(key);
                }
            }
        }
    }
    for lang in Lang::ALL {
        let mut specs = Vec::new();
        let mut sources: Vec<&(Tag, Origin, String)> = phrases[lang.index()].iter().collect();
        if lang != Lang::En {
            sources.extend(phrases[Lang::En.index()].iter());
        }
        sources.extend(brand_phrases.iter());
        let mut query_ignore: FxHashSet<String> = keyword_words[lang.index()].clone();
        // Spellings of the same value ("giày", "giầy") are not ambiguous with each other.
        let mut forms_of_tag: FxHashMap<&Tag, FxHashSet<String>> = FxHashMap::default();
        for (tag, _, phrase) in &sources {
            forms_of_tag
                .entry(tag)
                .or_default()
                .extend(words_of(phrase).map(|(_, lower)| lower));
        }
        for (tag, origin, phrase) in sources {
            let msg = normalizer.normalize(phrase, Some(lang), None);
            if msg.tokens.is_empty() {
                continue;
            }
            if *tag == Tag::Stopword {
                for t in &msg.tokens {
                    query_ignore.insert(t.key.to_string());
                }
            }
            let constraint = matches!(
                tag,
                Tag::Color(_) | Tag::Category(_) | Tag::Gender(_) | Tag::Size(_) | Tag::Brand(_)
            );
            // Ambiguous when typed without marks: another word with the same letters
            // ("tìm" for "tím") is at least half as common in the examples.
            let own = forms_of_tag.get(tag);
            let needs_marks = constraint
                && msg.tokens.len() == 1
                && msg.tokens.iter().any(|t| {
                    let Some(forms) = marked_forms[lang.index()].get(t.key.as_str()) else {
                        return false;
                    };
                    let mine: u32 = forms
                        .iter()
                        .filter(|(f, _)| own.is_some_and(|o| o.contains(*f)))
                        .map(|(_, n)| *n)
                        .sum();
                    let other: u32 = forms
                        .iter()
                        .filter(|(f, _)| !own.is_some_and(|o| o.contains(*f)))
                        .map(|(_, n)| *n)
                        .sum();
                    t.marked && other >= 2 && other * 2 >= mine
                });
            specs.push(PhraseSpec {
                tag: tag.clone(),
                origin: origin.clone(),
                tokens: msg.tokens,
                phrase: phrase.clone(),
                needs_marks,
            });
        }
        let category_heads = specs
            .iter()
            .filter(|s| matches!(s.tag, Tag::Category(_)))
            .filter_map(|s| s.tokens.first().map(|t| t.key.to_string()))
            .collect();
        let category_words = specs
            .iter()
            .filter(|s| matches!(s.tag, Tag::Category(_)) && s.tokens.len() == 1)
            .map(|s| s.tokens[0].key.to_string())
            .collect();
        let category_names = lexicons[lang.index()]
            .categories
            .iter()
            .flat_map(|f| f.value.entries.iter())
            .filter_map(|(slug, forms)| forms.first().map(|name| (slug, name)))
            .map(|(slug, name)| {
                let words = normalizer
                    .normalize(name, Some(lang), None)
                    .tokens
                    .iter()
                    .map(|t| t.key.to_string())
                    .collect();
                (slug.clone(), words)
            })
            .collect();
        extractor_langs.push(LangExtractor {
            category_names,
            category_heads,
            category_words,
            gazetteer: Gazetteer::new(specs),
            query_ignore,
            default_currency: language_currency(lang, rules.store.default_currency),
            vocabulary: vocab[lang.index()].clone(),
        });
    }
    let extractor = Extractor {
        langs: extractor_langs,
    };

    // Examples, keywords and patterns.
    let mut examples: Vec<Example> = Vec::new();
    let mut seen: FxHashMap<(Lang, String), (Intent, Origin)> = FxHashMap::default();
    let mut raw_seen: FxHashMap<(Lang, String), ()> = FxHashMap::default();
    let mut keyword_sources: Vec<Vec<(Keyword, String)>> = vec![Vec::new(); 3];
    let mut pattern_sources: Vec<Vec<Pattern>> = vec![Vec::new(); 3];
    let mut infos = Vec::new();
    let mut scratch_features = Vec::new();
    for f in &intents {
        let Ok(intent) = f.value.intent.parse::<Intent>() else {
            continue;
        };
        let file = file_arc(f);
        for (i, slot) in f.value.slots.iter().enumerate() {
            if !canon::CONSTRAINT_KEYS.contains(&slot.as_str()) {
                problems.push(f.error(
                    &format!("slots.{i}"),
                    format!("unknown constraint key {slot:?}"),
                    format!("one of {}", canon::CONSTRAINT_KEYS.join(", ")),
                    "slots name the constraint keys of CONTRACT.md section 3",
                ));
            }
        }
        infos.push(IntentInfo {
            intent,
            description: f.value.description.clone(),
            slots: f.value.slots.clone(),
        });
        for lang in Lang::ALL {
            let list = f.value.examples.get(lang);
            let min = rules.min_examples[lang.index()];
            if list.len() < min {
                problems.push(f.error(
                    &format!("examples.{}", lang.code()),
                    format!("{intent} has {} examples in {lang}", list.len()),
                    format!("at least {min} (rules: content.min_examples)"),
                    "write more of the ways customers really ask this, with slang and typos",
                ));
            }
            for (i, text) in list.iter().enumerate() {
                let node = format!("examples.{}.{i}", lang.code());
                let origin = origin_at(f, &file, &node);
                let msg = normalizer.normalize(text, Some(lang), None);
                if msg.is_blank() {
                    problems.push(f.error(
                        &node,
                        "an empty example",
                        "a customer message",
                        "remove the entry or write the message",
                    ));
                    continue;
                }
                let key = (lang, msg.folded_text());
                if let Some((other, o)) = seen.get(&key) {
                    // Spellings that normalize alike within one intent ("mksh",
                    // "makasih") are fine and indexed once; the same words twice, or
                    // under two intents, are mistakes.
                    let same_text = raw_seen.contains_key(&(lang, text.trim().to_lowercase()));
                    if *other != intent || same_text {
                        let what = if *other == intent {
                            format!("the example {text:?} appears twice in {intent} (also at {o})")
                        } else {
                            format!("the example {text:?} reads the same as an example of {other} ({o}) once normalized to {:?}", key.1)
                        };
                        problems.push(f.error(&node, what, "each example under one intent, once", "an example under two intents teaches nothing: keep it where it belongs"));
                    }
                    continue;
                }
                raw_seen.insert((lang, text.trim().to_lowercase()), ());
                seen.insert(key, (intent, origin.clone()));
                let ex = extractor.langs[lang.index()].extract(&msg, false);
                classify::features::features(&msg.tokens, &ex.classes, &mut scratch_features);
                let id = examples.len();
                examples.push(Example {
                    intent,
                    lang,
                    text: text.clone(),
                    origin,
                    prepared: PreparedExample {
                        intent,
                        lang,
                        example: id,
                        features: scratch_features.clone(),
                        haystack: ex.haystack.clone(),
                    },
                });
            }
            for (i, k) in f.value.keywords.get(lang).iter().enumerate() {
                let node = format!("keywords.{}.{i}", lang.code());
                let msg = normalizer.normalize(k, Some(lang), None);
                if msg.is_blank() {
                    problems.push(f.error(
                        &node,
                        "an empty keyword",
                        "a word or phrase",
                        "remove the entry",
                    ));
                    continue;
                }
                let hay = haystack_of(&msg.tokens);
                keyword_sources[lang.index()].push((
                    Keyword {
                        intent,
                        phrase: k.clone(),
                        origin: origin_at(f, &file, &node),
                    },
                    hay,
                ));
            }
            for (i, p) in f.value.patterns.get(lang).iter().enumerate() {
                let node = format!("patterns.{}.{i}", lang.code());
                match regex::bytes::RegexBuilder::new(p).unicode(false).build() {
                    Ok(_) => pattern_sources[lang.index()].push(Pattern { intent, source: p.clone(), origin: origin_at(f, &file, &node) }),
                    Err(e) => problems.push(f.error(
                        &node,
                        format!("the pattern {p:?} does not compile: {}", e.to_string().lines().last().unwrap_or("")),
                        "a regular expression in Rust regex syntax",
                        "escape special characters with a backslash; write patterns against lower-case text without diacritics",
                    )),
                }
            }
        }
    }
    let mut classifier = Classifier::default();
    for lang in Lang::ALL {
        let prepared: Vec<&PreparedExample> = examples
            .iter()
            .filter(|e| e.lang == lang)
            .map(|e| &e.prepared)
            .collect();
        match LangModel::build(
            &prepared,
            keyword_sources[lang.index()].clone(),
            pattern_sources[lang.index()].clone(),
        ) {
            Ok(m) => classifier.langs.push(m),
            Err(e) => {
                problems.push(ContentError::new(
                    &shown(&root.join("intents")),
                    (1, 1),
                    format!("the {lang} patterns do not compile together: {e}"),
                    "patterns that compile",
                    "check the patterns reported above",
                ));
                classifier.langs.push(LangModel::default());
            }
        }
    }

    let templates = compile_templates(templates, problems, root);
    let renderer = Renderer::new(&templates);
    let words = lexicons
        .iter()
        .map(|lex| {
            let entries = |f: &Option<SourceFile<RawCanonical>>| {
                f.as_ref()
                    .map(|f| f.value.entries.clone())
                    .unwrap_or_default()
            };
            LexiconWords::new(
                entries(&lex.synonyms),
                entries(&lex.categories),
                entries(&lex.colors),
            )
        })
        .collect();
    Content {
        dialogue: rules.dialogue,
        commerce: rules.commerce,
        llm: rules.llm,
        words,
        renderer,
        root: root.to_path_buf(),
        normalizer,
        extractor,
        classifier,
        policy: rules.policy,
        store: rules.store,
        templates,
        intents: infos,
        examples,
        keyword_sources,
        pattern_sources,
    }
}

fn compile_templates(
    files: Vec<(Lang, SourceFile<RawTemplateFile>)>,
    problems: &mut Problems,
    root: &Path,
) -> Templates {
    let env = templates::environment();
    let mut by_lang: Vec<Vec<Template>> = vec![Vec::new(); 3];
    let mut first_file: [Option<PathBuf>; 3] = [None, None, None];
    for (lang, f) in &files {
        let file = file_arc(f);
        first_file[lang.index()].get_or_insert_with(|| f.path.clone());
        for (i, t) in f.value.templates.iter().enumerate() {
            let node = format!("templates.{i}");
            let intent = match t.intent.parse::<Intent>() {
                Ok(x) => x,
                Err(_) => {
                    problems.push(f.error(
                        &format!("{node}.intent"),
                        format!("unknown intent {:?}", t.intent),
                        format!("one of {}", canonical_names()),
                        "intents are named in CONTRACT.md section 2",
                    ));
                    continue;
                }
            };
            let Some(situation) = Situation::parse(&t.situation) else {
                problems.push(f.error(
                    &format!("{node}.situation"),
                    format!("unknown situation {:?}", t.situation),
                    format!("one of {}", Situation::names()),
                    "templates/README.md describes each situation",
                ));
                continue;
            };
            if by_lang[lang.index()].iter().any(|o| o.id == t.id) {
                problems.push(f.error(
                    &format!("{node}.id"),
                    format!("the template id {:?} is used twice in {lang}", t.id),
                    "ids unique per language",
                    "rename one of them",
                ));
            }
            if t.variants.is_empty() {
                problems.push(f.error(
                    &format!("{node}.variants"),
                    "a template with no variants",
                    "at least one variant",
                    "write the reply",
                ));
            }
            let allowed: Vec<&str> = COMMON_VARIABLES
                .iter()
                .chain(situation.variables())
                .copied()
                .collect();
            for (k, v) in t.variants.iter().enumerate() {
                let vnode = format!("{node}.variants.{k}");
                match env.template_from_str(v) {
                    Err(e) => problems.push(f.error(
                        &vnode,
                        format!(
                            "the template does not compile: {}",
                            e.detail().unwrap_or(&e.to_string())
                        ),
                        "minijinja syntax: {{ variable }}, {% if %}, {% for %}",
                        "close every {% if %} and {% for %}, and every {{ }}",
                    )),
                    Ok(tpl) => {
                        let mut unknown: Vec<String> = tpl
                            .undeclared_variables(false)
                            .into_iter()
                            .filter(|n| !allowed.contains(&n.as_str()))
                            .collect();
                        unknown.sort();
                        if !unknown.is_empty() {
                            problems.push(f.error(
                                &vnode,
                                format!("the variable{} {} {} not provided in the situation {}", if unknown.len() > 1 { "s" } else { "" }, unknown.join(", "), if unknown.len() > 1 { "are" } else { "is" }, t.situation),
                                format!("one of {}", allowed.join(", ")),
                                "check the spelling, or use the situation that provides it (templates/README.md)",
                            ));
                        } else if let Err(e) = tpl.render(templates::sample_context(*lang)) {
                            problems.push(f.error(
                                &vnode,
                                format!(
                                    "the template fails on sample data: {}",
                                    e.detail().unwrap_or(&e.to_string())
                                ),
                                "a template that renders",
                                "check filter names (money) and the attributes used",
                            ));
                        }
                    }
                }
            }
            by_lang[lang.index()].push(Template {
                id: t.id.clone(),
                intent,
                situation,
                variants: t.variants.clone(),
                quick_replies: t.quick_replies.clone(),
                origin: origin_at(f, &file, &node),
            });
        }
    }
    for lang in Lang::ALL {
        for intent in Intent::ALL {
            if !by_lang[lang.index()].iter().any(|t| t.intent == *intent) {
                let path = first_file[lang.index()]
                    .clone()
                    .unwrap_or_else(|| shown(&root.join("templates").join(lang.code())));
                problems.push(ContentError::new(
                    &path,
                    (1, 1),
                    format!("no {lang} template for the intent {intent}"),
                    "at least one template per intent and language",
                    format!(
                        "add a template with intent: {intent} under templates/{}/",
                        lang.code()
                    ),
                ));
            }
        }
    }
    Templates { by_lang }
}

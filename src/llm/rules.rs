//! The `llm:` section of `rules/` (`rules/llm.yaml`): the system prompt the LLM gets
//! in each language, how much of the conversation it sees, how many tool rounds it
//! may take, the token budgets, how long a validated answer is reused, and how long
//! an answer may be. Checked at load like the rest of the content: every language
//! has a prompt, a prompt uses only the blanks the code fills in, numbers are sane.

use crate::content::error::Problems;
use crate::content::raw::PerLang;
use crate::content::source::SourceFile;
use crate::lang::Lang;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLlm {
    pub system_prompt: PerLang<String>,
    pub recent_turns: usize,
    pub max_tool_rounds: usize,
    pub budget: RawBudget,
    pub cache_minutes: u64,
    pub max_reply_chars: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudget {
    pub tokens_per_session: u64,
    pub tokens_per_day: u64,
}

/// The blanks a system prompt may use; the code fills them in per turn.
pub const PROMPT_BLANKS: &[&str] = &["{shop}", "{currency}", "{today}"];

/// The compiled section.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmRules {
    system_prompt: [String; 3],
    pub recent_turns: usize,
    pub max_tool_rounds: usize,
    pub tokens_per_session: u64,
    pub tokens_per_day: u64,
    pub cache_minutes: u64,
    pub max_reply_chars: usize,
}

impl Default for LlmRules {
    fn default() -> LlmRules {
        LlmRules {
            system_prompt: Default::default(),
            recent_turns: 6,
            max_tool_rounds: 3,
            tokens_per_session: 12_000,
            tokens_per_day: 2_000_000,
            cache_minutes: 10,
            max_reply_chars: 700,
        }
    }
}

impl LlmRules {
    /// The system prompt in `lang` with its blanks filled in.
    pub fn system_prompt(&self, lang: Lang, shop: &str, currency: &str, today: &str) -> String {
        self.system_prompt[lang.index()]
            .replace("{shop}", shop)
            .replace("{currency}", currency)
            .replace("{today}", today)
    }
}

pub fn compile(f: &SourceFile<impl Sized>, raw: &RawLlm, problems: &mut Problems) -> LlmRules {
    let mut rules = LlmRules {
        system_prompt: Default::default(),
        recent_turns: raw.recent_turns,
        max_tool_rounds: raw.max_tool_rounds,
        tokens_per_session: raw.budget.tokens_per_session,
        tokens_per_day: raw.budget.tokens_per_day,
        cache_minutes: raw.cache_minutes,
        max_reply_chars: raw.max_reply_chars,
    };
    for lang in Lang::ALL {
        let node = format!("llm.system_prompt.{}", lang.code());
        let text = raw.system_prompt.get(lang).trim();
        if text.is_empty() {
            problems.push(f.key_error(
                "llm.system_prompt",
                format!("no system prompt in {}", lang.code()),
                "a prompt for id, vi and en",
                "an escalated turn in any language needs its instructions",
            ));
            continue;
        }
        for blank in blanks(text) {
            if !PROMPT_BLANKS.contains(&blank) {
                problems.push(f.error(
                    &node,
                    format!("unknown blank {blank}"),
                    format!("one of {}", PROMPT_BLANKS.join(", ")),
                    "only these are filled in; write other braces without them",
                ));
            }
        }
        rules.system_prompt[lang.index()] = text.to_string();
    }
    for (node, value, least) in [
        ("llm.max_tool_rounds", raw.max_tool_rounds as u64, 1),
        ("llm.max_reply_chars", raw.max_reply_chars as u64, 80),
        (
            "llm.budget.tokens_per_session",
            raw.budget.tokens_per_session,
            500,
        ),
        ("llm.budget.tokens_per_day", raw.budget.tokens_per_day, 500),
    ] {
        if value < least {
            problems.push(f.error(
                node,
                format!("{value} is too small"),
                format!("at least {least}"),
                "under it no escalated turn could ever be answered",
            ));
        }
    }
    if raw.budget.tokens_per_day < raw.budget.tokens_per_session {
        problems.push(f.error(
            "llm.budget.tokens_per_day",
            "the day's budget is smaller than one session's",
            format!("at least {}", raw.budget.tokens_per_session),
            "a day holds many sessions",
        ));
    }
    rules
}

/// `{word}` blanks in a prompt.
fn blanks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start..];
        match after.find('}') {
            Some(end) => {
                out.push(&after[..=end]);
                rest = &after[end + 1..];
            }
            None => {
                out.push(after);
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_are_found_and_filled() {
        assert_eq!(
            blanks("a {shop} b {today} {x"),
            vec!["{shop}", "{today}", "{x"]
        );
        let mut r = LlmRules::default();
        r.system_prompt[Lang::Id.index()] = "Toko {shop}, {today}, harga dalam {currency}".into();
        assert_eq!(
            r.system_prompt(Lang::Id, "Toko A", "IDR", "2026-11-22"),
            "Toko Toko A, 2026-11-22, harga dalam IDR"
        );
    }
}

//! One conversation turn: understand the message, settle what it asks in the light
//! of the session (a pending question or confirmation, a refinement of the last
//! search, an ordinal into the last list), act on it, and render the reply. Turns
//! the rules cannot settle go to the LLM ([`super::escalate`]); when it cannot
//! answer they are answered in fallback mode: from the best intent when it is
//! likely enough, else with the help menu.

use super::act::{self, Answer};
use super::commerce;
use super::escalate;
use super::session::{self, Pending, Session};
use super::views::{cart_summary, CartSummary, ProductCard};
use crate::catalog::Catalog;
use crate::classify::Scratch;
use crate::content::templates::Situation;
use crate::content::Content;
use crate::decide::EscalateReason;
use crate::extract::{language_currency, Constraints};
use crate::intent::Intent;
use crate::lang::{Currency, Lang};
use crate::llm::Llm;
use crate::pipeline::{self, StageTrace, Understanding};
use crate::search::{IndexError, Shelf};
use crate::shop::Shop;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

/// Who answered a turn (CONTRACT.md section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Rules,
    Llm,
    Fallback,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Rules => "rules",
            Source::Llm => "llm",
            Source::Fallback => "fallback",
        }
    }
}

/// A reply to the customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    pub text: String,
    pub quick_replies: Vec<String>,
}

/// Everything a turn produced.
#[derive(Debug, Clone, Serialize)]
pub struct TurnOutcome {
    /// The session's turn number (1 for the first message).
    pub turn: u32,
    pub lang: Lang,
    /// The intent acted on (a pending question can turn "42" into `cart_add`).
    pub intent: Option<Intent>,
    pub confidence: f32,
    pub escalate: bool,
    pub escalate_reason: Option<EscalateReason>,
    pub source: Source,
    pub reply: Reply,
    pub products: Vec<ProductCard>,
    pub cart: CartSummary,
    /// The effective constraints: the search so far plus this turn's own keys.
    pub constraints: Constraints,
    /// `<lang>/<template id>#<variant>`
    pub template: String,
    pub trace: Vec<StageTrace>,
    /// What the LLM cost this turn, when it was called.
    pub llm: Option<LlmUsage>,
}

/// Tokens an escalated turn used, and with which provider.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LlmUsage {
    pub provider: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// The assistant: content, the searchable catalog, and the LLM escalated turns go
/// to (none configured: they are answered in fallback mode).
#[derive(Debug, Clone)]
pub struct Assistant {
    pub content: Arc<Content>,
    pub shelf: Arc<Shelf>,
    pub llm: Arc<Llm>,
    /// The catalog's product names as the LLM validator reads them, built on the
    /// first escalation.
    names: Arc<std::sync::OnceLock<crate::llm::validate::CatalogNames>>,
}

/// Per-caller buffers reused across turns.
#[derive(Debug, Default)]
pub struct TurnScratch {
    classify: Scratch,
}

impl Assistant {
    pub fn new(content: Arc<Content>, shelf: Arc<Shelf>) -> Assistant {
        Assistant {
            content,
            shelf,
            llm: Arc::new(Llm::disabled()),
            names: Arc::default(),
        }
    }

    /// The catalog's names for validating LLM answers.
    pub fn product_names(&self) -> &crate::llm::validate::CatalogNames {
        self.names
            .get_or_init(|| crate::llm::validate::CatalogNames::build(self.shelf.catalog()))
    }

    /// The same assistant escalating to `llm` (a reload keeps the running one,
    /// with its breakers, budget and cache).
    pub fn with_llm(mut self, llm: Arc<Llm>) -> Assistant {
        self.llm = llm;
        self
    }

    /// Indexes `catalog` with the content's synonyms and category words.
    pub fn build(
        content: Arc<Content>,
        mut catalog: Arc<Catalog>,
    ) -> Result<Assistant, IndexError> {
        if catalog.products().iter().any(|p| p.brand.is_none()) {
            // brands only in titles: read them with the brand lexicon
            Arc::make_mut(&mut catalog).fill_missing_brands(|p| {
                p.name.all().find_map(|name| {
                    let msg = content.normalizer.normalize(name, None, None);
                    content
                        .extractor
                        .extract(&msg, false)
                        .constraints
                        .brands
                        .into_iter()
                        .next()
                })
            });
        }
        let mut groups: Vec<Vec<String>> = Vec::new();
        let mut category_words: FxHashMap<String, Vec<String>> = FxHashMap::default();
        for words in &content.words {
            groups.extend(words.synonym_groups.iter().cloned());
            for (slug, forms) in &words.categories {
                let list = category_words.entry(slug.clone()).or_default();
                // the usual name only ("sepatu", "giày", "shoes"): indexing every form
                // would make every shoe a sneaker and every phone case a powerbank
                if let Some(name) = forms.first() {
                    if !list.contains(name) {
                        list.push(name.clone());
                    }
                }
            }
        }
        let shelf = Shelf::build(catalog, &groups, &category_words)?;
        Ok(Assistant::new(content, Arc::new(shelf)))
    }

    /// Runs one turn of `session`; the cart, stock, vouchers and orders are `shop`'s.
    pub async fn turn(
        &self,
        shop: &Shop,
        session: &mut Session,
        text: &str,
        lang: Option<Lang>,
        trace: bool,
        scratch: &mut TurnScratch,
    ) -> TurnOutcome {
        let opts = pipeline::Options {
            lang,
            hint: session.lang,
            trace,
        };
        let mut u = pipeline::understand(&self.content, text, opts, &mut scratch.classify);
        session.lang = Some(u.lang);
        session.turn += 1;
        let t0 = Instant::now();
        let mut notes: Vec<String> = Vec::new();
        let currency = language_currency(u.lang, self.content.store.default_currency);
        let mut said = std::mem::take(&mut u.constraints);
        let fillers = self
            .content
            .extractor
            .langs
            .get(u.lang.index())
            .map(|l| &l.query_ignore);
        answer_to_question(session, &u.normalized, fillers, &mut said, &mut notes);
        let now = shop.now();
        let (intent, source, escalate) = if commerce::take_checkout_detail(
            &self.content.commerce,
            session,
            text,
            u.intent,
            u.lang,
            &mut notes,
        ) {
            (Some(Intent::Checkout), Source::Rules, false)
        } else {
            self.settle(session, &u, &said, &mut notes)
        };
        // a hold in the session's copy of the cart ran out: the store released it
        if session.cart.first_expiry().is_some_and(|t| t <= now) {
            match shop.cart(&session.owner(), now).await {
                Ok(cart) => session.cart = cart,
                Err(e) => notes.push(format!("the cart could not be read again: {e}")),
            }
        }
        let said = &said;
        let mut ctx = act::Context {
            content: &self.content,
            shelf: &self.shelf,
            shop,
            lang: u.lang,
            currency,
            text,
            now,
            notes: &mut notes,
        };
        let mut source = source;
        let mut llm_usage = None;
        let mut from_llm = None;
        let mut llm_time = None;
        let mut acted = None;
        if source == Source::Fallback {
            let started = Instant::now();
            let e = escalate::escalate(self, &mut ctx, session, &u).await;
            if let Some(provider) = e.provider {
                llm_time = Some(started.elapsed());
                llm_usage = Some(LlmUsage {
                    provider,
                    prompt_tokens: e.usage.prompt_tokens,
                    completion_tokens: e.usage.completion_tokens,
                });
            }
            match e.answer {
                Ok(a) => {
                    if a.cached {
                        self.llm.metrics.answered("cached");
                    }
                    source = Source::Llm;
                    from_llm = Some(a);
                }
                Err(reason) => {
                    ctx.notes.push(format!("fallback mode: {reason}"));
                    self.llm.metrics.fallback(&reason);
                    if e.acted.is_some() {
                        ctx.notes.push(
                            "fallback says what the LLM's tool did, as the rules word it".into(),
                        );
                    }
                    acted = e.acted;
                }
            }
        }
        let answer: Answer = match (&from_llm, acted) {
            (Some(a), _) => {
                let mut answer = Answer::new(intent, Situation::Reply);
                answer.products = a.products.clone();
                answer
            }
            (None, Some(done)) => done,
            (None, None) => act::answer(&mut ctx, session, intent, said).await,
        };
        let t1 = Instant::now();
        let cart = cart_summary(self.shelf.catalog(), &session.cart.lines, currency);
        let (reply, template) = match from_llm {
            Some(a) => {
                if !answer.products.is_empty() {
                    session.shown = answer.products.iter().map(|p| p.id.clone()).collect();
                    if let [only] = answer.products.as_slice() {
                        session.focus = Some(only.id.clone());
                    }
                }
                let provider = llm_usage.as_ref().map_or("cache", |l| l.provider.as_str());
                (
                    Reply {
                        text: a.text,
                        quick_replies: Vec::new(),
                    },
                    format!("{}/llm:{provider}", u.lang.code()),
                )
            }
            None => self.render(session, u.lang, currency, &answer, &cart, &mut notes),
        };
        if self.llm.is_configured() {
            escalate::remember(session, text, &reply.text, self.content.llm.recent_turns);
        }
        let t2 = Instant::now();
        let mut stages = std::mem::take(&mut u.trace);
        if let Some(d) = llm_time {
            stages.push(StageTrace {
                stage: "llm",
                micros: d.as_micros() as u64,
                nanos: d.as_nanos() as u64,
                notes: Vec::new(),
            });
        }
        stages.push(StageTrace {
            stage: "act",
            micros: (t1 - t0).as_micros() as u64,
            nanos: (t1 - t0).as_nanos() as u64,
            notes: if trace {
                std::mem::take(&mut notes)
            } else {
                Vec::new()
            },
        });
        stages.push(StageTrace {
            stage: "render",
            micros: (t2 - t1).as_micros() as u64,
            nanos: (t2 - t1).as_nanos() as u64,
            notes: if trace {
                vec![format!("template {template}")]
            } else {
                Vec::new()
            },
        });
        let refined = matches!(
            answer.intent,
            Some(Intent::ProductSearch | Intent::Recommend)
        );
        let keeps = &self.content.dialogue.new_category_keeps;
        let constraints = session::effective(
            &session.search,
            said,
            (!refined).then_some(keeps.as_slice()),
        );
        session.last_intent = answer.intent.map(|i| i.name().to_string());
        TurnOutcome {
            turn: session.turn,
            lang: u.lang,
            intent: answer.intent,
            confidence: u.confidence,
            escalate,
            escalate_reason: if escalate { u.escalate_reason } else { None },
            source,
            reply,
            products: answer.products,
            cart,
            constraints,
            template,
            trace: stages,
            llm: llm_usage,
        }
    }

    /// Decides which intent the turn is answered as, and by whom: a pending
    /// question or confirmation first, then the rules, then fallback mode.
    fn settle(
        &self,
        session: &mut Session,
        u: &Understanding,
        said: &Constraints,
        notes: &mut Vec<String>,
    ) -> (Option<Intent>, Source, bool) {
        let rules = &self.content.dialogue;
        match session.pending.clone() {
            Some(Pending::Confirm { intent, .. })
                if matches!(u.intent, Some(Intent::Affirm) | Some(Intent::Deny)) =>
            {
                notes.push(format!("answers the confirmation of {intent}"));
                return (u.intent, Source::Rules, false);
            }
            // "yes cancel it" after "cancel this order?": asking again, about
            // nothing else, is a yes
            Some(Pending::Confirm { intent, .. })
                if u.intent.is_some_and(|i| i.name() == intent)
                    && !u.escalate
                    && said.ordinal.is_none()
                    && said.order_id.is_none()
                    && !session::describes_products(said) =>
            {
                notes.push(format!("repeating {intent} confirms it"));
                return (u.intent, Source::Rules, false);
            }
            Some(Pending::Slot { intent, slot, .. }) if session::has_key(said, &slot) => {
                let strong_other = u.intent.is_some_and(|i| {
                    i.name() != intent && !u.escalate && i != Intent::ProductSearch
                }) && u.confidence >= 0.6;
                if !strong_other {
                    if let Ok(i) = intent.parse::<Intent>() {
                        notes.push(format!("gives the {slot} asked for {intent}"));
                        return (Some(i), Source::Rules, false);
                    }
                }
            }
            _ => {}
        }
        // any other answer drops the question
        if !matches!(
            (&session.pending, u.intent),
            (
                Some(Pending::Confirm { .. }),
                Some(Intent::Affirm | Intent::Deny)
            )
        ) {
            session.pending = None;
        }
        // "yang pertama ada warna apa aja?": a search that names no product but
        // points into the list asks about that product
        if u.intent == Some(Intent::ProductSearch)
            && said.ordinal.is_some()
            && !session::names_products(said)
            && !session.shown.is_empty()
        {
            notes.push("points into the last list without a search: product_info".into());
            return (Some(Intent::ProductInfo), Source::Rules, false);
        }
        if !u.escalate {
            return (u.intent, Source::Rules, false);
        }
        // "yang ke-9 berapa?" right after a list: the ordinal settles what is meant,
        // when the intent it points for scored at all ("chuyến leo núi cuối tuần"
        // has a "last" in it, but says nothing of the list)
        let min_score = self.content.policy.min_score;
        let pointing = u
            .intent
            .map(|i| (i, u.confidence))
            .into_iter()
            .chain(u.candidates.iter().map(|c| (c.intent, c.score)))
            .filter(|(_, score)| *score >= min_score)
            .map(|(i, _)| i)
            .find(|i| {
                matches!(
                    i,
                    Intent::PriceCheck
                        | Intent::ProductInfo
                        | Intent::StockCheck
                        | Intent::CartAdd
                        | Intent::CompareProducts
                )
            });
        // "kalau ukuran L?" after a stock answer: the same question about that size
        if session.last_intent.as_deref() == Some(Intent::StockCheck.name())
            && session.focus.is_some()
            && said.category.is_none()
            && said.ordinal.is_none()
            && (!said.sizes.is_empty() || !said.colors.is_empty())
            && said.brands.is_empty()
        {
            notes.push("asks the stock question again for another size or colour".into());
            return (Some(Intent::StockCheck), Source::Rules, false);
        }
        // "yang merah ada?" during a search: a refinement, whatever else it resembles
        let refining = said.category.is_none()
            && session.search.category.is_some()
            && session::names_products(said)
            && u.escalate_reason != Some(EscalateReason::OutOfScope)
            && u.intent
                .into_iter()
                .chain(u.candidates.iter().map(|c| c.intent))
                .take(2)
                .any(|i| {
                    matches!(
                        i,
                        Intent::ProductSearch | Intent::StockCheck | Intent::Recommend
                    )
                });
        if refining && said.ordinal.is_none() {
            notes
                .push("refines the search in progress: answered as product_search by rules".into());
            return (Some(Intent::ProductSearch), Source::Rules, false);
        }
        if let Some(i) = pointing {
            if said.ordinal.is_some() && !session.shown.is_empty() {
                notes.push(format!(
                    "the ordinal points into the last list: answered as {i} by rules"
                ));
                return (Some(i), Source::Rules, false);
            }
        }
        let reason = u.escalate_reason;
        notes.push(format!(
            "escalated ({})",
            reason.map_or("unknown", |r| r.as_str())
        ));
        if reason == Some(EscalateReason::OutOfScope) {
            return (Some(Intent::OutOfScope), Source::Fallback, true);
        }
        match u.intent {
            Some(i) if u.confidence >= rules.fallback_min_confidence && i != Intent::OutOfScope => {
                notes.push(format!("fallback answers as {i} ({:.2})", u.confidence));
                (Some(i), Source::Fallback, true)
            }
            // "spatu ventela hitam": no intent is sure, but it names products (free
            // words alone do not count: "asdf qwer" is not a search)
            _ if session::names_products(said) => {
                notes.push("fallback searches for the products the message names".into());
                (Some(Intent::ProductSearch), Source::Fallback, true)
            }
            _ => (None, Source::Fallback, true),
        }
    }

    pub(super) fn render(
        &self,
        session: &Session,
        lang: Lang,
        currency: Currency,
        answer: &Answer,
        cart: &CartSummary,
        notes: &mut Vec<String>,
    ) -> (Reply, String) {
        let templates = &self.content.templates;
        let (intent, situation) = match answer.template_intent() {
            Some(i) => (i, answer.situation),
            None => (Intent::Help, Situation::Fallback),
        };
        let template = templates
            .find(lang, intent, situation)
            .or_else(|| templates.find(lang, intent, Situation::Reply))
            .or_else(|| templates.find(lang, Intent::Help, Situation::Fallback));
        let Some(template) = template else {
            return (
                Reply {
                    text: String::new(),
                    quick_replies: Vec::new(),
                },
                String::new(),
            );
        };
        let ctx = act::template_context(
            &self.content,
            lang,
            answer.currency.unwrap_or(currency),
            answer,
            cart,
        );
        let variant = crate::render::pick_variant(
            &session.id,
            &template.id,
            session.turn,
            template.variants.len(),
        );
        match self.content.renderer.render(lang, template, variant, &ctx) {
            Ok(r) => (
                Reply {
                    text: r.text,
                    quick_replies: r.quick_replies,
                },
                format!("{}/{}#{}", lang.code(), r.template, r.variant),
            ),
            Err(e) => {
                notes.push(e.to_string());
                // a broken variant must not reach the customer: the help menu does
                let menu = templates.find(lang, Intent::Help, Situation::Fallback);
                let text = menu
                    .and_then(|m| self.content.renderer.render(lang, m, 0, &ctx).ok())
                    .map(|r| r.text)
                    .unwrap_or_default();
                (
                    Reply {
                        text,
                        quick_replies: Vec::new(),
                    },
                    "help.fallback".into(),
                )
            }
        }
    }
}

/// A bare answer to the question pasar just asked: "42" or "L" to "which size?",
/// taken as the size when the product comes in it.
fn answer_to_question(
    session: &Session,
    normalized: &str,
    fillers: Option<&rustc_hash::FxHashSet<String>>,
    said: &mut Constraints,
    notes: &mut Vec<String>,
) {
    let asked = matches!(&session.pending, Some(Pending::Slot { slot, .. }) if slot == "sizes" || slot == "variant");
    // "kalau 44?" right after a stock answer about one product
    let about_stock = session.focus.is_some()
        && session.last_intent.as_deref() == Some(Intent::StockCheck.name());
    // a message that says more than a size is not a bare answer ("cái thứ 2")
    let says_more = said.ordinal.is_some() || said.quantity.is_some() || !said.colors.is_empty();
    if !(asked || about_stock) || !said.sizes.is_empty() || says_more {
        return;
    }
    let words: Vec<&str> = normalized
        .split_whitespace()
        // the language's stopwords ("kalau", "còn", "if") around the answer
        .filter(|w| !fillers.is_some_and(|f| f.contains(&crate::normalize::fold::fold(w))))
        .collect();
    let candidate = match words.as_slice() {
        [w] => *w,
        [w, filler] if filler.len() <= 4 => *w,
        _ => return,
    };
    let size = if crate::canon::SIZES
        .iter()
        .any(|s| s.eq_ignore_ascii_case(candidate))
    {
        candidate.to_ascii_uppercase()
    } else if candidate.len() <= 2 && candidate.chars().all(|c| c.is_ascii_digit()) {
        candidate.to_string()
    } else {
        return;
    };
    notes.push(format!("{candidate:?} answers the size question"));
    said.sizes = vec![size];
    // a bare number is a size here, not a price
    said.price_min = None;
    said.price_max = None;
    said.currency = None;
    said.query = None;
}

//! An escalated turn put to the LLM. It is shown the system prompt from
//! `rules/llm.yaml`, a deterministic summary of the conversation (products seen,
//! the cart, the search so far, what the classifier considered), the recent
//! exchanges word for word, and tools over the same catalog, stock, cart, policies
//! and handoffs the rules use, run here with the rules' own checks. Its answer is
//! validated against what the tools returned in this turn before anyone sees it.
//! Anything short of a valid answer (no provider, over budget, a failed call, too
//! many tool rounds, an invalid answer) returns the reason, and the turn is
//! answered in fallback mode instead.

use super::act::{self, Answer, Context};
use super::commerce;
use super::session::Session;
use super::views::ProductCard;
use super::Assistant;
use crate::content::templates::Situation;
use crate::extract::constraints::push_unique;
use crate::extract::Constraints;
use crate::intent::Intent;
use crate::lang::Lang;
use crate::llm::client::{FunctionSpec, ToolCall};
use crate::llm::validate::{self, Evidence, Reader};
use crate::llm::{Llm, ToolSpec, Usage, WireMessage};
use crate::normalize::TokenKind;
use crate::pipeline::Understanding;
use serde::Deserialize;
use serde_json::{json, Value};
use std::hash::{Hash, Hasher};
use std::sync::LazyLock;
use std::time::Duration;

/// The longest an escalated turn waits for the LLM in all (every provider, retry
/// and tool round), under the service's request timeout: past it, fallback mode.
pub const TURN_DEADLINE: Duration = Duration::from_secs(8);

/// Tokens an answer may take.
const MAX_ANSWER_TOKENS: u32 = 400;
/// Products a search tool returns at most.
const TOOL_PRODUCTS: usize = 5;
/// Characters of each recent message the LLM is shown.
const RECENT_CHARS: usize = 240;

/// An answer the customer may see.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmAnswer {
    pub text: String,
    pub products: Vec<ProductCard>,
    pub cached: bool,
}

/// What an escalation produced: an answer or the reason for fallback mode, and
/// what it cost.
#[derive(Debug, Clone)]
pub struct Escalated {
    pub answer: Result<LlmAnswer, String>,
    pub usage: Usage,
    pub provider: Option<String>,
    /// The rules' own answer to the last thing a tool did (an add to the cart, a
    /// handoff): when the LLM's answer is not shown, fallback mode says this, so
    /// the customer learns what was done.
    pub acted: Option<Answer>,
}

impl Escalated {
    fn declined(reason: impl Into<String>) -> Escalated {
        Escalated {
            answer: Err(reason.into()),
            usage: Usage::default(),
            provider: None,
            acted: None,
        }
    }
}

/// One message and its reply, kept for the LLM's next escalation.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Exchange {
    pub user: String,
    pub reply: String,
}

/// Keeps the last `keep` exchanges, each cut to a few hundred characters.
pub fn remember(session: &mut Session, user: &str, reply: &str, keep: usize) {
    let cut = |s: &str| -> String { s.chars().take(RECENT_CHARS).collect() };
    session.recent.push(Exchange {
        user: cut(user),
        reply: cut(reply),
    });
    let extra = session.recent.len().saturating_sub(keep);
    session.recent.drain(..extra);
}

/// The shop's day number (for the day's budget) and date, in the shop's clock.
fn shop_day(a: &Assistant, now_ms: i64) -> (i64, String) {
    let offset = a.content.commerce.utc_offset;
    let t = time::OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    (crate::llm::shop_day(offset, now_ms), t.date().to_string())
}

/// Puts the turn to the LLM.
pub(super) async fn escalate(
    a: &Assistant,
    ctx: &mut Context<'_>,
    session: &mut Session,
    u: &Understanding,
) -> Escalated {
    let llm: &Llm = &a.llm;
    let rules = &a.content.llm;
    if !llm.is_configured() {
        return Escalated::declined("no_llm");
    }
    if session.llm_tokens >= rules.tokens_per_session {
        return Escalated::declined("over_budget_session");
    }
    let (day, today) = shop_day(a, ctx.now);
    if llm.spent_on(day) >= rules.tokens_per_day {
        return Escalated::declined("over_budget_day");
    }
    let key = cache_key(ctx.lang, &u.normalized, session);
    let max_age = Duration::from_secs(rules.cache_minutes * 60);
    if let Some(hit) = llm.cached(key, max_age) {
        // checked again: a price may have changed since
        let mut evidence = Evidence::default();
        for id in &hit.products {
            note_product(ctx, id, &mut evidence);
        }
        if let Ok(ok) = validate::validate(&hit.text, &reader(a, ctx), &evidence) {
            ctx.notes.push("LLM answer from the cache".into());
            return Escalated {
                answer: Ok(LlmAnswer {
                    text: ok.text,
                    products: cards(ctx, &ok.products),
                    cached: true,
                }),
                usage: Usage::default(),
                provider: None,
                acted: None,
            };
        }
    }
    let mut messages = vec![
        WireMessage::text(
            "system",
            rules.system_prompt(ctx.lang, &a.content.store.name, ctx.currency.code(), &today),
        ),
        WireMessage::text("system", summary(a, ctx, session, u)),
    ];
    for e in &session.recent {
        messages.push(WireMessage::text("user", e.user.clone()));
        messages.push(WireMessage::text("assistant", e.reply.clone()));
    }
    messages.push(WireMessage::text("user", ctx.text.to_string()));
    let mut usage = Usage::default();
    let mut provider = None;
    let mut evidence = Evidence::default();
    let mut acted: Option<Answer> = None;
    let mut round = 0;
    let deadline = tokio::time::Instant::now() + TURN_DEADLINE;
    let answer = loop {
        let call = llm.complete(&messages, &TOOLS, MAX_ANSWER_TOKENS);
        let c = match tokio::time::timeout_at(deadline, call).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                ctx.notes.push(format!("LLM unavailable: {e}"));
                break Err(e.kind().to_string());
            }
            Err(_) => {
                ctx.notes
                    .push(format!("the LLM took more than {TURN_DEADLINE:?} in all"));
                break Err("deadline".into());
            }
        };
        usage.prompt_tokens += c.usage.prompt_tokens;
        usage.completion_tokens += c.usage.completion_tokens;
        provider = Some(c.provider.clone());
        if !c.message.tool_calls.is_empty() {
            if round >= rules.max_tool_rounds {
                ctx.notes.push(format!(
                    "the LLM wanted more than {} tool rounds",
                    rules.max_tool_rounds
                ));
                break Err("tool_rounds".into());
            }
            round += 1;
            let calls = c.message.tool_calls.clone();
            messages.push(c.message);
            for call in &calls {
                let (result, done) = run_tool(a, ctx, session, call, &mut evidence).await;
                if done.is_some() {
                    acted = done;
                }
                ctx.notes.push(format!(
                    "tool {}({}) -> {}",
                    call.function.name,
                    call.function.arguments,
                    clip(&result, 160)
                ));
                messages.push(WireMessage::tool_result(&call.id, result));
            }
            continue;
        }
        let text = c.message.content.unwrap_or_default();
        match validate::validate(&text, &reader(a, ctx), &evidence) {
            Ok(ok) => {
                for r in &ok.repairs {
                    ctx.notes.push(format!("repaired: {r}"));
                }
                llm.metrics.answered(if ok.repairs.is_empty() {
                    "validated"
                } else {
                    "repaired"
                });
                if acted.is_none() {
                    llm.remember(key, ok.text.clone(), ok.products.clone());
                }
                break Ok(LlmAnswer {
                    products: cards(ctx, &ok.products),
                    text: ok.text,
                    cached: false,
                });
            }
            Err(rejection) => {
                ctx.notes.push(format!("LLM answer rejected: {rejection}"));
                break Err(format!("invalid_{}", rejection.kind()));
            }
        }
    };
    let spent = usage.prompt_tokens + usage.completion_tokens;
    session.llm_tokens = session.llm_tokens.saturating_add(spent);
    llm.spend(day, spent);
    Escalated {
        answer,
        usage,
        provider,
        acted,
    }
}

fn reader<'a>(a: &'a Assistant, ctx: &Context<'_>) -> Reader<'a> {
    Reader {
        normalizer: &a.content.normalizer,
        catalog: a.shelf.catalog(),
        names: a.product_names(),
        lang: ctx.lang,
        currency: ctx.currency,
        max_chars: a.content.llm.max_reply_chars,
    }
}

fn cards(ctx: &Context<'_>, ids: &[String]) -> Vec<ProductCard> {
    ids.iter()
        .filter_map(|id| ctx.product(id))
        .map(|p| ctx.card(p))
        .collect()
}

fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// The same message in the same state gets the same answer.
fn cache_key(lang: Lang, normalized: &str, s: &Session) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    lang.code().hash(&mut h);
    normalized.hash(&mut h);
    serde_json::to_string(&s.search)
        .unwrap_or_default()
        .hash(&mut h);
    s.shown.hash(&mut h);
    s.focus.hash(&mut h);
    for l in &s.cart.lines {
        (&l.sku, l.quantity).hash(&mut h);
    }
    s.cart.voucher.hash(&mut h);
    h.finish()
}

/// What the LLM is told about the conversation, without an LLM call: the products
/// seen, the cart, the search so far, and what the classifier made of the message.
fn summary(a: &Assistant, ctx: &Context<'_>, s: &Session, u: &Understanding) -> String {
    let mut out = format!(
        "Conversation state (turn {}, language {}, currency {}).\n",
        s.turn,
        ctx.lang.code(),
        ctx.currency.code()
    );
    let name = |id: &str| {
        ctx.product(id)
            .map(|p| p.name.get(ctx.lang).to_string())
            .unwrap_or_default()
    };
    if !s.shown.is_empty() {
        out.push_str("Products last shown, in order:");
        for (i, id) in s.shown.iter().enumerate() {
            out.push_str(&format!(" {}. {id} \"{}\";", i + 1, name(id)));
        }
        out.push('\n');
    }
    if let Some(id) = &s.focus {
        out.push_str(&format!("Product in focus: {id} \"{}\".\n", name(id)));
    }
    if s.cart.lines.is_empty() {
        out.push_str("Cart: empty.\n");
    } else {
        out.push_str("Cart:");
        for l in &s.cart.lines {
            out.push_str(&format!(
                " {}x {} ({});",
                l.quantity,
                l.sku,
                name(&l.product_id)
            ));
        }
        out.push('\n');
    }
    let search = serde_json::to_string(&s.search).unwrap_or_default();
    if search != "{}" {
        out.push_str(&format!("Search so far: {search}.\n"));
    }
    let candidates: Vec<String> = u
        .candidates
        .iter()
        .take(3)
        .map(|c| format!("{} {:.2}", c.intent, c.score))
        .collect();
    out.push_str(&format!(
        "The rules were not sure of this message ({}); they considered: {}.\n",
        u.escalate_reason.map_or("unknown", |r| r.as_str()),
        if candidates.is_empty() {
            "nothing".to_string()
        } else {
            candidates.join(", ")
        }
    ));
    out.push_str(&format!(
        "Use the tools for every product, price, stock, cart or policy fact. Shop: {}.",
        a.content.store.name
    ));
    out
}

fn tool(name: &'static str, description: &'static str, parameters: Value) -> ToolSpec {
    ToolSpec {
        kind: "function",
        function: FunctionSpec {
            name,
            description,
            parameters,
        },
    }
}

/// The tools and their JSON schemas.
static TOOLS: LazyLock<Vec<ToolSpec>> = LazyLock::new(|| {
    let product = json!({"type": "string", "description": "a product id from a tool result, such as shoe-0042"});
    vec![
        tool(
            "search_products",
            "Search the shop's catalog. `text` is read like a customer message (words, brand, colour, size, budget such as 'di bawah 500rb' or 'dưới 1 triệu'); the other fields narrow it.",
            json!({"type": "object", "properties": {
                "text": {"type": "string"},
                "category": {"type": "string", "enum": crate::canon::CATEGORIES},
                "brand": {"type": "string"},
                "colors": {"type": "array", "items": {"type": "string", "enum": crate::canon::COLORS}},
                "price_min": {"type": "integer"},
                "price_max": {"type": "integer"},
                "sort": {"type": "string", "enum": crate::canon::SORTS}
            }, "additionalProperties": false}),
        ),
        tool(
            "get_product",
            "One product's details: name, brand, price, description, sizes and colours.",
            json!({"type": "object", "properties": {"product_id": product}, "required": ["product_id"], "additionalProperties": false}),
        ),
        tool(
            "check_stock",
            "Units that can be bought now, per size and colour of a product.",
            json!({"type": "object", "properties": {"product_id": product, "size": {"type": "string"}, "color": {"type": "string"}}, "required": ["product_id"], "additionalProperties": false}),
        ),
        tool(
            "add_to_cart",
            "Put a product in the customer's cart (only when they asked). Holds the stock.",
            json!({"type": "object", "properties": {"product_id": product, "size": {"type": "string"}, "color": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1, "maximum": 999}}, "required": ["product_id"], "additionalProperties": false}),
        ),
        tool(
            "view_cart",
            "The customer's cart: lines, prices, voucher, subtotal.",
            json!({"type": "object", "properties": {}, "additionalProperties": false}),
        ),
        tool(
            "get_policy",
            "The shop's policy on a topic, as the shop words it.",
            json!({"type": "object", "properties": {"topic": {"type": "string", "enum": ["shipping", "returns", "payment", "vouchers"]}}, "required": ["topic"], "additionalProperties": false}),
        ),
        tool(
            "handoff_to_human",
            "Pass the conversation to a person (complaints, angry customers, requests for a human). Returns a ticket number.",
            json!({"type": "object", "properties": {"reason": {"type": "string"}}, "additionalProperties": false}),
        ),
    ]
});

/// The tool names, for the trace and tests.
pub fn tool_names() -> Vec<&'static str> {
    TOOLS.iter().map(|t| t.function.name).collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolArgs {
    text: Option<String>,
    category: Option<String>,
    brand: Option<String>,
    #[serde(default)]
    colors: Vec<String>,
    price_min: Option<i64>,
    price_max: Option<i64>,
    sort: Option<String>,
    product_id: Option<String>,
    size: Option<String>,
    color: Option<String>,
    quantity: Option<i64>,
    topic: Option<String>,
    reason: Option<String>,
}

fn error(message: impl Into<String>) -> String {
    json!({"error": message.into()}).to_string()
}

/// Runs one tool call; the result is JSON text for the model, and, when it
/// changed something, the rules' answer to it (an answer after a change is not
/// cached).
async fn run_tool(
    a: &Assistant,
    ctx: &mut Context<'_>,
    session: &mut Session,
    call: &ToolCall,
    evidence: &mut Evidence,
) -> (String, Option<Answer>) {
    let raw = if call.function.arguments.trim().is_empty() {
        "{}"
    } else {
        call.function.arguments.as_str()
    };
    let args: ToolArgs = match serde_json::from_str(raw) {
        Ok(a) => a,
        Err(e) => return (error(format!("the arguments are not valid: {e}")), None),
    };
    let product = |ctx: &Context<'_>| -> Result<String, String> {
        let id = args
            .product_id
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        match ctx.product(&id) {
            Some(_) => Ok(id),
            None => Err(error(format!(
                "no product {id:?}: use an id from search_products"
            ))),
        }
    };
    match call.function.name.as_str() {
        "search_products" => (search(a, ctx, &args, evidence), None),
        "get_product" => match product(ctx) {
            Ok(id) => (product_json(ctx, &id, evidence, true).to_string(), None),
            Err(e) => (e, None),
        },
        "check_stock" => match product(ctx) {
            Ok(id) => (stock(ctx, &id, &args, evidence).await, None),
            Err(e) => (e, None),
        },
        "add_to_cart" => match product(ctx) {
            Ok(id) => {
                let answer = add_to_cart(ctx, session, &id, &args).await;
                note_cart(ctx, session, evidence);
                let json = answer_json(ctx, &answer, evidence);
                let added = answer.situation == Situation::Done;
                (json, added.then_some(answer))
            }
            Err(e) => (e, None),
        },
        "view_cart" => {
            let answer = commerce::cart_view(ctx, session, Intent::CartView).await;
            note_cart(ctx, session, evidence);
            (answer_json(ctx, &answer, evidence), None)
        }
        "get_policy" => (
            policy(a, ctx, session, args.topic.as_deref(), evidence).await,
            None,
        ),
        "handoff_to_human" => {
            if let Some(r) = &args.reason {
                ctx.notes.push(format!("handoff reason from the LLM: {r}"));
            }
            let answer = commerce::hand_off(ctx, session, Intent::HumanHandoff).await;
            (answer_json(ctx, &answer, evidence), Some(answer))
        }
        other => (error(format!("no tool named {other:?}")), None),
    }
}

/// A product for the model, noted as evidence.
fn product_json(ctx: &Context<'_>, id: &str, evidence: &mut Evidence, details: bool) -> Value {
    note_product(ctx, id, evidence);
    let Some(p) = ctx.product(id) else {
        return json!({"error": "no such product"});
    };
    let card = ctx.card(p);
    let mut v = json!({
        "id": card.id, "name": card.name, "brand": card.brand, "price": card.price,
        "currency": card.currency, "in_stock": card.in_stock, "rating": card.rating,
        "sizes": card.sizes, "colors": card.colors,
    });
    if details {
        v["description"] = json!(card.description);
        v["category"] = json!(p.category);
    }
    v
}

/// The cart's products may be named once the cart was read.
fn note_cart(ctx: &Context<'_>, session: &Session, evidence: &mut Evidence) {
    for l in &session.cart.lines {
        note_product(ctx, &l.product_id, evidence);
    }
}

fn note_product(ctx: &Context<'_>, id: &str, evidence: &mut Evidence) {
    if let Some(p) = ctx.product(id) {
        evidence.add_product(&p.id);
        if let Some(price) = p.prices.get(ctx.currency) {
            evidence.add_amount(price);
        }
    }
}

fn search(
    a: &Assistant,
    ctx: &mut Context<'_>,
    args: &ToolArgs,
    evidence: &mut Evidence,
) -> String {
    // the text is read the way a customer's message is
    let mut c: Constraints = match &args.text {
        Some(t) if !t.trim().is_empty() => {
            let msg = a.content.normalizer.normalize(t, Some(ctx.lang), None);
            let x = a.content.extractor.extract(&msg, false);
            let mut c = x.constraints;
            if !x.query_words.is_empty() {
                c.query = Some(x.query_words.join(" "));
            }
            c
        }
        _ => Constraints::default(),
    };
    if let Some(cat) = &args.category {
        if !crate::canon::CATEGORIES.contains(&cat.as_str()) {
            return error(format!("unknown category {cat:?}"));
        }
        c.category = Some(cat.clone());
    }
    if let Some(b) = &args.brand {
        push_unique(&mut c.brands, &b.to_lowercase());
    }
    for col in &args.colors {
        push_unique(&mut c.colors, col);
    }
    c.price_min = args.price_min.or(c.price_min);
    c.price_max = args.price_max.or(c.price_max);
    if args.sort.is_some() {
        c.sort = args.sort.clone();
    }
    let relax = a.content.dialogue.relax_order.clone();
    let req = act::request(&c, ctx.shelf, ctx.currency, TOOL_PRODUCTS, &relax);
    let found = ctx.shelf.search(&req);
    let products: Vec<Value> = found
        .hits
        .iter()
        .map(|&i| ctx.shelf.catalog().products()[i as usize].id.clone())
        .map(|id| product_json(ctx, &id, evidence, false))
        .collect();
    json!({"total": found.total, "dropped_filters": found.dropped, "products": products})
        .to_string()
}

async fn stock(
    ctx: &mut Context<'_>,
    id: &str,
    args: &ToolArgs,
    evidence: &mut Evidence,
) -> String {
    note_product(ctx, id, evidence);
    let Some(p) = ctx.product(id) else {
        return error("no such product");
    };
    let wanted = |have: &Option<String>, want: &Option<String>| match (have, want) {
        (_, None) => true,
        (Some(h), Some(w)) => h.eq_ignore_ascii_case(w),
        (None, Some(_)) => false,
    };
    let variants: Vec<(String, Option<String>, Option<String>)> = p
        .variants
        .iter()
        .filter(|v| wanted(&v.size, &args.size) && wanted(&v.color, &args.color))
        .map(|v| (v.sku.clone(), v.size.clone(), v.color.clone()))
        .collect();
    let mut out = Vec::new();
    for (sku, size, color) in variants {
        match ctx.shop.level(&sku).await {
            Ok(level) => out
                .push(json!({"sku": sku, "size": size, "color": color, "available": level.free()})),
            Err(e) => return error(format!("stock cannot be read now: {}", e.code())),
        }
    }
    json!({"product_id": id, "variants": out}).to_string()
}

async fn add_to_cart(
    ctx: &mut Context<'_>,
    session: &mut Session,
    id: &str,
    args: &ToolArgs,
) -> Answer {
    // the rules' own add: the product in focus, with the size, colour and quantity
    session.pending = None;
    session.focus = Some(id.to_string());
    let said = Constraints {
        sizes: args.size.iter().map(|s| s.to_uppercase()).collect(),
        colors: args.color.iter().map(|c| c.to_lowercase()).collect(),
        quantity: args.quantity,
        ..Constraints::default()
    };
    let answer = commerce::cart_add(ctx, session, &said).await;
    // a follow-up question is the model's to ask, in its own words
    session.pending = None;
    answer
}

/// The policy's reply as the rules give it, in the turn's language.
async fn policy(
    a: &Assistant,
    ctx: &mut Context<'_>,
    session: &mut Session,
    topic: Option<&str>,
    evidence: &mut Evidence,
) -> String {
    let intent = match topic {
        Some("shipping") => Intent::ShippingInfo,
        Some("returns") => Intent::ReturnPolicy,
        Some("payment") => Intent::PaymentMethods,
        Some("vouchers") => Intent::VoucherList,
        other => {
            return error(format!(
                "no policy on {other:?}: shipping, returns, payment or vouchers"
            ))
        }
    };
    let answer = act::answer(ctx, session, Some(intent), &Constraints::default()).await;
    let cart = super::views::cart_summary(ctx.shelf.catalog(), &session.cart.lines, ctx.currency);
    let (reply, _) = a.render(session, ctx.lang, ctx.currency, &answer, &cart, ctx.notes);
    // the amounts the policy states may be repeated
    let read = a
        .content
        .normalizer
        .normalize(&reply.text, Some(ctx.lang), None);
    for t in &read.tokens {
        if let TokenKind::Number(n) = &t.kind {
            evidence.add_amount(n.value.round() as i64);
        }
    }
    json!({"topic": topic, "policy": reply.text}).to_string()
}

/// A rules answer (cart, handoff) for the model: what happened and the amounts.
fn answer_json(ctx: &Context<'_>, answer: &Answer, evidence: &mut Evidence) -> String {
    for amount in [
        answer.subtotal,
        answer.discount,
        answer.shipping,
        answer.total,
    ]
    .into_iter()
    .flatten()
    {
        evidence.add_amount(amount);
    }
    let mut lines = Vec::new();
    for l in &answer.lines {
        evidence.add_amount(l.price);
        evidence.add_amount(l.amount);
        lines.push(json!({"name": l.name, "variant": l.variant, "quantity": l.quantity, "price": l.price, "amount": l.amount, "held": l.held}));
    }
    let product = answer.product.as_ref().map(|p| {
        note_product(ctx, &p.id, evidence);
        json!({"id": p.id, "name": p.name, "price": p.price, "variant": p.variant})
    });
    let outcome = match answer.situation {
        Situation::Done => "done",
        Situation::Ask => "needs_more",
        Situation::NotFound => "not_found",
        Situation::Handoff => "handed_off",
        _ => "answered",
    };
    let mut v = json!({"outcome": outcome});
    let set = |v: &mut Value, k: &str, x: Value| {
        if !x.is_null() {
            v[k] = x;
        }
    };
    set(&mut v, "reason", json!(answer.reason));
    set(&mut v, "asks_for", json!(answer.slot));
    set(
        &mut v,
        "options",
        if answer.options.is_empty() {
            Value::Null
        } else {
            json!(answer.options)
        },
    );
    set(&mut v, "product", json!(product));
    set(
        &mut v,
        "lines",
        if lines.is_empty() {
            Value::Null
        } else {
            json!(lines)
        },
    );
    set(&mut v, "subtotal", json!(answer.subtotal));
    set(&mut v, "discount", json!(answer.discount));
    set(&mut v, "total", json!(answer.total));
    set(&mut v, "ticket", json!(answer.ticket));
    v.to_string()
}

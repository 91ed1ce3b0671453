//! Acting on a settled intent: searching (with refinement and relaxation), pointing
//! at products ("yang kedua", the product in focus), the cart, confirmations,
//! orders placed in the session, and follow-up questions from `rules/`. The result
//! is an [`Answer`]: which template situation to render and what to fill it with.

use super::commerce;
use super::session::{self, Pending, Session};
use super::views::{summary, CartSummary, LineView, OrderView, ProductCard, VoucherView};
use crate::catalog::Product;
use crate::content::templates::Situation;
use crate::content::Content;
use crate::extract::Constraints;
use crate::intent::Intent;
use crate::lang::{Currency, Lang};
use crate::search::facts::{category_id, currency_slot};
use crate::search::filter::{color_mask, gender_mask};
use crate::search::{Filter, SearchRequest, Shelf, Sort};
use crate::shop::Shop;
use minijinja::Value;

/// What the act stage works with.
pub struct Context<'a> {
    pub content: &'a Content,
    pub shelf: &'a Shelf,
    pub shop: &'a Shop,
    pub lang: Lang,
    pub currency: Currency,
    /// The message as the customer wrote it (a handoff keeps it).
    pub text: &'a str,
    /// Unix milliseconds: the time this turn acts at.
    pub now: i64,
    pub notes: &'a mut Vec<String>,
}

/// What to reply, before rendering.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The intent the turn is reported as.
    pub intent: Option<Intent>,
    /// The intent whose template answers (a "yes" renders the confirmed action).
    pub render_as: Option<Intent>,
    pub situation: Situation,
    pub products: Vec<ProductCard>,
    pub product: Option<ProductCard>,
    pub count: usize,
    pub summary: String,
    pub query: Option<String>,
    pub dropped: Vec<String>,
    pub reason: Option<String>,
    pub slot: Option<String>,
    pub options: Vec<String>,
    pub quantity: Option<i64>,
    pub order: Option<OrderView>,
    pub currency: Option<Currency>,
    /// A priced cart or order: its lines and amounts.
    pub lines: Vec<LineView>,
    pub subtotal: Option<i64>,
    pub discount: Option<i64>,
    pub shipping: Option<i64>,
    pub total: Option<i64>,
    pub voucher: Option<VoucherView>,
    pub vouchers: Vec<VoucherView>,
    pub address: Option<String>,
    pub payment: Option<String>,
    /// A handoff's number.
    pub ticket: Option<String>,
}

impl Answer {
    pub(super) fn new(intent: Option<Intent>, situation: Situation) -> Answer {
        Answer {
            intent,
            render_as: None,
            situation,
            products: Vec::new(),
            product: None,
            count: 0,
            summary: String::new(),
            query: None,
            dropped: Vec::new(),
            reason: None,
            slot: None,
            options: Vec::new(),
            quantity: None,
            order: None,
            currency: None,
            lines: Vec::new(),
            subtotal: None,
            discount: None,
            shipping: None,
            total: None,
            voucher: None,
            vouchers: Vec::new(),
            address: None,
            payment: None,
            ticket: None,
        }
    }

    fn rendered_as(mut self, intent: Intent) -> Answer {
        self.render_as = Some(intent);
        self
    }

    /// The intent whose templates answer.
    pub fn template_intent(&self) -> Option<Intent> {
        self.render_as.or(self.intent)
    }
}

impl Context<'_> {
    pub(super) fn reason(&self, key: &str) -> String {
        self.content
            .dialogue
            .summary_words(self.lang)
            .reasons
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    pub(super) fn card(&self, p: &Product) -> ProductCard {
        ProductCard::new(p, self.lang, self.currency)
    }

    pub(super) fn product(&self, id: &str) -> Option<&Product> {
        self.shelf.catalog().get(id)
    }
}

/// Acts on the turn's intent.
pub async fn answer(
    ctx: &mut Context<'_>,
    session: &mut Session,
    intent: Option<Intent>,
    said: &Constraints,
) -> Answer {
    let Some(intent) = intent else {
        return Answer::new(None, Situation::Fallback);
    };
    // the request repeated while its confirmation waits: carried out
    if let Some(Pending::Confirm {
        intent: waiting,
        order_id,
    }) = &session.pending
    {
        if waiting == intent.name() {
            let order_id = order_id.clone();
            session.pending = None;
            return carry_out(ctx, session, intent, order_id).await;
        }
    }
    let rules = &ctx.content.dialogue;
    if rules.handoff.contains(&intent) {
        ctx.notes
            .push(format!("{intent} goes to a human (rules/dialogue.yaml)"));
        return commerce::hand_off(ctx, session, intent).await;
    }
    match intent {
        Intent::ProductSearch | Intent::Recommend => search(ctx, session, intent, said),
        Intent::ProductInfo | Intent::PriceCheck | Intent::StockCheck => {
            about_product(ctx, session, intent, said)
        }
        Intent::CompareProducts => compare(ctx, session, said),
        Intent::CartAdd => commerce::cart_add(ctx, session, said).await,
        Intent::CartRemove => commerce::cart_remove(ctx, session, said).await,
        Intent::CartView => commerce::cart_view(ctx, session, Intent::CartView).await,
        Intent::CartClear => {
            if let Err(a) = cart_in_store(ctx, session, intent).await {
                return a;
            }
            if session.cart.is_empty() {
                return Answer::new(Some(intent), Situation::Empty).rendered_as(Intent::CartView);
            }
            confirm(ctx, session, intent, None).await
        }
        Intent::Checkout => commerce::checkout(ctx, session).await,
        Intent::OrderStatus | Intent::OrderCancel => {
            commerce::order(ctx, session, intent, said).await
        }
        Intent::VoucherList => commerce::voucher_list(ctx, session).await,
        Intent::VoucherApply => commerce::voucher_apply(ctx, session, said).await,
        Intent::Affirm | Intent::Deny => match session.pending.take() {
            Some(Pending::Confirm {
                intent: confirmed,
                order_id,
            }) => {
                let Ok(confirmed) = confirmed.parse::<Intent>() else {
                    return Answer::new(Some(intent), Situation::Reply);
                };
                if intent == Intent::Deny {
                    ctx.notes.push(format!("{confirmed} not confirmed"));
                    return Answer::new(Some(intent), Situation::Reply);
                }
                carry_out(ctx, session, confirmed, order_id)
                    .await
                    .with_intent(intent)
            }
            _ => Answer::new(Some(intent), Situation::Reply),
        },
        _ => Answer::new(Some(intent), Situation::Reply),
    }
}

impl Answer {
    fn with_intent(mut self, intent: Intent) -> Answer {
        self.render_as = self.intent;
        self.intent = Some(intent);
        self
    }
}

/// A follow-up question; the next message that gives `slot` continues `intent`.
pub(super) fn ask(
    session: &mut Session,
    intent: Intent,
    slot: &str,
    options: Vec<String>,
    product: Option<ProductCard>,
    quantity: Option<i64>,
) -> Answer {
    session.pending = Some(Pending::Slot {
        intent: intent.name().to_string(),
        slot: slot.to_string(),
        product: product.as_ref().map(|p| p.id.clone()),
        quantity,
        sizes: Vec::new(),
        colors: Vec::new(),
        replaces: None,
    });
    let mut a = Answer::new(Some(intent), Situation::Ask);
    // templates speak of one size or colour
    a.slot = Some(
        match slot {
            "sizes" => "size",
            "colors" => "color",
            other => other,
        }
        .to_string(),
    );
    a.options = options;
    a.product = product;
    a.quantity = quantity;
    a
}

/// The follow-up rule of `rules/` that applies, if any.
pub(super) fn follow_up<'c>(
    ctx: &'c Context,
    intent: Intent,
    known: &Constraints,
) -> Option<&'c crate::dialogue::rules::FollowUp> {
    ctx.content
        .dialogue
        .follow_ups
        .iter()
        .find(|f| f.intent == intent && !f.unless_any.iter().any(|k| session::has_key(known, k)))
}

/// The search request for some constraints.
pub fn request(
    c: &Constraints,
    shelf: &Shelf,
    currency: Currency,
    limit: usize,
    relax: &[String],
) -> SearchRequest {
    let facts = shelf.facts();
    let currency = c.currency.unwrap_or(currency);
    let slot = currency_slot(currency);
    let filter = Filter {
        category: c.category.as_deref().and_then(category_id),
        genders: c.gender.as_deref().map_or(0, gender_mask),
        brands: Filter::brand_ids(facts, &c.brands),
        colors: color_mask(&c.colors),
        exclude_colors: color_mask(&c.exclude_colors),
        sizes: Filter::size_ids(facts, &c.sizes),
        price: (c.price_min.is_some() || c.price_max.is_some()).then(|| {
            (
                slot,
                c.price_min.unwrap_or(0),
                c.price_max.unwrap_or(i64::MAX),
            )
        }),
        in_stock: true,
    };
    let words: Vec<String> = c
        .query
        .as_deref()
        .map(|q| q.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let sort = c
        .sort
        .as_deref()
        .and_then(Sort::parse)
        .unwrap_or(if words.is_empty() {
            Sort::BestSelling
        } else {
            Sort::Relevance
        });
    SearchRequest {
        words,
        filter,
        sort,
        currency_slot: slot,
        limit,
        offset: 0,
        relax_order: relax.to_vec(),
    }
}

fn search(ctx: &mut Context, session: &mut Session, intent: Intent, said: &Constraints) -> Answer {
    let rules = &ctx.content.dialogue;
    if session::refine(&mut session.search, said, &rules.new_category_keeps) {
        ctx.notes.push("the search was refined".into());
    }
    let known = session::effective(&session.search, said, None);
    if let Some(f) = follow_up(ctx, intent, &known) {
        // the options the rule offers, in the customer's words
        let words = ctx.content.words(ctx.lang);
        let options = f
            .options
            .iter()
            .map(|c| words.category_name(c).to_string())
            .collect();
        let slot = f.slot.clone();
        ctx.notes.push(format!("follow-up: asks for {slot}"));
        return ask(session, intent, &slot, options, None, None);
    }
    if let (Some(min), Some(max)) = (session.search.price_min, session.search.price_max) {
        if min > max {
            // "di atas 1jt tapi di bawah 500rb": ask rather than guess
            ctx.notes
                .push(format!("the price range {min}..{max} contradicts itself"));
            session.search.price_min = None;
            session.search.price_max = None;
            let mut a = ask(session, intent, "price_max", Vec::new(), None, None);
            a.slot = Some("budget".into());
            return a;
        }
    }
    let mut c = session.search.clone();
    if intent == Intent::Recommend && c.sort.is_none() && c.query.is_none() {
        c.sort = Some("best_selling".into());
    }
    let req = request(
        &c,
        ctx.shelf,
        ctx.currency,
        rules.results_shown,
        &rules.relax_order,
    );
    let found = ctx.shelf.search(&req);
    ctx.notes.push(format!(
        "search terms {:?}, {} match(es){}",
        found.terms,
        found.total,
        if found.dropped.is_empty() {
            String::new()
        } else {
            format!(", gave up {}", found.dropped.join(", "))
        }
    ));
    for (typed, meant) in &found.corrected {
        ctx.notes.push(format!("typo: {typed} -> {meant}"));
    }
    if !found.unknown.is_empty() {
        ctx.notes.push(format!(
            "words no product uses: {}",
            found.unknown.join(" ")
        ));
        // they are not part of what the customer is looking for
        if let Some(q) = &session.search.query {
            let kept: Vec<&str> = q
                .split_whitespace()
                .filter(|w| !found.unknown.contains(&crate::normalize::fold::fold(w)))
                .collect();
            session.search.query = (!kept.is_empty()).then(|| kept.join(" "));
        }
    }
    let catalog = ctx.shelf.catalog();
    let cards: Vec<ProductCard> = found
        .hits
        .iter()
        .map(|&i| ctx.card(&catalog.products()[i as usize]))
        .collect();
    session.shown = cards.iter().map(|c| c.id.clone()).collect();
    session.focus = (cards.len() == 1).then(|| cards[0].id.clone());
    let situation = match (found.total, found.dropped.is_empty()) {
        (0, _) => Situation::NotFound,
        (_, true) => Situation::Found,
        (_, false) => Situation::Relaxed,
    };
    let mut a = Answer::new(Some(intent), situation);
    a.count = found.total;
    a.summary = summary(
        &session.search,
        ctx.content.words(ctx.lang),
        rules,
        ctx.lang,
        ctx.currency,
    );
    a.query = session.search.query.clone();
    a.dropped = found.dropped;
    a.products = cards;
    a
}

/// The product a message points at: an ordinal into the last list, a product
/// named in the message, the product in focus, or the only one shown.
pub(super) fn point_at(
    ctx: &mut Context,
    session: &Session,
    said: &Constraints,
) -> Result<String, &'static str> {
    if let Some(n) = said.ordinal {
        let len = session.shown.len() as i64;
        let index = if n < 0 { len + n } else { n - 1 };
        return match session.shown.get(index.max(0) as usize) {
            Some(id) if index >= 0 && index < len => {
                ctx.notes.push(format!("ordinal {n} -> {id}"));
                Ok(id.clone())
            }
            _ => Err("not_in_list"),
        };
    }
    // a product named by brand or by words products use ("bahannya apa?" names none)
    let named = !said.brands.is_empty()
        || said
            .query
            .as_deref()
            .is_some_and(|q| ctx.shelf.knows_any(q));
    if named {
        let mut c = said.clone();
        c.ordinal = None;
        let req = request(&c, ctx.shelf, ctx.currency, 1, &["in_stock".to_string()]);
        let found = ctx.shelf.search(&req);
        if let Some(&i) = found.hits.first() {
            let id = ctx.shelf.catalog().products()[i as usize].id.clone();
            ctx.notes.push(format!("named product -> {id}"));
            return Ok(id);
        }
        return Err("no_product");
    }
    if let Some(id) = &session.focus {
        return Ok(id.clone());
    }
    if session.shown.len() == 1 {
        return Ok(session.shown[0].clone());
    }
    Err("ask")
}

fn about_product(
    ctx: &mut Context,
    session: &mut Session,
    intent: Intent,
    said: &Constraints,
) -> Answer {
    match point_at(ctx, session, said) {
        Ok(id) => {
            let shelf = ctx.shelf;
            let Some(p) = shelf.catalog().get(&id) else {
                return not_found(ctx, intent, "no_product");
            };
            let mut card = ctx.card(p);
            if intent == Intent::StockCheck && (!said.colors.is_empty() || !said.sizes.is_empty()) {
                // "size XL ready?" while browsing white tees: white in XL
                let colors = if said.colors.is_empty() {
                    &session.search.colors
                } else {
                    &said.colors
                };
                let sizes = if said.sizes.is_empty() {
                    &session.search.sizes
                } else {
                    &said.sizes
                };
                card.in_stock = p.variants.iter().any(|v| {
                    v.stock > 0
                        && (colors.is_empty()
                            || v.color.as_ref().is_some_and(|c| colors.contains(c)))
                        && (sizes.is_empty() || v.size.as_ref().is_some_and(|s| sizes.contains(s)))
                });
            }
            if card.in_stock {
                // the reply offers to add it: a "yes" next does
                session.pending = Some(Pending::Confirm {
                    intent: Intent::CartAdd.name().to_string(),
                    order_id: None,
                });
            }
            session.focus = Some(id);
            let mut a = Answer::new(Some(intent), Situation::Found);
            a.count = 1;
            a.products = vec![card.clone()];
            a.product = Some(card);
            a
        }
        Err("ask") => ask(session, intent, "ordinal", Vec::new(), None, None),
        Err(reason) => not_found(ctx, intent, reason),
    }
}

pub(super) fn not_found(ctx: &Context, intent: Intent, reason: &str) -> Answer {
    let mut a = Answer::new(Some(intent), Situation::NotFound);
    a.reason = Some(ctx.reason(reason));
    a
}

fn compare(ctx: &mut Context, session: &mut Session, said: &Constraints) -> Answer {
    let names = !said.brands.is_empty()
        || said.category.is_some()
        || said
            .query
            .as_deref()
            .is_some_and(|q| ctx.shelf.knows_any(q));
    let from_list = session.shown.len() >= 2 && !names;
    let ids: Vec<String> = if from_list {
        // "yang pertama sama yang kedua", "these two": the products just shown; an
        // ordinal picks one of them, compared with the first other one
        let len = session.shown.len() as i64;
        let first = said
            .ordinal
            .map(|n| if n < 0 { len + n } else { n - 1 })
            .filter(|&i| (0..len).contains(&i))
            .unwrap_or(0) as usize;
        let second = if first == 0 { 1 } else { 0 };
        vec![session.shown[first].clone(), session.shown[second].clone()]
    } else if names {
        let req = request(said, ctx.shelf, ctx.currency, 2, &[]);
        let catalog = ctx.shelf.catalog();
        ctx.shelf
            .search(&req)
            .hits
            .iter()
            .map(|&i| catalog.products()[i as usize].id.clone())
            .collect()
    } else {
        Vec::new()
    };
    if ids.len() < 2 {
        return ask(
            session,
            Intent::CompareProducts,
            "ordinal",
            Vec::new(),
            None,
            None,
        );
    }
    let cards: Vec<ProductCard> = ids
        .iter()
        .filter_map(|id| ctx.product(id).map(|p| ctx.card(p)))
        .collect();
    let mut a = Answer::new(Some(Intent::CompareProducts), Situation::Found);
    a.count = cards.len();
    a.products = cards;
    a
}

/// Asks "are you sure?" before `intent` when the rules want a yes; else does it.
pub(super) async fn confirm(
    ctx: &mut Context<'_>,
    session: &mut Session,
    intent: Intent,
    order_id: Option<String>,
) -> Answer {
    if !ctx.content.dialogue.confirm.contains(&intent) {
        return carry_out(ctx, session, intent, order_id).await;
    }
    ctx.notes
        .push(format!("{intent} waits for a yes (rules/dialogue.yaml)"));
    session.pending = Some(Pending::Confirm {
        intent: intent.name().to_string(),
        order_id,
    });
    Answer::new(Some(intent), Situation::Confirm)
}

/// Does what was confirmed.
async fn carry_out(
    ctx: &mut Context<'_>,
    session: &mut Session,
    intent: Intent,
    order_id: Option<String>,
) -> Answer {
    match intent {
        Intent::CartAdd => commerce::cart_add(ctx, session, &Constraints::default()).await,
        Intent::CartClear => commerce::clear_cart(ctx, session).await,
        Intent::Checkout => commerce::place_order(ctx, session).await,
        Intent::OrderCancel => commerce::cancel_order(ctx, session, order_id).await,
        _ => Answer::new(Some(intent), Situation::Done),
    }
}

/// The variables a template gets (see templates/README.md).
pub fn template_context(
    content: &Content,
    lang: Lang,
    currency: Currency,
    a: &Answer,
    cart: &CartSummary,
) -> Value {
    let currency = a
        .product
        .as_ref()
        .map(|p| p.currency)
        .or(a.products.first().map(|p| p.currency))
        .or(a.order.as_ref().map(|o| o.currency))
        .unwrap_or(currency);
    minijinja::context! {
        store_name => content.store.name.as_str(),
        currency => currency.code(),
        lang => lang.code(),
        count => a.count,
        products => Value::from_serialize(&a.products),
        product => a.product.as_ref().map(Value::from_serialize),
        summary => a.summary.as_str(),
        query => a.query.as_deref(),
        dropped => a.dropped.join(", "),
        reason => a.reason.as_deref(),
        slot => a.slot.as_deref(),
        options => Value::from_serialize(&a.options),
        quantity => a.quantity,
        cart => (cart.items > 0).then(|| Value::from_serialize(cart)),
        order => a.order.as_ref().map(Value::from_serialize),
        lines => Value::from_serialize(&a.lines),
        subtotal => a.subtotal,
        discount => a.discount,
        shipping => a.shipping,
        total => a.total.unwrap_or(cart.total),
        vouchers => Value::from_serialize(&a.vouchers),
        voucher => a.voucher.as_ref().map(Value::from_serialize),
        address => a.address.as_deref(),
        payment => a.payment.as_deref(),
        ticket => a.ticket.as_deref(),
    }
}

/// Reads the cart from the store into the session; the reply when that fails.
async fn cart_in_store(
    ctx: &mut Context<'_>,
    session: &mut Session,
    intent: Intent,
) -> Result<(), Answer> {
    match ctx.shop.cart(&session.owner(), ctx.now).await {
        Ok(cart) => {
            session.cart = cart;
            Ok(())
        }
        Err(e) => {
            ctx.notes.push(format!("shop: {e}"));
            tracing::error!(error = %e, "reading a cart failed");
            let mut a = Answer::new(Some(intent), Situation::NotFound);
            a.reason = Some(ctx.reason("shop_unavailable"));
            Err(a)
        }
    }
}

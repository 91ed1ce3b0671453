//! The cart, vouchers, checkout, orders and handoffs in chat. Each handler reads
//! what the conversation points at (an ordinal, the product in focus, a named cart
//! line), asks for what is missing (a size, an address, a payment method), and does
//! the rest through the [`Shop`](crate::shop::Shop): the store holds the stock and
//! says no when it is gone. Whatever the store answers, the customer gets a reply in
//! their language; a store failure is a polite "try again", never an error.

use super::act::{ask, follow_up, not_found, point_at, Answer, Context};
use super::session::{Pending, Session};
use super::views::{payment_label, variant_words, LineView, OrderView, VoucherView};
use crate::catalog::Variant;
use crate::content::templates::{format_money, Situation};
use crate::extract::Constraints;
use crate::intent::Intent;
use crate::shop::order::{CheckoutRequest, Quote};
use crate::shop::voucher::{discount, Basket};
use crate::shop::{Order, Refusal, ShopError};

/// The words of a reason, with its amounts, dates and names written in.
fn reason(ctx: &Context, key: &str, fill: &[(&str, String)]) -> String {
    let mut text = ctx.reason(key);
    for (name, value) in fill {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

fn money(ctx: &Context, amount: i64, currency: crate::lang::Currency) -> String {
    format_money(amount as f64, currency, ctx.lang)
}

/// Why a voucher does not apply, in the customer's words.
fn refusal_words(ctx: &Context, r: &Refusal) -> String {
    let rules = &ctx.content.commerce;
    let fill: Vec<(&str, String)> = match r {
        Refusal::NotYetValid { from } => vec![("date", rules.local_date(*from))],
        // the last day it was valid
        Refusal::Expired { until } => vec![("date", rules.local_date(until - 1))],
        Refusal::BelowMinimum { min, currency } => vec![("min", money(ctx, *min, *currency))],
        Refusal::WrongCategory { categories } => {
            let words = ctx.content.words(ctx.lang);
            let names: Vec<&str> = categories.iter().map(|c| words.category_name(c)).collect();
            vec![("categories", names.join(", "))]
        }
        Refusal::AnotherApplied { code } => vec![("code", code.clone())],
        _ => Vec::new(),
    };
    reason(ctx, r.key(), &fill)
}

/// The reply to a shop operation that could not be done.
fn refused(ctx: &mut Context, intent: Intent, e: ShopError) -> Answer {
    ctx.notes.push(format!("shop: {} ({e})", e.code()));
    if !e.is_customers() {
        tracing::error!(error = %e, "a shop operation failed");
    }
    let text = match &e {
        ShopError::EmptyCart => return Answer::new(Some(intent), Situation::Empty),
        ShopError::OutOfStock { available, .. } if *available > 0 => {
            reason(ctx, "stock_left", &[("available", available.to_string())])
        }
        ShopError::OutOfStock { .. } => reason(ctx, "out_of_stock", &[]),
        ShopError::VoucherNotApplicable { reason: r, .. } => refusal_words(ctx, r),
        ShopError::NotFound { what: "order", .. } => reason(ctx, "unknown_order", &[]),
        ShopError::NotFound {
            what: "cart line", ..
        } => reason(ctx, "not_in_cart", &[]),
        ShopError::NotFound { .. } => reason(ctx, "no_product", &[]),
        ShopError::NotCancellable { .. } => reason(ctx, "cannot_cancel", &[]),
        ShopError::NoPrice { .. } => reason(ctx, "no_price", &[]),
        ShopError::Quantity(_) => reason(
            ctx,
            "quantity_limit",
            &[("max", crate::shop::MAX_QUANTITY.to_string())],
        ),
        ShopError::Store(_) => reason(ctx, "shop_unavailable", &[]),
    };
    let mut a = Answer::new(Some(intent), Situation::NotFound);
    a.reason = Some(text);
    a
}

/// Reads the cart again (releasing holds that ran out) into the session.
async fn refresh(ctx: &mut Context<'_>, session: &mut Session) -> Result<(), ShopError> {
    session.cart = ctx.shop.cart(&session.owner(), ctx.now).await?;
    Ok(())
}

/// The cart priced now, kept in the session.
async fn quote(ctx: &mut Context<'_>, session: &mut Session) -> Result<Quote, ShopError> {
    let (cart, quote) = ctx
        .shop
        .quote(
            &session.owner(),
            ctx.shelf.catalog(),
            &ctx.content.commerce,
            ctx.currency,
            ctx.lang,
            ctx.now,
        )
        .await?;
    session.cart = cart;
    Ok(quote)
}

/// Fills an answer with a priced cart: its lines, amounts and voucher.
fn show_quote(ctx: &Context, session: &Session, q: &Quote, a: &mut Answer) {
    let words = ctx.content.words(ctx.lang);
    a.lines = q
        .lines
        .iter()
        .map(|l| {
            let held = session
                .cart
                .line(&l.sku)
                .is_none_or(|c| c.held >= c.quantity);
            LineView::new(l, held, words)
        })
        .collect();
    a.count = a.lines.len();
    a.subtotal = Some(q.subtotal);
    a.discount = Some(q.discount);
    a.shipping = Some(q.shipping);
    a.total = Some(q.total);
    a.currency = Some(q.currency);
    a.voucher = q.voucher.as_deref().map(|code| VoucherView {
        code: code.to_string(),
        description: ctx
            .content
            .commerce
            .voucher(code)
            .map(|v| v.description(ctx.lang).to_string())
            .unwrap_or_default(),
        discount: Some(q.discount),
    });
}

pub async fn cart_add(ctx: &mut Context<'_>, session: &mut Session, said: &Constraints) -> Answer {
    let pending = session.pending.take();
    let (pending_product, pending_quantity, mut chosen_sizes, mut chosen_colors, replaces) =
        match pending {
            Some(Pending::Slot {
                intent,
                product,
                quantity,
                sizes,
                colors,
                replaces,
                ..
            }) if intent == "cart_add" => (product, quantity, sizes, colors, replaces),
            _ => (None, None, Vec::new(), Vec::new(), None),
        };
    let id = match pending_product {
        Some(id) if said.ordinal.is_none() => Ok(id),
        _ => point_at(ctx, session, said),
    };
    let id = match id {
        Ok(id) => id,
        Err("ask") => {
            return ask(
                session,
                Intent::CartAdd,
                "ordinal",
                Vec::new(),
                None,
                said.quantity,
            )
        }
        Err(reason) => return not_found(ctx, Intent::CartAdd, reason),
    };
    let shelf = ctx.shelf;
    let Some(p) = shelf.catalog().get(&id) else {
        return not_found(ctx, Intent::CartAdd, "no_product");
    };
    session.focus = Some(id.clone());
    let quantity = said.quantity.or(pending_quantity).unwrap_or(1).max(1);
    // this message, else an earlier answer to the question, else the search
    if !said.sizes.is_empty() {
        chosen_sizes = said.sizes.clone();
    }
    if !said.colors.is_empty() {
        chosen_colors = said.colors.clone();
    }
    let sizes = if chosen_sizes.is_empty() {
        session.search.sizes.clone()
    } else {
        chosen_sizes
    };
    let colors = if chosen_colors.is_empty() {
        session.search.colors.clone()
    } else {
        chosen_colors
    };
    let fits = |v: &Variant| {
        (sizes.is_empty() || v.size.as_ref().is_some_and(|s| sizes.contains(s)))
            && (colors.is_empty() || v.color.as_ref().is_some_and(|c| colors.contains(c)))
    };
    let available: Vec<&Variant> = p
        .variants
        .iter()
        .filter(|v| fits(v) && v.stock > 0)
        .collect();
    let card = ctx.card(p);
    if available.is_empty() {
        // sold out in that size or colour, or never made in it
        let made = p.variants.iter().any(fits);
        let mut a = not_found(
            ctx,
            Intent::CartAdd,
            if made { "out_of_stock" } else { "no_variant" },
        );
        a.product = Some(card);
        return a;
    }
    let distinct = |f: fn(&Variant) -> Option<&String>| {
        let mut out: Vec<String> = Vec::new();
        for v in &available {
            if let Some(x) = f(v) {
                if !out.contains(x) {
                    out.push(x.clone());
                }
            }
        }
        out
    };
    let size_options = distinct(|v| v.size.as_ref());
    let color_options = distinct(|v| v.color.as_ref());
    let several_sizes = size_options.len() > 1;
    let several_colors = color_options.len() > 1;
    let question = if !ctx.content.dialogue.ask_variant {
        None
    } else if several_sizes && sizes.is_empty() {
        Some(("sizes", size_options))
    } else if several_colors && colors.is_empty() {
        // colours in the customer's words ("hitam", "đen")
        let words = ctx.content.words(ctx.lang);
        let named = color_options
            .iter()
            .map(|c| words.color_name(c).to_string())
            .collect();
        Some(("colors", named))
    } else {
        None
    };
    if let Some((slot, options)) = question {
        ctx.notes.push(format!("follow-up: asks for {slot}"));
        let a = ask(
            session,
            Intent::CartAdd,
            slot,
            options,
            Some(card),
            Some(quantity),
        );
        if let Some(Pending::Slot {
            sizes: s,
            colors: c,
            ..
        }) = &mut session.pending
        {
            *s = sizes;
            *c = colors;
        }
        return a;
    }
    let variant = available[0];
    // a size or colour said right after an add changes that line
    let replaced = replaces.and_then(|sku| session.cart.line(&sku).cloned());
    let quantity = match (&replaced, said.quantity) {
        (Some(old), None) => old.quantity,
        _ => quantity,
    };
    let owner = session.owner();
    let hold = ctx.content.commerce.reservation_ms;
    let same_line = replaced.as_ref().is_some_and(|old| old.sku == variant.sku);
    if !same_line {
        match ctx
            .shop
            .add_to_cart(&owner, &variant.sku, quantity, hold, ctx.now)
            .await
        {
            Ok(cart) => session.cart = cart,
            Err(e) => {
                let mut a = refused(ctx, Intent::CartAdd, e);
                a.product = Some(card);
                return a;
            }
        }
        if let Some(old) = &replaced {
            match ctx.shop.remove_from_cart(&owner, &old.sku, ctx.now).await {
                Ok(cart) => session.cart = cart,
                Err(e) => ctx.notes.push(format!("the replaced line stays: {e}")),
            }
        }
    }
    ctx.notes.push(format!(
        "cart: +{quantity} {} (held for {} min)",
        variant.sku,
        hold / 60_000
    ));
    // the variant was chosen for the customer: the next size or colour changes it
    let unchosen = (several_sizes && sizes.is_empty()) || (several_colors && colors.is_empty());
    let mut card = card;
    card.variant = variant_words(
        variant.size.as_deref(),
        variant.color.as_deref(),
        ctx.content.words(ctx.lang),
    );
    if unchosen {
        session.pending = Some(Pending::Slot {
            intent: Intent::CartAdd.name().to_string(),
            slot: "variant".into(),
            product: Some(p.id.clone()),
            quantity: Some(quantity),
            sizes,
            colors,
            replaces: Some(variant.sku.clone()),
        });
    }
    let mut a = Answer::new(Some(Intent::CartAdd), Situation::Done);
    a.product = Some(card);
    a.quantity = Some(quantity);
    a
}

fn names_something(said: &Constraints) -> bool {
    said.query.is_some() || !said.brands.is_empty() || said.category.is_some()
}

/// The cart line a message names ("hapus yang wardah", "bỏ cái xiaomi"): by brand,
/// category or a word of the product's name; none when it names nothing or
/// several lines match equally.
fn line_named(ctx: &Context, session: &Session, said: &Constraints) -> Option<usize> {
    let lines = &session.cart.lines;
    if !names_something(said) {
        return session
            .focus
            .as_ref()
            .and_then(|id| lines.iter().position(|l| &l.product_id == id));
    }
    let words: Vec<String> = said
        .query
        .as_deref()
        .map(|q| {
            q.split_whitespace()
                .map(crate::normalize::fold::fold)
                .collect()
        })
        .unwrap_or_default();
    let score = |product_id: &str| -> usize {
        let Some(p) = ctx.shelf.catalog().get(product_id) else {
            return 0;
        };
        let name = crate::normalize::fold::fold(&p.name.all().collect::<Vec<_>>().join(" "));
        let brand = p
            .brand
            .as_deref()
            .is_some_and(|b| said.brands.iter().any(|x| x == b));
        let category = said.category.as_deref() == Some(p.category.as_str());
        usize::from(brand) * 4
            + usize::from(category) * 2
            + words
                .iter()
                .filter(|w| name.split_whitespace().any(|n| n == w.as_str()))
                .count()
    };
    let scores: Vec<usize> = lines.iter().map(|l| score(&l.product_id)).collect();
    let best = *scores.iter().max()?;
    if best == 0 || scores.iter().filter(|&&s| s == best).count() > 1 {
        return None;
    }
    scores.iter().position(|&s| s == best)
}

pub async fn cart_remove(
    ctx: &mut Context<'_>,
    session: &mut Session,
    said: &Constraints,
) -> Answer {
    if let Err(e) = refresh(ctx, session).await {
        return refused(ctx, Intent::CartRemove, e);
    }
    let len = session.cart.lines.len();
    let index = match said.ordinal {
        Some(n) if n >= 1 && (n as usize) <= len => Some(n as usize - 1),
        Some(-1) if len > 0 => Some(len - 1),
        Some(_) => None,
        None if len == 1 && !names_something(said) => Some(0),
        None => line_named(ctx, session, said),
    };
    let Some(index) = index else {
        return not_found(ctx, Intent::CartRemove, "not_in_cart");
    };
    let line = session.cart.lines[index].clone();
    match ctx
        .shop
        .remove_from_cart(&session.owner(), &line.sku, ctx.now)
        .await
    {
        Ok(cart) => session.cart = cart,
        Err(e) => return refused(ctx, Intent::CartRemove, e),
    }
    ctx.notes.push(format!(
        "cart: removed {} ({} held released)",
        line.sku, line.held
    ));
    let mut a = Answer::new(Some(Intent::CartRemove), Situation::Done);
    a.product = ctx.product(&line.product_id).map(|p| ctx.card(p));
    a.quantity = Some(line.quantity);
    a
}

pub async fn cart_view(ctx: &mut Context<'_>, session: &mut Session, intent: Intent) -> Answer {
    let q = match quote(ctx, session).await {
        Ok(q) => q,
        Err(e) => return refused(ctx, intent, e),
    };
    if session.cart.is_empty() {
        return Answer::new(Some(intent), Situation::Empty);
    }
    let mut a = Answer::new(Some(intent), Situation::Found);
    show_quote(ctx, session, &q, &mut a);
    // before shipping: the cart shows what the goods cost
    a.total = Some(q.subtotal - q.discount);
    a.products = session
        .cart
        .lines
        .iter()
        .filter_map(|l| ctx.product(&l.product_id).map(|p| ctx.card(p)))
        .collect();
    a
}

/// Vouchers that apply to this cart; when none does (or the cart is empty), those
/// valid now.
pub async fn voucher_list(ctx: &mut Context<'_>, session: &mut Session) -> Answer {
    let intent = Intent::VoucherList;
    let q = match quote(ctx, session).await {
        Ok(q) => q,
        Err(e) => return refused(ctx, intent, e),
    };
    let lines = q.basket_lines();
    let owner = session.owner().key();
    let mut applies = Vec::new();
    let mut valid = Vec::new();
    for v in &ctx.content.commerce.vouchers {
        let (used, used_by_customer) = match ctx.shop.voucher_uses(&v.code, &owner).await {
            Ok(u) => u,
            Err(e) => return refused(ctx, intent, e),
        };
        let basket = Basket {
            currency: ctx.currency,
            lines: &lines,
            now: ctx.now,
            used,
            used_by_customer,
        };
        let view = |d| VoucherView {
            code: v.code.clone(),
            description: v.description(ctx.lang).to_string(),
            discount: d,
        };
        match discount(v, &basket) {
            Ok(off) => applies.push(view(Some(off))),
            Err(
                Refusal::EmptyCart
                | Refusal::BelowMinimum { .. }
                | Refusal::WrongCategory { .. }
                | Refusal::NoAmount { .. },
            ) => valid.push(view(None)),
            Err(r) => ctx.notes.push(format!("voucher {}: {r}", v.code)),
        }
    }
    ctx.notes.push(format!(
        "vouchers: {} apply to the cart, {} more valid now",
        applies.len(),
        valid.len()
    ));
    let shown = if applies.is_empty() { valid } else { applies };
    if shown.is_empty() {
        return Answer::new(Some(intent), Situation::NotFound);
    }
    let mut a = Answer::new(Some(intent), Situation::Found);
    a.count = shown.len();
    a.vouchers = shown;
    a
}

pub async fn voucher_apply(
    ctx: &mut Context<'_>,
    session: &mut Session,
    said: &Constraints,
) -> Answer {
    let intent = Intent::VoucherApply;
    let Some(code) = said.voucher_code.clone() else {
        let options = ctx
            .content
            .commerce
            .vouchers
            .iter()
            .filter(|v| v.valid_until.is_none_or(|u| ctx.now < u))
            .filter(|v| v.valid_from.is_none_or(|f| ctx.now >= f))
            .map(|v| v.code.clone())
            .collect();
        return ask(session, intent, "voucher_code", options, None, None);
    };
    let q = match quote(ctx, session).await {
        Ok(q) => q,
        Err(e) => return refused(ctx, intent, e),
    };
    let rules = &ctx.content.commerce;
    let voucher = rules.voucher(&code);
    let applied = ctx
        .shop
        .apply_voucher(
            &session.owner(),
            voucher,
            &code,
            &q.basket_lines(),
            ctx.currency,
            ctx.now,
        )
        .await;
    match applied {
        Ok(off) => {
            ctx.notes.push(format!(
                "voucher {code} applied: -{off} {}",
                ctx.currency.code()
            ));
            session.cart.voucher = voucher.map(|v| v.code.clone());
            let mut a = Answer::new(Some(intent), Situation::Done);
            a.voucher = voucher.map(|v| VoucherView {
                code: v.code.clone(),
                description: v.description(ctx.lang).to_string(),
                discount: Some(off),
            });
            a.subtotal = Some(q.subtotal);
            a.discount = Some(off);
            a.total = Some(q.subtotal - off);
            a.currency = Some(q.currency);
            a
        }
        Err(e) => {
            let mut a = refused(ctx, intent, e);
            a.query = Some(code);
            a
        }
    }
}

/// Checkout: the cart priced, then the address and the payment method when not
/// known yet, then a summary to confirm.
pub async fn checkout(ctx: &mut Context<'_>, session: &mut Session) -> Answer {
    let intent = Intent::Checkout;
    let q = match quote(ctx, session).await {
        Ok(q) => q,
        Err(e) => return refused(ctx, intent, e),
    };
    if session.cart.is_empty() {
        return Answer::new(Some(intent), Situation::Empty);
    }
    if let Some(r) = &q.voucher_refused {
        // the cart changed since the voucher went on: say so, take it off
        let code = q.voucher.clone().unwrap_or_default();
        ctx.notes
            .push(format!("voucher {code} no longer applies: {r}"));
        if let Err(e) = ctx.shop.remove_voucher(&session.owner(), ctx.now).await {
            return refused(ctx, intent, e);
        }
        session.cart.voucher = None;
        let mut a = Answer::new(Some(intent), Situation::NotFound);
        a.reason = Some(refusal_words(ctx, r));
        a.query = Some(code);
        return a;
    }
    let rules = &ctx.content.commerce;
    if session.address.is_none() {
        ctx.notes.push("checkout: asks for the address".into());
        return ask(session, intent, "address", Vec::new(), None, None);
    }
    if session.payment.is_none() {
        ctx.notes
            .push("checkout: asks for the payment method".into());
        let options = rules
            .payment_methods
            .iter()
            .map(|m| m.label[ctx.lang.index()].clone())
            .collect();
        return ask(session, intent, "payment_method", options, None, None);
    }
    let mut a = super::act::confirm(ctx, session, intent, None).await;
    if a.situation != Situation::Confirm {
        return a;
    }
    show_quote(ctx, session, &q, &mut a);
    a.address = session.address.clone();
    a.payment = session
        .payment
        .as_deref()
        .map(|m| payment_label(rules, m, ctx.lang));
    a
}

fn order_answer(ctx: &Context, intent: Intent, situation: Situation, o: &Order) -> Answer {
    let mut a = Answer::new(Some(intent), situation);
    let view = OrderView::new(
        o,
        ctx.content.words(ctx.lang),
        &ctx.content.commerce,
        ctx.lang,
    );
    a.currency = Some(o.currency);
    a.total = Some(o.total);
    a.subtotal = Some(o.subtotal);
    a.discount = Some(o.discount);
    a.shipping = Some(o.shipping);
    a.lines = view.lines.clone();
    a.address = view.address.clone();
    a.payment = view.payment.clone();
    a.order = Some(view);
    a
}

/// Places the order the customer confirmed.
pub async fn place_order(ctx: &mut Context<'_>, session: &mut Session) -> Answer {
    let intent = Intent::Checkout;
    let owner = session.owner();
    let req = CheckoutRequest {
        owner: &owner,
        session_id: &session.id,
        customer_id: session.customer.as_deref(),
        currency: ctx.currency,
        lang: ctx.lang,
        address: session.address.as_deref(),
        payment_method: session.payment.as_deref(),
    };
    let placed = ctx
        .shop
        .checkout(&req, ctx.shelf.catalog(), &ctx.content.commerce, ctx.now)
        .await;
    match placed {
        Ok(order) => {
            ctx.notes.push(format!(
                "order {} placed: {} {}",
                order.id,
                order.total,
                order.currency.code()
            ));
            session.cart = Default::default();
            order_answer(ctx, intent, Situation::Done, &order)
        }
        Err(e) => {
            let a = refused(ctx, intent, e);
            if let Err(e) = refresh(ctx, session).await {
                ctx.notes
                    .push(format!("the cart could not be read again: {e}"));
            }
            a
        }
    }
}

/// `order_status` and `order_cancel`: the order named, else the latest one.
pub async fn order(
    ctx: &mut Context<'_>,
    session: &mut Session,
    intent: Intent,
    said: &Constraints,
) -> Answer {
    let customer = session.customer.clone();
    let found = match &said.order_id {
        Some(id) => ctx.shop.order(id, &session.id, customer.as_deref()).await,
        None => ctx
            .shop
            .orders(&session.id, customer.as_deref())
            .await
            .map(|o| o.into_iter().next()),
    };
    let found = match found {
        Ok(o) => o,
        Err(e) => return refused(ctx, intent, e),
    };
    let known = Constraints {
        order_id: said
            .order_id
            .clone()
            .or_else(|| found.as_ref().map(|o| o.id.clone())),
        ..Constraints::default()
    };
    if let Some(slot) = follow_up(ctx, intent, &known).map(|f| f.slot.clone()) {
        return ask(session, intent, &slot, Vec::new(), None, None);
    }
    let Some(order) = found else {
        let mut a = not_found(ctx, intent, "unknown_order");
        a.query = said.order_id.clone();
        return a;
    };
    ctx.notes
        .push(format!("order {} is {}", order.id, order.status));
    if intent == Intent::OrderCancel {
        let rules = &ctx.content.commerce;
        if !rules.cancel_statuses.contains(&order.status)
            || ctx.now - order.created_at > rules.cancel_within_ms
        {
            let mut a = order_answer(ctx, intent, Situation::NotFound, &order);
            let why = if order.status == "cancelled" {
                "already_cancelled"
            } else {
                "cannot_cancel"
            };
            a.reason = Some(reason(ctx, why, &[]));
            a.query = Some(order.id.clone());
            return a;
        }
        let mut a = super::act::confirm(ctx, session, intent, Some(order.id.clone())).await;
        if a.situation == Situation::Confirm {
            let shown = order_answer(ctx, intent, Situation::Confirm, &order);
            a.order = shown.order;
            a.total = shown.total;
            a.currency = shown.currency;
        }
        return a;
    }
    order_answer(ctx, intent, Situation::Found, &order)
}

/// Cancels the order the customer confirmed.
pub async fn cancel_order(
    ctx: &mut Context<'_>,
    session: &mut Session,
    id: Option<String>,
) -> Answer {
    let intent = Intent::OrderCancel;
    let Some(id) = id else {
        return not_found(ctx, intent, "unknown_order");
    };
    let cancelled = ctx
        .shop
        .cancel_order(
            &id,
            &session.id,
            session.customer.as_deref(),
            &ctx.content.commerce,
            ctx.now,
        )
        .await;
    match cancelled {
        Ok(order) => {
            ctx.notes.push(format!(
                "order {} cancelled; its units are back in stock",
                order.id
            ));
            order_answer(ctx, intent, Situation::Done, &order)
        }
        Err(e) => {
            let mut a = refused(ctx, intent, e);
            a.query = Some(id);
            a
        }
    }
}

/// Empties the cart the customer confirmed emptying.
pub async fn clear_cart(ctx: &mut Context<'_>, session: &mut Session) -> Answer {
    match ctx.shop.clear_cart(&session.owner(), ctx.now).await {
        Ok(()) => {
            session.cart = Default::default();
            ctx.notes.push("cart cleared; holds released".into());
            Answer::new(Some(Intent::CartClear), Situation::Done)
        }
        Err(e) => refused(ctx, Intent::CartClear, e),
    }
}

/// Records the handoff; the reply quotes its number when the store took it.
pub async fn hand_off(ctx: &mut Context<'_>, session: &Session, intent: Intent) -> Answer {
    let mut a = Answer::new(Some(intent), Situation::Handoff);
    match ctx
        .shop
        .hand_off(
            &session.id,
            session.customer.as_deref(),
            intent.name(),
            ctx.text,
            ctx.lang,
            ctx.now,
        )
        .await
    {
        Ok(ticket) => {
            ctx.notes.push(format!("handoff {ticket} recorded"));
            a.ticket = Some(ticket);
        }
        Err(e) => {
            tracing::error!(error = %e, "recording a handoff failed");
            ctx.notes
                .push(format!("the handoff could not be recorded: {e}"));
        }
    }
    a
}

/// While checkout waits for an address or a payment method: takes them from the
/// message ("Jl. Mawar No. 5, Bandung", "gopay aja"). True when the message gave
/// what was asked, so the turn continues the checkout.
pub fn take_checkout_detail(
    rules: &crate::shop::CommerceRules,
    session: &mut Session,
    text: &str,
    intent_said: Option<Intent>,
    lang: crate::lang::Lang,
    notes: &mut Vec<String>,
) -> bool {
    let Some(Pending::Slot { intent, slot, .. }) = &session.pending else {
        return false;
    };
    if intent != Intent::Checkout.name() {
        return false;
    }
    match slot.as_str() {
        "address" if rules.looks_like_address(text, lang) => {
            notes.push("the message is the delivery address".into());
            session.address = Some(text.trim().to_string());
        }
        "payment_method" if let Some(m) = rules.payment_method_in(text, lang) => {
            notes.push(format!("payment method {}", m.id));
            session.payment = Some(m.id.clone());
        }
        // "ok" or "checkout" instead of the detail: the question is asked again
        "address" | "payment_method"
            if matches!(intent_said, Some(Intent::Affirm | Intent::Checkout)) =>
        {
            notes.push(format!("{slot} still missing: asked again"));
        }
        _ => return false,
    }
    session.pending = None;
    true
}

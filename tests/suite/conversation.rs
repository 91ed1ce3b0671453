//! Search and conversations over the demo store: typos, synonyms, filters, sorts,
//! relaxation, refinement, ordinals, follow-up questions, confirmations, language
//! switches, and bad input that must get a clear reply rather than a panic.

use super::{assistant, found_names, play_with, shop};
use pasar::dialogue::act::request;
use pasar::dialogue::{Session, Source, TurnOutcome};
use pasar::extract::Constraints;
use pasar::intent::Intent;
use pasar::lang::{Currency, Lang};

/// Plays messages in one session and returns every outcome.
fn play(messages: &[&str]) -> (Session, Vec<TurnOutcome>) {
    let mut session = Session::new("test-session");
    let outs = play_with(assistant(), &shop(), &mut session, messages);
    (session, outs)
}

fn search(c: Constraints) -> Vec<String> {
    found_names(assistant(), &c, 5)
}

fn words(q: &str) -> Constraints {
    Constraints {
        query: Some(q.to_string()),
        ..Constraints::default()
    }
}

#[test]
fn typos_and_missing_marks_still_find_products() {
    assert!(search(words("spatu")).iter().all(|n| n.contains("sepatu")));
    assert!(!search(words("spatu")).is_empty());
    let giay = search(words("giay"));
    assert!(!giay.is_empty());
    assert_eq!(giay, search(words("giầy")));
    assert_eq!(giay, search(words("giày")));
    assert!(search(words("powerbnk"))
        .iter()
        .any(|n| n.contains("powerbank")));
}

#[test]
fn synonyms_from_the_lexicons_widen_a_search() {
    // "ponsel" is in no product name; the lexicon says it means handphone/hp
    let ponsel = search(words("ponsel"));
    assert!(!ponsel.is_empty(), "ponsel finds phones");
    assert!(ponsel.iter().all(|n| n.starts_with("hp ")), "{ponsel:?}");
    let dt = search(words("đt"));
    assert!(!dt.is_empty(), "đt finds phones");
}

#[test]
fn filters_hold_for_one_variant_and_the_price_range() {
    let a = assistant();
    let c = Constraints {
        category: Some("shoes".into()),
        colors: vec!["red".into()],
        price_max: Some(500_000),
        currency: Some(Currency::Idr),
        ..Constraints::default()
    };
    let req = request(&c, &a.shelf, Currency::Idr, 50, &[]);
    let found = a.shelf.search(&req);
    assert!(found.total >= 3);
    for &i in &found.hits {
        let p = &a.shelf.catalog().products()[i as usize];
        assert_eq!(p.category, "shoes");
        assert!(p.prices.idr.unwrap() <= 500_000);
        assert!(p
            .variants
            .iter()
            .any(|v| v.color.as_deref() == Some("red") && v.stock > 0));
    }
}

#[test]
fn sort_orders_are_kept() {
    let a = assistant();
    for (sort, check) in [
        (
            "price_asc",
            (|a: i64, b: i64| a <= b) as fn(i64, i64) -> bool,
        ),
        ("price_desc", |a, b| a >= b),
    ] {
        let c = Constraints {
            category: Some("phones".into()),
            sort: Some(sort.into()),
            ..Constraints::default()
        };
        let req = request(&c, &a.shelf, Currency::Idr, 5, &[]);
        let prices: Vec<i64> = a
            .shelf
            .search(&req)
            .hits
            .iter()
            .map(|&i| a.shelf.catalog().products()[i as usize].prices.idr.unwrap())
            .collect();
        assert_eq!(prices.len(), 5);
        assert!(
            prices.windows(2).all(|w| check(w[0], w[1])),
            "{sort}: {prices:?}"
        );
    }
}

#[test]
fn nothing_found_gives_up_the_least_important_constraint_and_says_so() {
    let (_, outs) = play(&["ada hijab warna emas di bawah 10rb?"]);
    let out = &outs[0];
    assert_eq!(out.intent, Some(Intent::ProductSearch));
    assert!(!out.products.is_empty(), "{}", out.reply.text);
    assert!(out.template.contains("relaxed"), "{}", out.template);
}

#[test]
fn a_refinement_keeps_the_search_and_an_ordinal_points_into_the_list() {
    let (session, outs) = play(&[
        "ada sepatu lari di bawah 500rb?",
        "yang merah ada?",
        "yang pertama berapa harganya?",
    ]);
    assert_eq!(outs[1].constraints.category.as_deref(), Some("shoes"));
    assert_eq!(outs[1].constraints.price_max, Some(500_000));
    assert_eq!(outs[1].constraints.colors, vec!["red".to_string()]);
    assert!(!outs[1].products.is_empty());
    assert_eq!(outs[2].intent, Some(Intent::PriceCheck));
    assert_eq!(outs[2].products[0].id, outs[1].products[0].id);
    assert!(outs[2].reply.text.contains("Rp"), "{}", outs[2].reply.text);
    assert_eq!(
        session.focus.as_deref(),
        Some(outs[1].products[0].id.as_str())
    );
}

#[test]
fn an_ordinal_past_the_end_of_the_list_is_a_clear_reply() {
    let (_, outs) = play(&["ada sepatu lari merah di bawah 250rb?", "yang ke-9 berapa?"]);
    let n = outs[0].products.len();
    assert!(n < 9);
    assert!(
        outs[1].template.contains("not_found"),
        "{}",
        outs[1].template
    );
    assert!(
        outs[1].reply.text.contains("daftar"),
        "{}",
        outs[1].reply.text
    );
}

#[test]
fn adding_to_the_cart_takes_a_fitting_variant_and_names_it() {
    let (session, outs) = play(&[
        "cari sepatu lari aerostreet warna merah",
        "yang pertama masukin keranjang",
    ]);
    assert_eq!(outs[1].intent, Some(Intent::CartAdd));
    assert_eq!(session.cart.lines.len(), 1, "{}", outs[1].reply.text);
    // the colour said in the search is the one taken, and the reply says so
    assert!(
        session.cart.lines[0].sku.ends_with("-red"),
        "{:?}",
        session.cart
    );
    assert!(
        outs[1].reply.text.contains("merah)"),
        "{}",
        outs[1].reply.text
    );
}

#[test]
fn with_ask_variant_the_cart_asks_the_size_then_the_colour() {
    let dir = super::content_copy();
    let rules = dir.path().join("rules/dialogue.yaml");
    let text = std::fs::read_to_string(&rules).expect("dialogue rules");
    std::fs::write(
        &rules,
        text.replace("ask_variant: false", "ask_variant: true"),
    )
    .expect("write");
    let content = pasar::content::Content::load(dir.path()).expect("the content copy");
    let a =
        pasar::dialogue::Assistant::new(std::sync::Arc::new(content), assistant().shelf.clone());
    let mut session = Session::new("ask-variant");
    let outs = play_with(
        &a,
        &shop(),
        &mut session,
        &[
            "cari sepatu lari aerostreet",
            "yang pertama masukin keranjang",
            "40",
            "yang merah",
        ],
    );
    assert!(
        outs[1].template.contains("cart_add.ask"),
        "{}",
        outs[1].template
    );
    // the product comes in two colours in size 40: which one? (in the customer's words)
    assert!(
        outs[2].template.contains("cart_add.ask"),
        "{}",
        outs[2].template
    );
    assert!(
        outs[2].reply.text.contains("merah"),
        "{}",
        outs[2].reply.text
    );
    assert_eq!(session.cart.lines.len(), 1, "{}", outs[3].reply.text);
    assert_eq!(outs[3].intent, Some(Intent::CartAdd));
    assert!(
        session.cart.lines[0].sku.ends_with("-40-red"),
        "{:?}",
        session.cart
    );
}

#[test]
fn clearing_the_cart_waits_for_a_yes() {
    let (session, outs) = play(&[
        "cari kaos polos putih ukuran M",
        "yang pertama masukin keranjang",
        "kosongkan keranjang",
        "iya",
    ]);
    assert_eq!(outs[1].cart.items, 1, "{}", outs[1].reply.text);
    assert!(outs[2].template.contains("cart_clear.confirm"));
    assert_eq!(outs[2].cart.items, 1);
    assert_eq!(outs[3].intent, Some(Intent::Affirm));
    assert!(outs[3].template.contains("cart_clear.done"));
    assert!(session.cart.is_empty());
}

#[test]
fn the_reply_follows_the_language_of_each_message() {
    let (_, outs) = play(&[
        "ada sepatu sneakers di bawah 500rb?",
        "có giày sneaker dưới 1 triệu không",
        "do you have sneakers under 500k",
    ]);
    assert_eq!(outs[0].lang, Lang::Id);
    assert!(outs[0].reply.text.contains("Rp "));
    assert_eq!(outs[1].lang, Lang::Vi);
    assert!(outs[1].reply.text.contains(" ₫"), "{}", outs[1].reply.text);
    assert_eq!(outs[2].lang, Lang::En);
}

#[test]
fn an_unsure_turn_is_answered_in_fallback_mode() {
    let (_, outs) = play(&["asdf qwer zxcv", "🙂🙂"]);
    for out in &outs {
        assert!(out.escalate);
        assert_eq!(out.source, Source::Fallback);
        assert!(!out.reply.text.is_empty());
    }
}

#[test]
fn every_reply_is_rendered_in_every_language() {
    // one message per intent and language family: none may come back empty
    let messages = [
        "halo",
        "makasih kak",
        "ongkir ke medan berapa",
        "bisa bayar cod?",
        "cara retur gimana",
        "ukuran sepatu 42 itu berapa cm",
        "mau ngomong sama admin",
        "barangnya rusak kak",
        "cek pesanan PSR-000001",
        "batalin pesanan PSR-000001",
        "ada voucher?",
        "pakai voucher HEMAT10",
        "checkout",
        "lihat keranjang",
        "chào shop",
        "phí ship bao nhiêu",
        "cảm ơn",
        "hello",
        "thanks",
    ];
    let (_, outs) = play(&messages);
    for (m, out) in messages.iter().zip(&outs) {
        assert!(
            !out.reply.text.trim().is_empty(),
            "{m}: empty reply ({})",
            out.template
        );
    }
}

#[test]
fn asking_again_confirms_and_a_yes_after_a_price_adds_it() {
    let (session, outs) = play(&[
        "cari kaos polos putih ukuran M",
        "yang pertama berapa harganya?",
        "iya",
        "checkout",
        "Rina, 0812 3456 7890, Jl. Melati No. 7, Kec. Lowokwaru, Malang",
        "transfer bca",
        "checkout aja",
    ]);
    // the price reply offers the cart: a yes adds the product in focus
    assert_eq!(outs[2].intent, Some(Intent::Affirm));
    assert!(
        outs[2].template.contains("cart_add.done"),
        "{}",
        outs[2].template
    );
    // checkout asks where to and how to pay, then shows the summary
    assert!(
        outs[3].template.contains("checkout.ask"),
        "{}",
        outs[3].template
    );
    assert!(
        outs[4].template.contains("checkout.ask"),
        "{}",
        outs[4].template
    );
    assert_eq!(
        session.address.as_deref(),
        Some("Rina, 0812 3456 7890, Jl. Melati No. 7, Kec. Lowokwaru, Malang")
    );
    assert_eq!(session.payment.as_deref(), Some("bank_transfer"));
    assert!(
        outs[5].template.contains("checkout.confirm"),
        "{}",
        outs[5].template
    );
    // repeating the request while its confirmation waits carries it out
    assert_eq!(outs[6].intent, Some(Intent::Checkout));
    assert!(
        outs[6].template.contains("checkout.done"),
        "{}",
        outs[6].template
    );
    assert!(session.cart.is_empty());
}

#[test]
fn a_size_right_after_an_add_changes_that_line() {
    let (session, outs) = play(&[
        "cari sepatu lari aerostreet osaka runner",
        "yang pertama masukin keranjang",
        "ukuran 40 kak",
    ]);
    assert_eq!(outs[1].cart.items, 1, "{}", outs[1].reply.text);
    assert_eq!(
        outs[2].intent,
        Some(Intent::CartAdd),
        "{}",
        outs[2].reply.text
    );
    assert_eq!(session.cart.lines.len(), 1, "{:?}", session.cart);
    assert!(
        session.cart.lines[0].sku.contains("-40-"),
        "{:?}",
        session.cart
    );
    assert!(
        outs[2].reply.text.contains("(40, "),
        "{}",
        outs[2].reply.text
    );
}

#[test]
fn a_colour_during_a_search_refines_it_by_rules() {
    // CONTRACT section 2's own example: "yang merah ada?"
    let (_, outs) = play(&["ada sepatu lari?", "yang merah ada?"]);
    let out = &outs[1];
    assert_eq!(out.intent, Some(Intent::ProductSearch));
    assert!(!out.escalate);
    assert_eq!(out.source, Source::Rules);
    assert_eq!(out.constraints.category.as_deref(), Some("shoes"));
    assert_eq!(out.constraints.colors, vec!["red".to_string()]);
    assert!(!out.products.is_empty());
}

#[test]
fn a_short_mixed_message_stays_in_the_conversations_language() {
    let (_, outs) = play(&[
        "do you have sneakers under 500k",
        "add the first one",
        "checkout",
        "ok",
    ]);
    for out in &outs[1..] {
        assert_eq!(out.lang, Lang::En, "{}", out.reply.text);
    }
    let (_, outs) = play(&["có giày sneaker dưới 1 triệu không", "ok"]);
    assert_eq!(outs[1].lang, Lang::Vi, "{}", outs[1].reply.text);
}

#[test]
fn another_size_after_a_stock_answer_asks_about_the_same_product() {
    let (_, outs) = play(&[
        "ada sepatu nike revolution 7?",
        "yang pertama ready?",
        "kalau 44?",
    ]);
    assert_eq!(outs[1].intent, Some(Intent::StockCheck));
    assert_eq!(
        outs[2].intent,
        Some(Intent::StockCheck),
        "{}",
        outs[2].reply.text
    );
    assert!(!outs[2].escalate);
    assert_eq!(outs[2].constraints.sizes, vec!["44".to_string()]);
    assert_eq!(outs[2].products[0].id, outs[1].products[0].id);
}

#[test]
fn an_ordinal_after_a_stock_answer_is_not_a_size() {
    // "2" in "cái thứ 2" must not be read as a size answering the stock question
    let (session, outs) = play(&[
        "cari kaos polos putih ukuran L",
        "yang pertama ready?",
        "ok lấy cái thứ 2 nha",
    ]);
    assert_eq!(outs[1].intent, Some(Intent::StockCheck));
    assert_eq!(
        outs[2].intent,
        Some(Intent::CartAdd),
        "{}",
        outs[2].reply.text
    );
    assert_eq!(session.cart.lines.len(), 1, "{}", outs[2].reply.text);
    assert_eq!(session.cart.lines[0].product_id, outs[0].products[1].id);
}

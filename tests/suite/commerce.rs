//! Commerce in the store on both backends (SQLite file always; PostgreSQL when
//! `PASAR_TEST_POSTGRES_URL` is set, failing if it is set and unreachable): racing
//! buyers for the last units, expiry sweeps and checkouts at once, vouchers and
//! their edge cases, cancellation within the policy, and who may see an order.

use super::block_on;
use pasar::catalog::import::{parse, Format};
use pasar::catalog::Catalog;
use pasar::lang::{Currency, Lang};
use pasar::shop::order::CheckoutRequest;
use pasar::shop::rules::{Amounts, CommerceRules, Voucher, VoucherKind};
use pasar::shop::voucher::{discount, Basket};
use pasar::shop::{Owner, Refusal, Shop, ShopError};
use pasar::store::{now_millis, Store};
use std::sync::Arc;

const MINUTE: i64 = 60_000;

/// A catalog of one shoe (7 units) and one serum (50 units), with ids unique to
/// this run (the PostgreSQL database is shared).
fn little_catalog(run: &str) -> Catalog {
    let json = format!(
        r#"{{"products": [
        {{"id": "shoe-{run}", "category": "shoes", "name": {{"id": "Sepatu Uji {run}"}},
          "prices": {{"IDR": 300000, "VND": 500000}},
          "variants": [{{"sku": "shoe-{run}-42", "size": "42", "color": "black", "stock": 7}}]}},
        {{"id": "serum-{run}", "category": "skincare", "name": {{"id": "Serum Uji {run}"}},
          "prices": {{"IDR": 80000, "VND": 150000}},
          "variants": [{{"sku": "serum-{run}", "stock": 50}}]}}
    ]}}"#
    );
    parse(&json, Format::Json, "the test catalog").expect("a valid catalog")
}

struct Fixture {
    shop: Shop,
    catalog: Catalog,
    shoe: String,
    serum: String,
}

async fn fixture(url: &str) -> Fixture {
    let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_string();
    let store = Store::open(url).await.expect("the store opens");
    let catalog = little_catalog(&run);
    store.import_catalog(&catalog).await.expect("import");
    Fixture {
        shop: Shop::new(store),
        catalog,
        shoe: format!("shoe-{run}-42"),
        serum: format!("serum-{run}"),
    }
}

fn guest(i: usize) -> Owner {
    Owner::Session(format!("guest-{}-{i}", uuid::Uuid::new_v4().simple()))
}

fn rules() -> CommerceRules {
    super::content().commerce.clone()
}

async fn assert_sound(shop: &Shop, sku: &str) -> pasar::shop::stock::Audit {
    let a = shop.audit(sku).await.expect("audit");
    assert!(a.is_sound(), "{sku}: {a:?}");
    a
}

async fn checkout(f: &Fixture, owner: &Owner, now: i64) -> Result<pasar::shop::Order, ShopError> {
    let session = match owner {
        Owner::Session(s) | Owner::Customer(s) => s.clone(),
    };
    let req = CheckoutRequest {
        owner,
        session_id: &session,
        customer_id: match owner {
            Owner::Customer(c) => Some(c),
            Owner::Session(_) => None,
        },
        currency: Currency::Idr,
        lang: Lang::Id,
        address: Some("Jl. Uji No. 1, Bandung"),
        payment_method: Some("cod"),
    };
    f.shop.checkout(&req, &f.catalog, &rules(), now).await
}

/// 200 buyers at once for 7 units; then checkouts, expiry sweeps and new buyers
/// at once.
async fn race(url: &str) {
    let f = Arc::new(fixture(url).await);
    let now = now_millis();
    let owners: Vec<Owner> = (0..200).map(guest).collect();
    let mut tasks = Vec::new();
    for o in owners.clone() {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            let r = f.shop.add_to_cart(&o, &f.shoe, 1, 30 * MINUTE, now).await;
            (o, r)
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        match t.await.expect("the task ran") {
            (o, Ok(cart)) => {
                assert_eq!(cart.lines[0].held, 1);
                winners.push(o);
            }
            (_, Err(ShopError::OutOfStock { available, .. })) => assert_eq!(available, 0),
            (_, Err(e)) => panic!("a buyer got {e}"),
        }
    }
    assert_eq!(winners.len(), 7, "exactly the 7 units are held");
    let a = assert_sound(&f.shop, &f.shoe).await;
    assert_eq!((a.stock, a.reserved), (7, 7));

    // 31 minutes on: every hold has run out. Checkouts, sweeps and new buyers race.
    let later = now + 31 * MINUTE;
    let mut tasks = Vec::new();
    for o in winners.clone() {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            checkout(&f, &o, later)
                .await
                .map(|_| ())
                .map_err(|e| e.code())
        }));
    }
    for _ in 0..4 {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            f.shop.sweep(later).await.map(|_| ()).map_err(|e| e.code())
        }));
    }
    for o in (200..250).map(guest) {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            f.shop
                .add_to_cart(&o, &f.shoe, 1, 30 * MINUTE, later)
                .await
                .map(|_| ())
                .map_err(|e| e.code())
        }));
    }
    for t in tasks {
        match t.await.expect("the task ran") {
            Ok(()) | Err("out_of_stock") => {}
            Err(code) => panic!("unexpected {code}"),
        }
    }
    let a = assert_sound(&f.shop, &f.shoe).await;
    assert!(a.stock >= 0 && a.reserved >= 0, "{a:?}");
    assert_eq!(
        a.sold + a.stock,
        7,
        "every unit is either sold or on the shelf: {a:?}"
    );
    assert!(a.reserved + a.sold <= 7, "{a:?}");
    // after every hold runs out, nothing stays reserved
    f.shop.sweep(later + 31 * MINUTE).await.expect("sweep");
    let a = assert_sound(&f.shop, &f.shoe).await;
    assert_eq!(a.reserved, 0, "{a:?}");
}

/// Holds, expiry, vouchers, checkout, cancellation and visibility on one backend.
async fn lifecycle(url: &str) {
    let f = fixture(url).await;
    let rules = rules();
    // ten days ahead: the race's sweeps on the shared PostgreSQL database (at its
    // own "later") must not release this test's holds
    let now = now_millis() + 10 * 24 * 60 * MINUTE;
    let me = guest(0);
    // adding holds; more than is free is refused with what is free
    f.shop
        .add_to_cart(&me, &f.shoe, 2, 30 * MINUTE, now)
        .await
        .expect("add");
    match f.shop.add_to_cart(&me, &f.shoe, 6, 30 * MINUTE, now).await {
        Err(ShopError::OutOfStock { available, .. }) => assert_eq!(available, 5),
        other => panic!("expected out_of_stock, got {other:?}"),
    }
    // changing the quantity holds or releases the difference
    f.shop
        .set_quantity(&me, &f.shoe, 3, 30 * MINUTE, now)
        .await
        .expect("set");
    assert_eq!(f.shop.level(&f.shoe).await.expect("level").reserved, 3);
    f.shop
        .set_quantity(&me, &f.shoe, 1, 30 * MINUTE, now)
        .await
        .expect("set");
    assert_eq!(f.shop.level(&f.shoe).await.expect("level").reserved, 1);
    // reading the cart after the hold ran out releases it; the line stays
    let cart = f.shop.cart(&me, now + 31 * MINUTE).await.expect("cart");
    assert_eq!(cart.lines.len(), 1);
    assert_eq!(cart.lines[0].held, 0);
    assert_eq!(f.shop.level(&f.shoe).await.expect("level").reserved, 0);
    let kinds: Vec<String> = f
        .shop
        .movements(&f.shoe)
        .await
        .expect("ledger")
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(
        kinds,
        ["restock", "reserve", "reserve", "release", "release"]
    );

    // a voucher for shoes only, on a cart of one shoe
    let lines = vec![("shoes".to_string(), 300_000)];
    let off = f
        .shop
        .apply_voucher(
            &me,
            rules.voucher("SEPATU20"),
            "sepatu20",
            &lines,
            Currency::Idr,
            now,
        )
        .await
        .expect("SEPATU20 applies to shoes");
    assert_eq!(off, 60_000);
    // one voucher per order
    match f
        .shop
        .apply_voucher(
            &me,
            rules.voucher("HEMAT10"),
            "HEMAT10",
            &lines,
            Currency::Idr,
            now,
        )
        .await
    {
        Err(ShopError::VoucherNotApplicable {
            reason: Refusal::AnotherApplied { code },
            ..
        }) => {
            assert_eq!(code, "SEPATU20")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // checkout re-holds the unheld line, sells it, counts the voucher, copies names
    let order = checkout(&f, &me, now + 32 * MINUTE)
        .await
        .expect("checkout");
    assert_eq!(order.subtotal, 300_000);
    assert_eq!(order.discount, 60_000);
    assert_eq!(
        order.shipping, 0,
        "free shipping from Rp 200.000 after the discount"
    );
    assert_eq!(order.total, 240_000);
    assert_eq!(
        order.lines[0].name,
        f.catalog.products()[0].name.get(Lang::Id)
    );
    assert!(f.shop.cart(&me, now).await.expect("cart").is_empty());
    assert_eq!(
        f.shop
            .voucher_uses("SEPATU20", &me.key())
            .await
            .expect("uses")
            .1,
        1
    );
    let a = assert_sound(&f.shop, &f.shoe).await;
    assert_eq!((a.stock, a.sold), (6, 1));

    // only this session sees the order
    let session = match &me {
        Owner::Session(s) => s.clone(),
        Owner::Customer(_) => unreachable!(),
    };
    assert!(f
        .shop
        .order(&order.id, &session, None)
        .await
        .expect("order")
        .is_some());
    assert!(f
        .shop
        .order(&order.id, "someone-else", None)
        .await
        .expect("order")
        .is_none());
    assert_eq!(
        f.shop.orders(&session, None).await.expect("orders").len(),
        1
    );

    // outside the window it cannot be cancelled; inside it can, once
    let late = order.created_at + rules.cancel_within_ms + 1;
    assert!(matches!(
        f.shop
            .cancel_order(&order.id, &session, None, &rules, late)
            .await,
        Err(ShopError::NotCancellable { .. })
    ));
    let cancelled = f
        .shop
        .cancel_order(&order.id, &session, None, &rules, now + 40 * MINUTE)
        .await
        .expect("cancel");
    assert_eq!(cancelled.status, "cancelled");
    assert!(matches!(
        f.shop
            .cancel_order(&order.id, &session, None, &rules, now + 41 * MINUTE)
            .await,
        Err(ShopError::NotCancellable { .. })
    ));
    // the unit is back and the voucher use is given back
    let a = assert_sound(&f.shop, &f.shoe).await;
    assert_eq!((a.stock, a.sold), (7, 0));
    assert_eq!(
        f.shop
            .voucher_uses("SEPATU20", &me.key())
            .await
            .expect("uses")
            .1,
        0
    );

    // a voucher's last use goes to one checkout only
    // (a code of this run: the PostgreSQL database keeps counts across runs)
    let code = format!("SATU{}", uuid::Uuid::new_v4().simple()).to_ascii_uppercase();
    let mut limited = rules.clone();
    let mut satu = Voucher::unconditional(
        &code,
        VoucherKind::Fixed(Amounts::of(&[(Currency::Idr, 10_000)])),
    );
    satu.limit = Some(1);
    limited.vouchers.push(satu);
    let (a, b) = (guest(1), guest(2));
    let serum = vec![("skincare".to_string(), 80_000)];
    for o in [&a, &b] {
        f.shop
            .add_to_cart(o, &f.serum, 1, 30 * MINUTE, now)
            .await
            .expect("add");
        f.shop
            .apply_voucher(o, limited.voucher(&code), &code, &serum, Currency::Idr, now)
            .await
            .expect("applies while unused");
    }
    let req = |o: &Owner| {
        let s = match o {
            Owner::Session(s) | Owner::Customer(s) => s.clone(),
        };
        (o.clone(), s)
    };
    let mut results = Vec::new();
    for o in [&a, &b] {
        let (owner, session) = req(o);
        let r = CheckoutRequest {
            owner: &owner,
            session_id: &session,
            customer_id: None,
            currency: Currency::Idr,
            lang: Lang::Id,
            address: None,
            payment_method: None,
        };
        results.push(
            f.shop
                .checkout(&r, &f.catalog, &limited, now)
                .await
                .map(|o| o.discount),
        );
    }
    assert!(matches!(results[0], Ok(10_000)), "{:?}", results[0]);
    assert!(
        matches!(
            results[1],
            Err(ShopError::VoucherNotApplicable {
                reason: Refusal::LimitReached,
                ..
            })
        ),
        "{:?}",
        results[1]
    );
    assert_sound(&f.shop, &f.serum).await;
}

fn on_postgres(name: &str) -> Option<String> {
    match std::env::var("PASAR_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            eprintln!("skipping {name}: PASAR_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("shop.db").display())
}

#[test]
fn racing_buyers_never_oversell_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    block_on(race(&sqlite_url(&dir)));
}

#[test]
fn racing_buyers_never_oversell_on_postgres() {
    if let Some(url) = on_postgres("racing_buyers_never_oversell_on_postgres") {
        block_on(race(&url));
    }
}

#[test]
fn holds_vouchers_checkout_and_cancel_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    block_on(lifecycle(&sqlite_url(&dir)));
}

#[test]
fn holds_vouchers_checkout_and_cancel_on_postgres() {
    if let Some(url) = on_postgres("holds_vouchers_checkout_and_cancel_on_postgres") {
        block_on(lifecycle(&url));
    }
}

fn voucher(kind: VoucherKind) -> Voucher {
    Voucher::unconditional("UJI", kind)
}

#[test]
fn voucher_edge_cases_each_give_their_reason() {
    let lines = vec![
        ("shoes".to_string(), 150_000),
        ("bags".to_string(), 100_000),
    ];
    let basket = |now, used, mine| Basket {
        currency: Currency::Idr,
        lines: &lines,
        now,
        used,
        used_by_customer: mine,
    };
    let mut v = voucher(VoucherKind::Percent(10));
    v.valid_from = Some(1_000);
    v.valid_until = Some(2_000);
    assert_eq!(
        discount(&v, &basket(999, 0, 0)),
        Err(Refusal::NotYetValid { from: 1_000 })
    );
    assert_eq!(
        discount(&v, &basket(2_000, 0, 0)),
        Err(Refusal::Expired { until: 2_000 })
    );
    assert_eq!(discount(&v, &basket(1_500, 0, 0)), Ok(25_000));
    v.limit = Some(3);
    assert_eq!(
        discount(&v, &basket(1_500, 3, 0)),
        Err(Refusal::LimitReached)
    );
    v.per_customer = Some(1);
    assert_eq!(
        discount(&v, &basket(1_500, 1, 1)),
        Err(Refusal::CustomerLimitReached)
    );
    // below the minimum, counted over the voucher's categories only
    let mut v = voucher(VoucherKind::Percent(20));
    v.categories = vec!["shoes".into()];
    v.min_purchase = Amounts::of(&[(Currency::Idr, 200_000)]);
    assert_eq!(
        discount(&v, &basket(0, 0, 0)),
        Err(Refusal::BelowMinimum {
            min: 200_000,
            currency: Currency::Idr
        })
    );
    v.min_purchase = Amounts::default();
    v.max_discount = Amounts::of(&[(Currency::Idr, 20_000)]);
    assert_eq!(discount(&v, &basket(0, 0, 0)), Ok(20_000), "capped");
    v.categories = vec!["watches".into()];
    assert!(matches!(
        discount(&v, &basket(0, 0, 0)),
        Err(Refusal::WrongCategory { .. })
    ));
    // a fixed amount: only in the currencies it names, never more than the cart
    let v = voucher(VoucherKind::Fixed(Amounts::of(&[(Currency::Idr, 400_000)])));
    assert_eq!(discount(&v, &basket(0, 0, 0)), Ok(250_000));
    let vnd = Basket {
        currency: Currency::Vnd,
        ..basket(0, 0, 0)
    };
    assert_eq!(
        discount(&v, &vnd),
        Err(Refusal::NoAmount {
            currency: Currency::Vnd
        })
    );
    let empty: Vec<(String, i64)> = Vec::new();
    let none = Basket {
        lines: &empty,
        ..basket(0, 0, 0)
    };
    assert_eq!(discount(&v, &none), Err(Refusal::EmptyCart));
}

#[test]
fn the_shipped_vouchers_are_read_with_their_dates_in_the_shops_clock() {
    let rules = rules();
    let merdeka = rules.voucher("merdeka17").expect("MERDEKA17 is shipped");
    // valid through 17 August 2026, WIB: 2026-08-17T23:59 +07:00 still counts
    let last_minute = pasar::golden::parse_time("2026-08-17T23:59:00+07:00").unwrap();
    let after = pasar::golden::parse_time("2026-08-18T00:00:00+07:00").unwrap();
    let lines = vec![("shoes".to_string(), 100_000)];
    let at = |now| Basket {
        currency: Currency::Idr,
        lines: &lines,
        now,
        used: 0,
        used_by_customer: 0,
    };
    assert_eq!(discount(merdeka, &at(last_minute)), Ok(17_000));
    assert!(matches!(
        discount(merdeka, &at(after)),
        Err(Refusal::Expired { .. })
    ));
    assert!(rules
        .payment_method_in("bayar pake gopay aja kak", Lang::Id)
        .is_some_and(|m| m.id == "ewallet"));
    assert!(rules
        .payment_method_in("thanh toan khi nhan hang nha", Lang::Vi)
        .is_some_and(|m| m.id == "cod"));
    assert!(rules
        .payment_method_in("chuyển khoản", Lang::Vi)
        .is_some_and(|m| m.id == "bank_transfer"));
    assert!(rules.payment_method_in("halo kak", Lang::Id).is_none());
    assert!(rules.looks_like_address("Jl. Mawar No. 5, Kec. Coblong, Bandung", Lang::Id));
    assert!(rules.looks_like_address("12 đường Lê Lợi, phường Bến Nghé, quận 1", Lang::Vi));
    assert!(!rules.looks_like_address("ya", Lang::Id));
    assert!(!rules.looks_like_address("yang kedua masukin keranjang", Lang::Id));
}

#[test]
fn a_handoff_is_recorded_for_the_shop_to_list() {
    let shop = super::shop();
    let a = super::assistant();
    let mut session = pasar::dialogue::Session::new(format!("handoff-{}", uuid::Uuid::new_v4()));
    let outs = super::play_with(
        a,
        &shop,
        &mut session,
        &["barangnya rusak kak, aku mau komplain"],
    );
    assert_eq!(outs[0].intent, Some(pasar::intent::Intent::Complaint));
    let listed = block_on(shop.handoffs(Some("open"))).expect("handoffs");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].reason, "complaint");
    assert!(
        outs[0].reply.text.contains(&listed[0].id),
        "{}",
        outs[0].reply.text
    );
}

async fn merge(url: &str) {
    let f = fixture(url).await;
    // twenty days ahead: other tests' sweeps on a shared database stay behind
    let now = now_millis() + 20 * 24 * 60 * MINUTE;
    let customer = Owner::Customer(format!("cust-{}", uuid::Uuid::new_v4().simple()));
    let me = guest(0);
    let hold = 30 * MINUTE;
    f.shop
        .add_to_cart(&customer, &f.shoe, 1, hold, now)
        .await
        .expect("add");
    f.shop
        .add_to_cart(&me, &f.shoe, 2, hold, now + 1)
        .await
        .expect("add");
    f.shop
        .add_to_cart(&me, &f.serum, 3, hold, now + 2)
        .await
        .expect("add");
    let cart = f
        .shop
        .merge_carts(&me, &customer, now + 3)
        .await
        .expect("merge");
    let lines: Vec<(String, i64, i64)> = cart
        .lines
        .iter()
        .map(|l| (l.sku.clone(), l.quantity, l.held))
        .collect();
    assert_eq!(
        lines,
        [(f.shoe.clone(), 3, 3), (f.serum.clone(), 3, 3)],
        "the shoe added up, the serum moved, every unit still held"
    );
    assert!(f
        .shop
        .cart(&me, now + 3)
        .await
        .expect("cart")
        .lines
        .is_empty());
    assert_eq!(f.shop.level(&f.shoe).await.expect("level").reserved, 3);
    assert_sound(&f.shop, &f.shoe).await;
    assert_sound(&f.shop, &f.serum).await;
    // merging an empty guest cart changes nothing
    let again = f
        .shop
        .merge_carts(&me, &customer, now + 4)
        .await
        .expect("merge");
    assert_eq!(again, cart);
}

#[test]
fn a_guest_cart_merges_into_the_customers_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    block_on(merge(&sqlite_url(&dir)));
}

#[test]
fn a_guest_cart_merges_into_the_customers_on_postgres() {
    if let Some(url) = on_postgres("a_guest_cart_merges_into_the_customers_on_postgres") {
        block_on(merge(&url));
    }
}

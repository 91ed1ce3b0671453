//! What pasar understands of messages we wrote for these tests: constraints in
//! Indonesian, Vietnamese and English as customers type them, and bad input that
//! must be answered without a panic.

use super::understand_in;
use pasar::intent::Intent;
use pasar::lang::Lang;
use serde_json::{json, Value};

/// Checks that every key of `expected` is in the constraints with that value.
fn constraints_include(text: &str, lang: Option<Lang>, expected: Value) {
    let u = understand_in(text, lang);
    let got = serde_json::to_value(&u.constraints).unwrap();
    for (k, v) in expected.as_object().unwrap() {
        assert_eq!(got.get(k), Some(v), "{text:?}: constraint {k}; got {got}");
    }
}

fn constraints_lack(text: &str, lang: Option<Lang>, keys: &[&str]) {
    let u = understand_in(text, lang);
    let got = serde_json::to_value(&u.constraints).unwrap();
    for k in keys {
        assert!(
            got.get(*k).is_none(),
            "{text:?}: {k} should be absent; got {got}"
        );
    }
}

#[test]
fn indonesian_prices() {
    let id = Some(Lang::Id);
    constraints_include(
        "ada sepatu lari merah di bawah 500rb?",
        id,
        json!({"price_max": 500000, "currency": "IDR", "category": "shoes", "colors": ["red"]}),
    );
    constraints_include(
        "tas ransel 150rb",
        id,
        json!({"price_min": 120000, "price_max": 180000}),
    );
    constraints_include(
        "hp 2jt-an yang bagus",
        id,
        json!({"price_min": 1600000, "price_max": 2400000, "category": "phones"}),
    );
    constraints_include(
        "laptop 5 jutaan",
        id,
        json!({"price_min": 4000000, "price_max": 6000000}),
    );
    constraints_include("budget 1,5jt", id, json!({"price_max": 1500000}));
    constraints_include(
        "budget 2jt-an",
        id,
        json!({"price_min": 1600000, "price_max": 2400000}),
    );
    constraints_include(
        "jam tangan kisaran 300 ribu",
        id,
        json!({"price_min": 240000, "price_max": 360000}),
    );
    constraints_include(
        "sekitar 1-2jt aja",
        id,
        json!({"price_min": 1000000, "price_max": 2000000}),
    );
    constraints_include(
        "antara 100rb sampai 250rb",
        id,
        json!({"price_min": 100000, "price_max": 250000}),
    );
    constraints_include("sepatu 500rb ke bawah", id, json!({"price_max": 500000}));
    constraints_include("di atas 1 juta", id, json!({"price_min": 1000000}));
    constraints_include(
        "dua ratus ribu dapet apa",
        id,
        json!({"price_min": 160000, "price_max": 240000}),
    );
    constraints_include(
        "yang harganya gak lebih dari 750rb",
        id,
        json!({"price_max": 750000}),
    );
}

#[test]
fn vietnamese_prices_with_and_without_diacritics() {
    let vi = Some(Lang::Vi);
    constraints_include(
        "tìm giày dưới 1 triệu",
        vi,
        json!({"price_max": 1000000, "currency": "VND", "category": "shoes"}),
    );
    constraints_include(
        "giay nike duoi 1 trieu co ko",
        None,
        json!({"price_max": 1000000, "currency": "VND", "brands": ["nike"]}),
    );
    constraints_include(
        "tai nghe tầm 500k",
        vi,
        json!({"price_min": 400000, "price_max": 600000, "category": "headphones"}),
    );
    constraints_include(
        "điện thoại 2 triệu rưỡi",
        vi,
        json!({"price_min": 2000000, "price_max": 3000000}),
    );
    constraints_include(
        "khoảng 1tr5",
        vi,
        json!({"price_min": 1200000, "price_max": 1800000}),
    );
    constraints_include(
        "quần jean 2 củ",
        vi,
        json!({"price_min": 1600000, "price_max": 2400000}),
    );
    constraints_include(
        "từ 300 đến 500 nghìn",
        vi,
        json!({"price_min": 300000, "price_max": 500000}),
    );
    constraints_include("balo tren 1 trieu", vi, json!({"price_min": 1000000}));
    constraints_include(
        "son môi ba trăm nghìn trở xuống",
        vi,
        json!({"price_max": 300000}),
    );
}

#[test]
fn english_prices_default_to_the_store_currency() {
    constraints_include(
        "running shoes under 500k",
        Some(Lang::En),
        json!({"price_max": 500000, "currency": "IDR", "category": "shoes"}),
    );
    constraints_include(
        "headphones between 1m and 2m",
        Some(Lang::En),
        json!({"category": "headphones"}),
    );
}

#[test]
fn numbers_that_are_not_money_never_become_prices() {
    for (text, lang) in [
        ("ukuran 42 ada?", Lang::Id),
        ("ingetin aku jam 5 sore", Lang::Id),
        ("rating 5 bintang", Lang::Id),
        ("beli 2 pasang", Lang::Id),
        ("laptop ram 16gb ssd 512gb", Lang::Id),
        ("cho mình size 39", Lang::Vi),
        ("đặt báo thức lúc 6 giờ sáng", Lang::Vi),
        ("lấy 3 cái", Lang::Vi),
        ("iphone 15 pro max", Lang::Id),
        ("tahun 2024 keluaran terbaru", Lang::Id),
    ] {
        constraints_lack(text, Some(lang), &["price_min", "price_max", "currency"]);
    }
}

#[test]
fn colours_exclusions_sizes_and_gender() {
    // after "hitam", a new clause ("mau yang putih") is a wish, not another exclusion
    constraints_include(
        "jangan yang hitam, mau yang putih",
        Some(Lang::Id),
        json!({"colors": ["white"], "exclude_colors": ["black"]}),
    );
    constraints_include(
        "selain hitam dan putih ada?",
        Some(Lang::Id),
        json!({"exclude_colors": ["black", "white"]}),
    );
    constraints_include(
        "kaos hitam jangan yang putih ukuran XL",
        Some(Lang::Id),
        json!({"colors": ["black"], "exclude_colors": ["white"], "sizes": ["XL"], "category": "t-shirts"}),
    );
    constraints_include(
        "không lấy màu đen, lấy màu trắng size M",
        Some(Lang::Vi),
        json!({"colors": ["white"], "exclude_colors": ["black"], "sizes": ["M"]}),
    );
    constraints_include(
        "sepatu ukuran 42 atau 43",
        Some(Lang::Id),
        json!({"sizes": ["42", "43"]}),
    );
    constraints_include(
        "giày nam size 41",
        Some(Lang::Vi),
        json!({"gender": "men", "sizes": ["41"], "category": "shoes"}),
    );
    constraints_include(
        "ao den size L",
        Some(Lang::Vi),
        json!({"colors": ["black"], "sizes": ["L"]}),
    );
    constraints_include(
        "sendal cewek warna pink",
        Some(Lang::Id),
        json!({"category": "sandals", "gender": "women", "colors": ["pink"]}),
    );
}

#[test]
fn typed_without_marks_a_word_is_not_a_colour_out_of_context() {
    // "tim" is tìm (to look for) far more often than tím (purple)
    let u = understand_in("tim giay the thao", Some(Lang::Vi));
    assert!(u.constraints.colors.is_empty(), "{:?}", u.constraints);
    assert_eq!(u.constraints.category.as_deref(), Some("shoes"));
    let u = understand_in("giay mau tim", Some(Lang::Vi));
    assert_eq!(u.constraints.colors, vec!["purple".to_string()]);
}

#[test]
fn ordinals_quantities_sort_and_codes() {
    constraints_include(
        "yang kedua masukin keranjang ya",
        Some(Lang::Id),
        json!({"ordinal": 2}),
    );
    constraints_include("yang terakhir aja", Some(Lang::Id), json!({"ordinal": -1}));
    constraints_include(
        "lấy cái thứ 3, 2 cái",
        Some(Lang::Vi),
        json!({"ordinal": 3, "quantity": 2}),
    );
    constraints_include("cái cuối cùng", Some(Lang::Vi), json!({"ordinal": -1}));
    constraints_include(
        "the second one please",
        Some(Lang::En),
        json!({"ordinal": 2}),
    );
    constraints_include("beli 3 pcs", Some(Lang::Id), json!({"quantity": 3}));
    // a number right after a cart verb is how many
    constraints_include("aqua masukin 2 dus", Some(Lang::Id), json!({"quantity": 2}));
    constraints_include(
        "add 2 of the first one",
        Some(Lang::En),
        json!({"quantity": 2, "ordinal": 1}),
    );
    constraints_include("thêm 3 cái vào giỏ", Some(Lang::Vi), json!({"quantity": 3}));
    constraints_include("the 7th one please", Some(Lang::En), json!({"ordinal": 7}));
    // "dong" is an Indonesian particle here, not the Vietnamese currency
    constraints_include(
        "cek pesanan PSR-999999 dong",
        Some(Lang::Id),
        json!({"order_id": "PSR-999999"}),
    );
    constraints_include(
        "yang termurah dong",
        Some(Lang::Id),
        json!({"sort": "price_asc"}),
    );
    constraints_include(
        "cái nào bán chạy nhất",
        Some(Lang::Vi),
        json!({"sort": "best_selling"}),
    );
    constraints_include(
        "pesanan INV-20241102-0042 sampai mana",
        Some(Lang::Id),
        json!({"order_id": "INV-20241102-0042"}),
    );
    constraints_include(
        "đơn hàng #A12345 giao chưa",
        Some(Lang::Vi),
        json!({"order_id": "A12345"}),
    );
    constraints_include(
        "pakai kode hemat50 bisa?",
        Some(Lang::Id),
        json!({"voucher_code": "HEMAT50"}),
    );
    constraints_include(
        "nhập mã GIAM-20K",
        Some(Lang::Vi),
        json!({"voucher_code": "GIAM-20K"}),
    );
}

#[test]
fn the_query_keeps_the_words_no_lexicon_took() {
    let u = understand_in("ada sepatu lari merah di bawah 500rb?", Some(Lang::Id));
    assert_eq!(u.constraints.query.as_deref(), Some("lari"));
    // a greeting has no search query
    let u = understand_in("halo kak selamat pagi", Some(Lang::Id));
    assert_eq!(u.constraints.query, None, "{:?}", u.intent);
}

#[test]
fn languages_are_detected_per_message() {
    for (text, lang) in [
        ("ada sepatu lari merah di bawah 500rb?", Lang::Id),
        ("kak yg ini ready gak", Lang::Id),
        ("giay nike duoi 1 trieu co ko", Lang::Vi),
        ("shop ơi còn size 40 không", Lang::Vi),
        ("do you have this in black", Lang::En),
        ("where is my order", Lang::En),
    ] {
        assert_eq!(understand_in(text, None).lang, lang, "{text:?}");
    }
}

#[test]
fn clear_messages_get_their_intent_without_escalation() {
    for (text, intent) in [
        ("halo kak", Intent::Greeting),
        ("makasih banyak kak", Intent::Thanks),
        (
            "ada sepatu lari merah di bawah 500rb?",
            Intent::ProductSearch,
        ),
        ("chào shop", Intent::Greeting),
        ("cảm ơn shop nhiều nha", Intent::Thanks),
        ("tìm giày chạy bộ dưới 1 triệu", Intent::ProductSearch),
    ] {
        let u = understand_in(text, None);
        assert_eq!(u.intent, Some(intent), "{text:?}: {:?}", u.candidates);
    }
    let u = understand_in("cuaca besok di jakarta gimana", Some(Lang::Id));
    assert_eq!(u.intent, Some(Intent::OutOfScope), "{:?}", u.candidates);
    assert!(u.escalate);
}

#[test]
fn bad_input_is_answered_without_panic() {
    let long = "sepatu ".repeat(15_000);
    let cases: Vec<String> = vec![
        String::new(),
        "   \t  ".into(),
        "😀😀🔥".into(),
        "สวัสดีครับ มีรองเท้าไหม".into(),
        "你好，有鞋子吗？".into(),
        "1234567".into(),
        "??? !!! ...".into(),
        long,
        "\u{0}\u{1}control".into(),
        // a joiner phrase at the very end after a size once indexed past the tokens
        "ukuran 42 s/d".into(),
        "size 40 dan".into(),
    ];
    for text in &cases {
        let u = understand_in(text, None);
        if u.intent.is_none() {
            assert!(u.escalate, "{:?}", &text[..text.len().min(30)]);
        }
        let json = serde_json::to_string(&u).unwrap();
        assert!(json.contains("\"escalate\""));
    }
    let u = understand_in("", None);
    assert_eq!(u.intent, None);
    assert_eq!(
        u.escalate_reason,
        Some(pasar::decide::EscalateReason::Unsupported)
    );
    let u = understand_in("你好，有鞋子吗？", None);
    assert_eq!(u.intent, None);
}

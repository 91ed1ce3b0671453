//! Escalated turns against a scripted OpenAI-compatible provider: a normal answer,
//! tool calls, 429, 500, a hang, malformed JSON, an HTML error page, invented
//! products and prices, the wrong language, the breaker, the budgets and the
//! cache. Each ends in the right `source` with a reply in the turn's language.

use super::{assistant, block_on, repo_root, shop};
use pasar::content::Content;
use pasar::dialogue::{Assistant, Session, Source, TurnOutcome, TurnScratch};
use pasar::lang::Lang;
use pasar::llm::breaker::BreakerState;
use pasar::llm::fake::{FakeProvider, Step};
use pasar::llm::{Llm, LlmSettings, ProviderConfig};
use pasar::shop::Shop;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Escalates with low confidence, in Indonesian.
const ID_UNSURE: &str = "kak aku mau lari pagi tapi bingung pake apa yg enak";
/// Escalates with low confidence, in Vietnamese.
const VI_UNSURE: &str = "chị muốn đi chạy bộ buổi sáng mà không biết mặc gì cho êm";
/// Out of scope, in Indonesian.
const ID_OFF_TOPIC: &str = "bikinin puisi cinta dong kak";

struct Rig {
    assistant: Assistant,
    fake: FakeProvider,
    shop: Shop,
}

fn provider(fake: &FakeProvider) -> ProviderConfig {
    let mut p = ProviderConfig::new("fake", &fake.base_url(), "scripted");
    p.timeout = Duration::from_millis(300);
    p.backoff = Duration::from_millis(5);
    p
}

fn rig_with(base: &Assistant, steps: Vec<Step>, threshold: u32) -> Rig {
    let fake = block_on(FakeProvider::start(steps)).expect("a fake provider");
    let mut settings = LlmSettings::new(vec![provider(&fake)]);
    settings.breaker_threshold = threshold;
    let llm = Llm::new(settings);
    Rig {
        assistant: base.clone().with_llm(Arc::new(llm)),
        fake,
        shop: shop(),
    }
}

fn rig(steps: Vec<Step>) -> Rig {
    rig_with(assistant(), steps, 5)
}

impl Rig {
    fn turn(&self, session: &mut Session, text: &str) -> TurnOutcome {
        let mut scratch = TurnScratch::default();
        block_on(
            self.assistant
                .turn(&self.shop, session, text, None, true, &mut scratch),
        )
    }

    fn llm(&self) -> &Llm {
        &self.assistant.llm
    }
}

fn notes(out: &TurnOutcome) -> String {
    out.trace
        .iter()
        .flat_map(|s| s.notes.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A fallback turn: answered from the turn's own templates, never empty.
fn assert_fallback(out: &TurnOutcome, lang: Lang, reason: &str) {
    assert_eq!(out.source, Source::Fallback, "{}", notes(out));
    assert!(out.escalate);
    assert_eq!(out.lang, lang);
    assert!(
        out.template.starts_with(&format!("{}/", lang.code())),
        "{}",
        out.template
    );
    assert!(!out.reply.text.trim().is_empty());
    assert!(
        notes(out).contains(&format!("fallback mode: {reason}")),
        "{}",
        notes(out)
    );
}

#[test]
fn a_normal_answer_is_shown_with_source_llm() {
    let r = rig(vec![Step::reply(
        "Maaf kak, aku cuma bisa bantu belanja di toko ini. Mau aku bantu cari produk?",
    )]);
    let mut s = Session::new("llm-normal");
    let out = r.turn(&mut s, ID_OFF_TOPIC);
    assert_eq!(out.source, Source::Llm, "{}", notes(&out));
    assert!(out.escalate);
    assert!(out.reply.text.starts_with("Maaf kak"));
    assert_eq!(out.llm.as_ref().map(|l| l.provider.as_str()), Some("fake"));
    // what the LLM was shown: the Indonesian prompt with its blanks filled, the
    // state, the classifier's candidates, the tools
    let sent = &r.fake.requests()[0];
    let system = sent["messages"][0]["content"].as_str().unwrap_or_default();
    assert!(
        system.contains("Toko pasar") && !system.contains("{shop}"),
        "{system}"
    );
    let state = sent["messages"][1]["content"].as_str().unwrap_or_default();
    assert!(state.contains("out_of_scope"), "{state}");
    let tools: Vec<&str> = sent["tools"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t["function"]["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        tools,
        [
            "search_products",
            "get_product",
            "check_stock",
            "add_to_cart",
            "view_cart",
            "get_policy",
            "handoff_to_human"
        ]
    );
    assert_eq!(sent["messages"].as_array().map(Vec::len), Some(3));
    // the next escalation sees this exchange word for word
    assert_eq!(s.recent.len(), 1);
    assert_eq!(s.llm_tokens, 120);
}

#[test]
fn tool_results_are_what_the_answer_may_name_and_prices_are_written_our_way() {
    let r = rig(vec![
        Step::tool("search_products", json!({"text": "sepatu lari nike"})),
        Step::reply("Ada kak: shoe-0001 Sepatu Lari Pria Nike Revolution 7, harganya Rp699.000. Mau cek ukurannya?"),
    ]);
    let mut s = Session::new("llm-tools");
    let out = r.turn(&mut s, ID_UNSURE);
    assert_eq!(out.source, Source::Llm, "{}", notes(&out));
    assert!(out.reply.text.contains("Rp 699.000"), "{}", out.reply.text);
    assert_eq!(
        out.products.first().map(|p| p.id.as_str()),
        Some("shoe-0001")
    );
    assert_eq!(s.shown, ["shoe-0001"]);
    // the tool's result went back to the model as a tool message
    let second = &r.fake.requests()[1];
    let tool_msg = second["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["role"] == "tool"))
        .cloned()
        .unwrap_or_default();
    assert!(tool_msg["content"]
        .as_str()
        .is_some_and(|c| c.contains("shoe-0001")));
    assert!(notes(&out).contains("tool search_products"));
}

#[test]
fn invented_sentences_are_dropped_and_all_invented_is_fallback() {
    let r = rig(vec![
        Step::tool("get_product", json!({"product_id": "shoe-0001"})),
        Step::reply("Sepatu Lari Pria Nike Revolution 7 harganya Rp699.000 kak. Ada juga shoe-9999 cuma Rp99.000!"),
        Step::reply("Coba shoe-0002 kak, harganya Rp123.456 saja."),
    ]);
    let mut s = Session::new("llm-invented");
    let out = r.turn(&mut s, ID_UNSURE);
    assert_eq!(out.source, Source::Llm, "{}", notes(&out));
    assert!(out.reply.text.contains("Rp 699.000"));
    assert!(!out.reply.text.contains("shoe-9999") && !out.reply.text.contains("99.000!"));
    assert!(notes(&out).contains("repaired: dropped"), "{}", notes(&out));
    // a new message: nothing true is left in the answer
    let out = r.turn(&mut s, "kalau buat jalan santai pake apa yg enak kak");
    assert_fallback(&out, Lang::Id, "invalid_invented_facts");
}

#[test]
fn an_answer_in_the_wrong_language_is_fallback() {
    let r = rig(vec![Step::reply(
        "Sure! For morning runs I would suggest lightweight running shoes with good cushioning.",
    )]);
    let out = r.turn(&mut Session::new("llm-lang"), VI_UNSURE);
    assert_fallback(&out, Lang::Vi, "invalid_wrong_language");
}

#[test]
fn a_rate_limit_is_retried() {
    let r = rig(vec![
        Step::status(429),
        Step::reply("Dạ, anh/chị muốn tìm giày chạy bộ hay quần áo thể thao ạ?"),
    ]);
    let out = r.turn(&mut Session::new("llm-429"), VI_UNSURE);
    assert_eq!(out.source, Source::Llm, "{}", notes(&out));
    assert_eq!(out.lang, Lang::Vi);
    assert_eq!(r.fake.requests().len(), 2);
    let retries = r
        .llm()
        .metrics
        .retries
        .get_or_create(&pasar::llm::metrics::ProviderLabels {
            provider: "fake".into(),
        })
        .get();
    assert_eq!(retries, 1);
}

#[test]
fn server_errors_past_the_retries_are_fallback() {
    let r = rig(vec![
        Step::status(500),
        Step::status(500),
        Step::status(500),
    ]);
    let out = r.turn(&mut Session::new("llm-500"), VI_UNSURE);
    assert_fallback(&out, Lang::Vi, "status");
    assert_eq!(r.fake.requests().len(), 3, "one call and two retries");
}

#[test]
fn a_hang_times_out_into_fallback() {
    let r = rig(vec![Step {
        hang: Some(true),
        ..Step::default()
    }]);
    let out = r.turn(&mut Session::new("llm-hang"), ID_UNSURE);
    // the provider's own timeout (300 ms here) ends the wait, with no retry
    assert_fallback(&out, Lang::Id, "timeout");
    assert_eq!(r.fake.requests().len(), 1);
}

#[test]
fn malformed_json_and_html_error_pages_are_fallback() {
    let r = rig(vec![Step {
        malformed: Some(true),
        ..Step::default()
    }]);
    let out = r.turn(&mut Session::new("llm-malformed"), ID_UNSURE);
    assert_fallback(&out, Lang::Id, "malformed");

    let page = |code| Step {
        html: Some(code),
        ..Step::default()
    };
    // a 200 HTML page (a wrong base URL) is not a completion
    let r = rig(vec![page(200)]);
    let out = r.turn(&mut Session::new("llm-html-200"), VI_UNSURE);
    assert_fallback(&out, Lang::Vi, "malformed");
    // a proxy's 502 page is retried like any 5xx, then given up
    let r = rig(vec![page(502), page(502), page(502)]);
    let out = r.turn(&mut Session::new("llm-html-502"), VI_UNSURE);
    assert_fallback(&out, Lang::Vi, "status");
}

#[test]
fn the_breaker_opens_and_then_skips_the_provider() {
    let r = rig_with(
        assistant(),
        vec![Step::status(503), Step::status(503), Step::status(503)],
        1,
    );
    let mut s = Session::new("llm-breaker");
    let out = r.turn(&mut s, ID_UNSURE);
    assert_fallback(&out, Lang::Id, "status");
    assert_eq!(r.llm().breaker_states()[0].1, BreakerState::Open);
    let calls = r.fake.requests().len();
    let out = r.turn(&mut s, VI_UNSURE);
    // refused at once: what that costs is in BENCHMARKS.md (pasar bench)
    assert_fallback(&out, Lang::Vi, "breaker_open");
    assert_eq!(r.fake.requests().len(), calls, "no call while open");
}

fn content_with(change: impl FnOnce(&mut Content)) -> Assistant {
    let mut c = Content::load(&repo_root()).expect("the shipped content");
    change(&mut c);
    Assistant::new(Arc::new(c), assistant().shelf.clone())
}

#[test]
fn over_budget_is_fallback_without_a_call() {
    let small = content_with(|c| c.llm.tokens_per_session = 150);
    let r = rig_with(
        &small,
        vec![
            Step {
                tokens: Some(200),
                ..Step::reply("Boleh kak, mau cari sepatu lari atau kaos olahraga?")
            },
            Step::reply("never asked for"),
        ],
        5,
    );
    let mut s = Session::new("llm-budget");
    let out = r.turn(&mut s, ID_UNSURE);
    assert_eq!(out.source, Source::Llm);
    assert_eq!(s.llm_tokens, 200);
    let out = r.turn(&mut s, "trus kalau buat jalan santai pake apa yg enak");
    assert_fallback(&out, Lang::Id, "over_budget_session");
    assert_eq!(r.fake.left(), 1);

    let daily = content_with(|c| c.llm.tokens_per_day = 100);
    let r = rig_with(&daily, vec![Step::reply("Boleh kak.")], 5);
    r.llm().spend(
        pasar::llm::shop_day(daily.content.commerce.utc_offset, r.shop.now()),
        100,
    );
    let out = r.turn(&mut Session::new("llm-day"), ID_UNSURE);
    assert_fallback(&out, Lang::Id, "over_budget_day");
    assert_eq!(r.fake.left(), 1);
}

#[test]
fn the_same_message_in_the_same_state_is_answered_from_the_cache() {
    let r = rig(vec![
        Step::tool("get_product", json!({"product_id": "shoe-0001"})),
        Step::reply(
            "Sepatu Lari Pria Nike Revolution 7 cocok buat lari pagi kak, harganya Rp699.000.",
        ),
    ]);
    let first = r.turn(&mut Session::new("llm-cache-1"), ID_UNSURE);
    assert_eq!(first.source, Source::Llm);
    let second = r.turn(&mut Session::new("llm-cache-2"), ID_UNSURE);
    assert_eq!(second.source, Source::Llm, "{}", notes(&second));
    assert_eq!(second.reply.text, first.reply.text);
    assert_eq!(second.products, first.products);
    assert!(second.llm.is_none(), "no tokens spent");
    assert_eq!(r.fake.requests().len(), 2);
    assert_eq!(r.llm().metrics.cache_hits.get(), 1);
}

#[test]
fn add_to_cart_goes_through_the_rules_and_is_not_cached() {
    let r = rig(vec![
        Step::tool(
            "add_to_cart",
            json!({"product_id": "shoe-0001", "size": "42"}),
        ),
        Step::reply(
            "Sudah aku masukin ke keranjang ya kak, Sepatu Lari Pria Nike Revolution 7 ukuran 42.",
        ),
    ]);
    let mut s = Session::new("llm-cart");
    let out = r.turn(&mut s, ID_UNSURE);
    assert_eq!(out.source, Source::Llm, "{}", notes(&out));
    assert_eq!(out.cart.items, 1);
    assert_eq!(s.cart.lines[0].product_id, "shoe-0001");
    assert_eq!(s.cart.lines[0].held, 1);
    // the same message again goes to the provider (an action is never replayed)
    r.fake.push([Step::reply("Oke kak.")]);
    let _ = r.turn(&mut Session::new("llm-cart-2"), ID_UNSURE);
    assert_eq!(r.fake.left(), 0);
}

#[test]
fn too_many_tool_rounds_is_fallback() {
    let look = || Step::tool("view_cart", json!({}));
    let r = rig(vec![look(), look(), look(), look()]);
    let out = r.turn(&mut Session::new("llm-rounds"), ID_UNSURE);
    assert_fallback(&out, Lang::Id, "tool_rounds");
}

#[test]
fn bad_tool_arguments_are_told_to_the_model() {
    let r = rig(vec![
        Step::tool("get_product", json!({"id": "shoe-0001"})),
        Step::tool("get_product", json!({"product_id": "shoe-0000"})),
        Step::reply("Maaf kak, produknya tidak ketemu. Mau aku carikan yang lain?"),
    ]);
    let out = r.turn(&mut Session::new("llm-args"), ID_UNSURE);
    assert_eq!(out.source, Source::Llm);
    let seen = r.fake.requests();
    let last = seen[2]["messages"].to_string();
    assert!(last.contains("the arguments are not valid"), "{last}");
    assert!(last.contains("no product"), "{last}");
}

#[test]
fn rule_turns_never_call_the_provider() {
    let r = rig(vec![]);
    let mut s = Session::new("llm-rules");
    let out = r.turn(&mut s, "ada sepatu lari nike di bawah 1jt?");
    assert_eq!(out.source, Source::Rules);
    assert!(r.fake.requests().is_empty());
    // without a provider, an escalated turn says so in the trace
    let mut s = Session::new("llm-none");
    let mut scratch = TurnScratch::default();
    let out =
        block_on(
            assistant()
                .clone()
                .turn(&r.shop, &mut s, ID_UNSURE, None, true, &mut scratch),
        );
    assert_fallback(&out, Lang::Id, "no_llm");
}

mod validation {
    use super::super::{assistant, content};
    use pasar::lang::{Currency, Lang};
    use pasar::llm::validate::{validate, Evidence, Reader, Rejection};

    fn reader(lang: Lang, currency: Currency) -> Reader<'static> {
        Reader {
            normalizer: &content().normalizer,
            catalog: assistant().shelf.catalog(),
            names: assistant().product_names(),
            lang,
            currency,
            max_chars: 200,
        }
    }

    fn shoe() -> Evidence {
        let mut e = Evidence::default();
        e.add_product("shoe-0001");
        e.add_amount(1_090_000);
        e.add_amount(699_000);
        e
    }

    #[test]
    fn vietnamese_prices_in_any_spelling_are_written_the_shops_way() {
        let r = reader(Lang::Vi, Currency::Vnd);
        for text in [
            "Dạ, Giày chạy bộ nam Nike Revolution 7 giá 1.090.000đ ạ.",
            "Dạ, Giày chạy bộ nam Nike Revolution 7 giá 1090000 VND ạ.",
            "Dạ, Giày chạy bộ nam Nike Revolution 7 giá 1,09 triệu ạ.",
        ] {
            let ok = validate(text, &r, &shoe()).expect(text);
            assert!(
                ok.text.contains("giá 1.090.000 ₫ ạ"),
                "{text} -> {}",
                ok.text
            );
            assert_eq!(ok.products, ["shoe-0001"]);
        }
    }

    #[test]
    fn sizes_counts_and_years_are_not_prices() {
        let r = reader(Lang::Id, Currency::Idr);
        let ok = validate(
            "Ukuran 42 masih ada 3 pasang kak, promo sampai 2026. Harganya Rp 699rb.",
            &r,
            &shoe(),
        )
        .expect("valid");
        assert!(ok.text.ends_with("Harganya Rp 699.000."), "{}", ok.text);
        assert!(ok.repairs.is_empty());
    }

    #[test]
    fn a_product_named_but_not_looked_up_is_dropped() {
        let r = reader(Lang::Id, Currency::Idr);
        let ok = validate(
            "Ada Sepatu Lari Pria Nike Revolution 7 kak. Sepatu Lari Pria Nike Revolution 7 juga ada.",
            &r,
            &Evidence::default(),
        );
        assert!(matches!(ok, Err(Rejection::Invented(_))), "{ok:?}");
    }

    #[test]
    fn long_answers_are_cut_at_a_sentence_end() {
        let r = reader(Lang::Id, Currency::Idr);
        let long = "Boleh banget kak, nanti aku bantu carikan ya. ".repeat(10);
        let ok = validate(&long, &r, &Evidence::default()).expect("valid");
        assert!(ok.text.chars().count() <= 200, "{}", ok.text.len());
        assert!(ok.text.ends_with("ya."));
    }

    #[test]
    fn empty_answers_are_rejected() {
        let r = reader(Lang::Id, Currency::Idr);
        assert_eq!(
            validate("  ** ", &r, &Evidence::default()),
            Err(Rejection::Empty)
        );
    }
}

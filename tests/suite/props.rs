//! Property tests: arbitrary text through the whole understanding pipeline never
//! panics and always yields a well-formed answer.

use super::content;
use pasar::classify::Scratch;
use pasar::pipeline::{understand, Options};
use proptest::prelude::*;

fn check(text: &str) {
    let mut scratch = Scratch::default();
    let u = understand(
        content(),
        text,
        Options {
            trace: true,
            ..Default::default()
        },
        &mut scratch,
    );
    assert!(
        (0.0..=1.0).contains(&u.confidence),
        "confidence {}",
        u.confidence
    );
    assert_eq!(u.escalate, u.escalate_reason.is_some());
    let c = &u.constraints;
    if let (Some(lo), Some(hi)) = (c.price_min, c.price_max) {
        assert!(lo <= hi, "{lo} > {hi} for {text:?}");
    }
    assert_eq!(
        c.currency.is_some(),
        c.price_min.is_some() || c.price_max.is_some(),
        "{text:?}"
    );
    if u.intent.is_none() {
        assert!(u.escalate);
    }
    serde_json::to_string(&u).expect("serializable");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_string(text in "\\PC{0,80}") {
        check(&text);
    }

    #[test]
    fn shop_like_strings(text in "(ada|giay|sepatu|tìm|dưới|di bawah|ukuran|s/d|atau|sampai|jangan|không lấy|mã|pesanan|[0-9]{1,4}(rb|jt|k|tr|củ)?|-|,|\\.|yg|ko|size|ke-[0-9]|#|HEMAT[0-9]{2}| ){0,12}") {
        check(&text);
    }
}

//! `pasar chat`: a REPL over the same pipeline the service runs. Each line is a
//! customer message; the reply is printed with its product cards as text, the
//! intent, the source and the template. Sessions and messages are written to the
//! database as in the service, and the cart, stock holds and orders are the
//! store's. `/reset` starts a new session, `/quit` ends.

use super::{open_shop, CatalogFlags};
use crate::content::templates::format_money;
use crate::dialogue::{Session, TurnScratch};
use crate::lang::Lang;
use crate::store::history::{turn_messages, HistoryWriter, TurnRecord};
use std::io::{BufRead, Write};

pub fn run(
    lang: Option<Lang>,
    flags: CatalogFlags,
    database_url: &str,
    llm: &crate::server::config::LlmGiven,
) -> anyhow::Result<i32> {
    let providers = crate::server::config::providers(llm, &[], |v| std::env::var(v).ok())?;
    let runtime = super::db::runtime()?;
    let (assistant, shop) = runtime.block_on(open_shop(flags, database_url))?;
    let offset = assistant.content.commerce.utc_offset;
    let llm = runtime.block_on(crate::llm::Llm::open(
        providers,
        shop.store(),
        offset,
        shop.now(),
    ));
    let assistant = assistant.with_llm(std::sync::Arc::new(llm));
    let history = runtime.block_on(async { HistoryWriter::start(shop.store().clone()) });
    // the sweeper runs on the runtime's workers while the REPL waits for input
    let _sweeper = {
        let _entered = runtime.enter();
        shop.spawn_sweeper(std::time::Duration::from_millis(
            assistant.content.commerce.sweep_ms as u64,
        ))
    };
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    let mut session = Session::new(uuid::Uuid::new_v4().to_string());
    let mut scratch = TurnScratch::default();
    writeln!(
        out,
        "pasar chat: {} products. Type a message; /reset for a new session, /quit to leave.",
        assistant.shelf.catalog().len()
    )?;
    loop {
        write!(out, "> ")?;
        out.flush()?;
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim();
        match line {
            "" => continue,
            "/quit" | "/exit" => break,
            "/reset" => {
                session = Session::new(uuid::Uuid::new_v4().to_string());
                writeln!(out, "(new session)")?;
                continue;
            }
            _ => {}
        }
        let started = std::time::Instant::now();
        let t =
            runtime.block_on(assistant.turn(&shop, &mut session, line, lang, false, &mut scratch));
        let latency = started.elapsed().as_micros() as i64;
        runtime.block_on(history.record(TurnRecord {
            session: session.clone(),
            customer: None,
            messages: turn_messages(&session.id, line, &t, latency),
        }));
        writeln!(out, "{}", t.reply.text)?;
        for (i, p) in t.products.iter().enumerate() {
            writeln!(
                out,
                "  [{}] {} | {} | {}{}",
                i + 1,
                p.id,
                p.name,
                format_money(p.price as f64, p.currency, t.lang),
                if p.in_stock { "" } else { " | sold out" }
            )?;
        }
        if !t.reply.quick_replies.is_empty() {
            writeln!(out, "  ( {} )", t.reply.quick_replies.join(" | "))?;
        }
        writeln!(
            out,
            "  · {} {:.2} {}{} · cart {} · {}",
            t.intent.map_or("null", |i| i.name()),
            t.confidence,
            t.source.as_str(),
            t.escalate_reason
                .map(|r| format!(" ({})", r.as_str()))
                .unwrap_or_default(),
            t.cart.items,
            t.template
        )?;
    }
    runtime.block_on(history.flush());
    Ok(0)
}

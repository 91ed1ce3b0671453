//! `pasar check`: loads the content the way the service does and prints every
//! problem as `path:line:column: what; expected ...; hint: ...`. Exit 1 on any.
//! With `--crossval`, also reports how well the examples teach each intent.

use crate::classify::crossval;
use crate::content::Content;
use crate::lang::Lang;
use std::path::PathBuf;

pub fn run(dir: Option<PathBuf>, with_crossval: bool) -> anyhow::Result<i32> {
    let dir = dir.unwrap_or_else(Content::default_dir);
    match Content::load(&dir) {
        Err(errors) => {
            for e in &errors.0 {
                println!("{e}");
            }
            println!(
                "{} problem{} in {}",
                errors.0.len(),
                if errors.0.len() == 1 { "" } else { "s" },
                dir.display()
            );
            Ok(1)
        }
        Ok(content) => {
            let count = |l: Lang| content.examples.iter().filter(|e| e.lang == l).count();
            println!(
                "content OK: {} intents, {} examples (id {}, vi {}, en {}), {} templates",
                content.intents.len(),
                content.examples.len(),
                count(Lang::Id),
                count(Lang::Vi),
                count(Lang::En),
                content
                    .templates
                    .by_lang
                    .iter()
                    .map(Vec::len)
                    .sum::<usize>()
            );
            if with_crossval {
                for lang in Lang::ALL {
                    let report = crossval::k_fold(&content, lang, crossval::FOLDS);
                    println!("{}", report.summary());
                    for (text, expected, got) in &report.errors {
                        println!("  {} {expected} -> {got}: {text}", lang.code());
                    }
                }
            }
            Ok(0)
        }
    }
}

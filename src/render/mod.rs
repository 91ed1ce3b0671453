//! Renders replies from `templates/`: every variant is compiled once into one
//! minijinja environment (with the `money` filter), and the variant used is chosen
//! from a hash of the session, the template and the turn, so a conversation reads
//! varied but replays identically in tests.

use crate::content::templates::{environment, Template, Templates};
use crate::lang::Lang;
use minijinja::{Environment, Value};
use std::hash::{Hash, Hasher};

/// A template that failed while rendering (a bug in content `pasar check` missed).
#[derive(Debug, thiserror::Error)]
#[error("template {template} (variant {variant}) failed: {reason}")]
pub struct RenderError {
    pub template: String,
    pub variant: usize,
    pub reason: String,
}

/// A rendered reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub quick_replies: Vec<String>,
    pub template: String,
    pub variant: usize,
}

pub struct Renderer {
    env: Environment<'static>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Renderer")
    }
}

fn name(lang: Lang, template: &str, variant: usize) -> String {
    format!("{}/{template}#{variant}", lang.code())
}

/// Which of `n` variants a session sees at a turn.
pub fn pick_variant(session: &str, template: &str, turn: u32, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let mut h = rustc_hash::FxHasher::default();
    session.hash(&mut h);
    template.hash(&mut h);
    turn.hash(&mut h);
    (h.finish() % n as u64) as usize
}

impl Renderer {
    /// Compiles every variant; variants that do not compile are left out (the
    /// content check has reported them already).
    pub fn new(templates: &Templates) -> Renderer {
        let mut env = environment();
        for (lang, list) in Lang::ALL.iter().zip(&templates.by_lang) {
            for t in list {
                for (i, v) in t.variants.iter().enumerate() {
                    let _ = env.add_template_owned(name(*lang, &t.id, i), v.clone());
                }
            }
        }
        Renderer { env }
    }

    /// Renders `template` in `lang` with variant `variant` (taken modulo the count).
    pub fn render(
        &self,
        lang: Lang,
        template: &Template,
        variant: usize,
        ctx: &Value,
    ) -> Result<Rendered, RenderError> {
        let n = template.variants.len().max(1);
        let variant = variant % n;
        let err = |reason: String| RenderError {
            template: template.id.clone(),
            variant,
            reason,
        };
        let compiled = self
            .env
            .get_template(&name(lang, &template.id, variant))
            .map_err(|e| err(e.to_string()))?;
        let text = compiled.render(ctx).map_err(|e| err(e.to_string()))?;
        Ok(Rendered {
            text: text.trim().to_string(),
            quick_replies: template.quick_replies.clone(),
            template: template.id.clone(),
            variant,
        })
    }
}

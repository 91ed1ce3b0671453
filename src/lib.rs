//! pasar: a shop assistant for online stores in Indonesia and Vietnam.
//!
//! A customer message runs through stages, each a module with a typed input and
//! output: [`normalize`] → [`extract`] → [`classify`] → [`decide`], assembled by
//! [`pipeline`]. What the stages know comes from [`content`]: the YAML under
//! `intents/`, `lexicons/`, `rules/` and `templates/`. See ARCHITECTURE.md.

pub mod canon;
pub mod catalog;
pub mod classify;
pub mod cli;
pub mod content;
pub mod decide;
pub mod dialogue;
pub mod extract;
pub mod golden;
pub mod intent;
pub mod lang;
pub mod llm;
pub mod normalize;
pub mod pipeline;
pub mod render;
pub mod search;
pub mod server;
pub mod shop;
pub mod store;
pub mod trace;

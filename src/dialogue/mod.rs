//! Conversations over the catalog: the state a session keeps between turns
//! ([`session`]), acting on each turn ([`act`]), what replies show ([`views`]), the
//! dialogue rules from `rules/` ([`rules`]), the turn itself ([`turn`]) and the
//! turns put to the LLM ([`escalate`]).

pub mod act;
pub mod commerce;
pub mod escalate;
pub mod rules;
pub mod session;
pub mod turn;
pub mod views;

pub use session::Session;
pub use turn::{Assistant, Reply, Source, TurnOutcome, TurnScratch};

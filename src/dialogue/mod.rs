//! Conversations over the catalog: the state a session keeps between turns
//! ([`session`]), acting on each turn ([`act`]), what replies show ([`views`]), the
//! dialogue rules from `rules/` ([`rules`]) and the turn itself ([`turn`]).

pub mod act;
pub mod commerce;
pub mod rules;
pub mod session;
pub mod turn;
pub mod views;

pub use session::Session;
pub use turn::{Assistant, Reply, Source, TurnOutcome, TurnScratch};

//! soltree: read Dynamics 365 / Dataverse solution packages into canonical component trees,
//! show their inventory, normalize them, diff them and merge them.
//!
//! Layers, one way: [`input`] (zip / folder / file → [`input::Package`] of entries) →
//! [`xml`] (lossless arena tree, [`xml::Document`]) → [`model`] (the declarative component
//! table and the canonical [`model::ComponentTree`]) → commands ([`show`], [`normalize`],
//! [`diff`] → [`diff::DiffReport`] → [`render`] as text, JSON, Markdown or HTML).
//! The [`cli`] module is the only place that knows clap.

pub mod check;
pub mod cli;
pub mod convert;
pub mod diff;
pub mod git;
pub mod input;
pub mod merge;
pub mod model;
pub mod normalize;
pub mod render;
pub mod show;
pub mod xml;
pub mod yaml;

//! The example index of one language: TF-IDF vectors of every intent example, kept
//! as postings (feature → examples), plus one centroid per intent. Built at load
//! time from `intents/`; there is no training step and nothing is stored on disk.

use super::features::{is_char_feature, Feature};
use crate::intent::Intent;
use rustc_hash::FxHashMap;

/// How much the word block counts against the character block in a similarity.
pub const WORD_SHARE: f32 = 0.6;

/// Above this share of examples a feature is left out of nearest-example postings.
pub const COMMON_FEATURE_SHARE: f32 = 0.05;

#[derive(Debug, Clone, Default)]
struct Postings {
    idf: f32,
    examples: Vec<(u32, f32)>,
    centroids: Vec<(u8, f32)>,
}

/// Where a feature's postings sit in the index's two flat arenas: the hash map
/// holds only these small records, so a lookup touches one cache line.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    idf: f32,
    examples: (u32, u32),
    centroids: (u32, u32),
}

/// One indexed example.
#[derive(Debug, Clone)]
pub struct IndexedExample {
    pub intent: Intent,
    /// Position in the content's example list, for the trace.
    pub example: usize,
}

/// TF-IDF postings of one language's examples.
#[derive(Debug, Clone, Default)]
pub struct ExampleIndex {
    slots: FxHashMap<Feature, Slot>,
    example_arena: Vec<(u32, f32)>,
    centroid_arena: Vec<(u8, f32)>,
    pub examples: Vec<IndexedExample>,
    /// The intent of each example, packed for the nearest-example scan.
    pub intent_of: Vec<u8>,
    /// idf of a feature no example has
    unseen_idf: f32,
}

/// Similarities of a message to every example and every intent centroid.
#[derive(Debug, Clone, Default)]
pub struct Similarities {
    /// Per example; only the entries listed in `touched` are non-zero.
    pub examples: Vec<f32>,
    pub touched: Vec<u32>,
    pub centroids: Vec<f32>,
    /// The message's weighted features and where their postings are (a buffer).
    query: Vec<(Feature, f32, Option<Slot>)>,
}

/// The factors that give the word block a squared norm of `WORD_SHARE` and the
/// character block the rest, so a dot product blends the two cosines.
fn block_scales(weights: impl Iterator<Item = (Feature, f32)>) -> (f32, f32) {
    let (mut w, mut c) = (0f32, 0f32);
    for (f, x) in weights {
        if is_char_feature(f) {
            c += x * x;
        } else {
            w += x * x;
        }
    }
    let ws = if w > 0.0 {
        WORD_SHARE.sqrt() / w.sqrt()
    } else {
        0.0
    };
    let cs = if c > 0.0 {
        (1.0 - WORD_SHARE).sqrt() / c.sqrt()
    } else {
        0.0
    };
    (ws, cs)
}

fn normalize_blocks(v: &mut [(Feature, f32)]) {
    let (ws, cs) = block_scales(v.iter().copied());
    for (f, x) in v.iter_mut() {
        *x *= if is_char_feature(*f) { cs } else { ws };
    }
}

impl ExampleIndex {
    /// Builds the index from examples with their (counted, sorted) features.
    pub fn build(examples: Vec<(IndexedExample, Vec<(Feature, f32)>)>) -> Self {
        let n = examples.len() as f32;
        let mut df: FxHashMap<Feature, u32> = FxHashMap::default();
        for (_, fs) in &examples {
            for (f, _) in fs {
                *df.entry(*f).or_default() += 1;
            }
        }
        let idf = |d: u32| ((n + 1.0) / (d as f32 + 1.0)).ln() + 1.0;
        let mut postings: FxHashMap<Feature, Postings> = FxHashMap::default();
        let mut centroid_sums: Vec<FxHashMap<Feature, f32>> =
            vec![FxHashMap::default(); Intent::ALL.len()];
        let mut counts = vec![0u32; Intent::ALL.len()];
        let mut indexed = Vec::with_capacity(examples.len());
        for (doc, (ex, fs)) in examples.into_iter().enumerate() {
            let mut v: Vec<(Feature, f32)> =
                fs.iter().map(|(f, tf)| (*f, tf * idf(df[f]))).collect();
            normalize_blocks(&mut v);
            let intent = ex.intent.index();
            counts[intent] += 1;
            for (f, w) in &v {
                let p = postings.entry(*f).or_default();
                p.examples.push((doc as u32, *w));
                *centroid_sums[intent].entry(*f).or_default() += *w;
            }
            indexed.push(ex);
        }
        for (intent, sums) in centroid_sums.into_iter().enumerate() {
            if counts[intent] == 0 {
                continue;
            }
            let mut v: Vec<(Feature, f32)> = sums.into_iter().collect();
            normalize_blocks(&mut v);
            for (f, w) in v {
                if let Some(p) = postings.get_mut(&f) {
                    p.centroids.push((intent as u8, w));
                }
            }
        }
        for (f, p) in postings.iter_mut() {
            p.idf = idf(df[f]);
        }
        // Features in more than a twentieth of the examples ("<ada", "kak>") weigh
        // little in a nearest-example score but make most of its work: they count
        // in the centroids only.
        for (f, p) in postings.iter_mut() {
            if df[f] as f32 > COMMON_FEATURE_SHARE * n {
                p.examples.clear();
                p.examples.shrink_to_fit();
            }
        }
        let mut slots = FxHashMap::default();
        let mut example_arena = Vec::new();
        let mut centroid_arena = Vec::new();
        for (f, p) in postings {
            let ex = (example_arena.len() as u32, p.examples.len() as u32);
            example_arena.extend_from_slice(&p.examples);
            let ce = (centroid_arena.len() as u32, p.centroids.len() as u32);
            centroid_arena.extend_from_slice(&p.centroids);
            slots.insert(
                f,
                Slot {
                    idf: p.idf,
                    examples: ex,
                    centroids: ce,
                },
            );
        }
        ExampleIndex {
            slots,
            example_arena,
            centroid_arena,
            intent_of: indexed.iter().map(|e| e.intent.index() as u8).collect(),
            examples: indexed,
            unseen_idf: idf(0),
        }
    }

    pub fn len(&self) -> usize {
        self.examples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }

    /// Cosine similarities of a message's features to every example and centroid.
    pub fn similarities(&self, features: &[(Feature, f32)], out: &mut Similarities) {
        if out.examples.len() != self.examples.len() {
            out.examples.clear();
            out.examples.resize(self.examples.len(), 0.0);
            out.touched.clear();
        }
        for &doc in &out.touched {
            out.examples[doc as usize] = 0.0;
        }
        out.touched.clear();
        out.centroids.clear();
        out.centroids.resize(Intent::ALL.len(), 0.0);
        let q = &mut out.query;
        q.clear();
        q.extend(features.iter().map(|(f, tf)| {
            let slot = self.slots.get(f).copied();
            let idf = slot.map_or(self.unseen_idf, |s| s.idf);
            (*f, tf * idf, slot)
        }));
        let (ws, cs) = block_scales(q.iter().map(|(f, x, _)| (*f, *x)));
        for (f, x, slot) in q.iter() {
            let Some(p) = slot else { continue };
            let qw = *x * if is_char_feature(*f) { cs } else { ws };
            let (start, len) = p.examples;
            for &(doc, dw) in &self.example_arena[start as usize..(start + len) as usize] {
                let slot = &mut out.examples[doc as usize];
                if *slot == 0.0 {
                    out.touched.push(doc);
                }
                *slot += qw * dw;
            }
            let (start, len) = p.centroids;
            for &(intent, cw) in &self.centroid_arena[start as usize..(start + len) as usize] {
                out.centroids[intent as usize] += qw * cw;
            }
        }
    }
}

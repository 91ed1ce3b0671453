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
    postings: FxHashMap<Feature, Postings>,
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
        ExampleIndex {
            postings,
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
        let mut q: Vec<(Feature, f32, Option<&Postings>)> = features
            .iter()
            .map(|(f, tf)| {
                let p = self.postings.get(f);
                let idf = p.map_or(self.unseen_idf, |p| p.idf);
                (*f, tf * idf, p)
            })
            .collect();
        let (ws, cs) = block_scales(q.iter().map(|(f, x, _)| (*f, *x)));
        for (f, x, p) in q.iter_mut() {
            let Some(p) = p else { continue };
            let qw = *x * if is_char_feature(*f) { cs } else { ws };
            for &(doc, dw) in &p.examples {
                let slot = &mut out.examples[doc as usize];
                if *slot == 0.0 {
                    out.touched.push(doc);
                }
                *slot += qw * dw;
            }
            for &(intent, cw) in &p.centroids {
                out.centroids[intent as usize] += qw * cw;
            }
        }
    }
}

//! Search over the catalog with tantivy. Product text (names in every language,
//! brand, tags, category words; descriptions in a weaker field) is folded the way
//! messages are, so "giay" finds "Giày"; unknown words are corrected against the
//! catalog vocabulary ([`spell`]) and expanded with the lexicons' synonyms. Filters
//! and sort orders never touch stored documents: a collector checks each candidate
//! against packed per-product [`facts`]. When a filtered search finds nothing, the
//! least important constraint is given up (order from `rules/`) and the result
//! says which.

pub mod facts;
pub mod filter;
pub mod spell;

use crate::catalog::Catalog;
use crate::normalize::fold::fold;
use facts::Facts;
pub use filter::Filter;
use rustc_hash::FxHashMap;
use spell::Speller;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScorer, EnableScoring, Explanation, Occur, Query, Scorer,
    TermQuery, Weight,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING,
};
use tantivy::{
    doc, DocId, DocSet, Index, IndexReader, IndexWriter, Score, Searcher, SegmentReader, Term,
    TERMINATED,
};

/// Why the index could not be built.
#[derive(Debug, thiserror::Error)]
#[error("building the search index failed: {0}")]
pub struct IndexError(#[from] tantivy::TantivyError);

/// Result orders of CONTRACT.md section 3, plus relevance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    BestSelling,
    Rating,
    Newest,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        Some(match s {
            "price_asc" => Sort::PriceAsc,
            "price_desc" => Sort::PriceDesc,
            "best_selling" => Sort::BestSelling,
            "rating" => Sort::Rating,
            "newest" => Sort::Newest,
            "relevance" => Sort::Relevance,
            _ => return None,
        })
    }
}

/// One search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// Free words (any case, with or without marks).
    pub words: Vec<String>,
    pub filter: Filter,
    pub sort: Sort,
    /// Currency slot whose price the price sorts use.
    pub currency_slot: usize,
    pub limit: usize,
    pub offset: usize,
    /// Keys that may be given up, least important first (see `rules/dialogue.yaml`).
    pub relax_order: Vec<String>,
}

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResult {
    /// Matching products in all (before limit and offset).
    pub total: usize,
    /// Positions in the catalog, best first.
    pub hits: Vec<u32>,
    /// Keys given up to find anything (`query` for the words).
    pub dropped: Vec<String>,
    /// The terms searched, after correction and synonyms.
    pub terms: Vec<String>,
    /// Typed word -> catalog word, for the trace.
    pub corrected: Vec<(String, String)>,
    /// Typed words no product uses, left out of the search.
    pub unknown: Vec<String>,
}

/// The fast field holding a product's position in the catalog.
const ORD_FIELD: &str = "ord";

#[derive(Debug, Clone, Copy)]
struct Fields {
    text: Field,
    body: Field,
    category: Field,
    ord: Field,
}

/// The searchable catalog.
pub struct Shelf {
    catalog: Arc<Catalog>,
    facts: Arc<Facts>,
    searcher: Searcher,
    _reader: IndexReader,
    fields: Fields,
    /// Product position -> tantivy document id (the index has one segment).
    doc_of: Vec<DocId>,
    /// Document id -> product position, read once from the `ord` fast field so a
    /// search does not open the column.
    ord_of: Arc<Vec<u32>>,
    speller: Speller,
    /// folded word -> folded words meaning the same (single words only)
    synonyms: FxHashMap<String, Vec<String>>,
    /// Per category id, the words indexed with every product of it: searching for
    /// them within the category ranks nothing and costs a scan of all of it.
    category_terms: Vec<Vec<String>>,
}

impl std::fmt::Debug for Shelf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Shelf({} products)", self.catalog.len())
    }
}

/// Splits folded text into index words, the way tantivy's default tokenizer does.
fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() <= 40)
}

impl Shelf {
    /// Indexes the catalog. `synonym_groups` are groups of words that mean the same
    /// (from the lexicons); `category_words` are everyday words per category slug,
    /// indexed with each product so "hp" finds phones named "Smartphone".
    pub fn build(
        catalog: Arc<Catalog>,
        synonym_groups: &[Vec<String>],
        category_words: &FxHashMap<String, Vec<String>>,
    ) -> Result<Shelf, IndexError> {
        let mut schema = Schema::builder();
        let indexing = TextFieldIndexing::default()
            .set_tokenizer("default")
            .set_index_option(IndexRecordOption::WithFreqs);
        let text_opts = TextOptions::default().set_indexing_options(indexing);
        let fields = Fields {
            text: schema.add_text_field("text", text_opts.clone()),
            body: schema.add_text_field("body", text_opts),
            category: schema.add_text_field("category", STRING),
            ord: schema.add_u64_field(ORD_FIELD, INDEXED | FAST),
        };
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 200_000_000)?;
        let mut frequencies: FxHashMap<String, u32> = FxHashMap::default();
        for (i, p) in catalog.products().iter().enumerate() {
            let mut text = String::new();
            for name in p.name.all() {
                text.push_str(name);
                text.push(' ');
            }
            if let Some(b) = &p.brand {
                text.push_str(b);
                text.push(' ');
            }
            for t in &p.tags {
                text.push_str(t);
                text.push(' ');
            }
            if let Some(ws) = category_words.get(&p.category) {
                for w in ws {
                    text.push_str(w);
                    text.push(' ');
                }
            }
            let text = fold(&text);
            let mut seen: Vec<&str> = Vec::new();
            for w in words(&text) {
                if !seen.contains(&w) {
                    seen.push(w);
                    *frequencies.entry(w.to_string()).or_default() += 1;
                }
            }
            let body = fold(&p.description.all().collect::<Vec<_>>().join(" "));
            writer.add_document(doc!(
                fields.text => text.as_str(),
                fields.body => body,
                fields.category => p.category.as_str(),
                fields.ord => i as u64,
            ))?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        let mut searcher = reader.searcher();
        if searcher.segment_readers().len() > 1 {
            // one segment, so a product's document id is the same in every search
            let ids = index.searchable_segment_ids()?;
            writer.merge(&ids).wait()?;
            reader.reload()?;
            searcher = reader.searcher();
        }
        let mut doc_of = vec![0 as DocId; catalog.len()];
        let mut ord_of: Vec<u32> = Vec::new();
        if let Some(segment) = searcher.segment_readers().first() {
            let ords = segment.fast_fields().u64(ORD_FIELD)?;
            ord_of = vec![u32::MAX; segment.max_doc() as usize];
            for doc in 0..segment.max_doc() {
                if let Some(o) = ords.first(doc) {
                    doc_of[o as usize] = doc;
                    ord_of[doc as usize] = o as u32;
                }
            }
        }
        let mut synonyms: FxHashMap<String, Vec<String>> = FxHashMap::default();
        for group in synonym_groups {
            let singles: Vec<String> = group
                .iter()
                .map(|w| fold(w))
                .filter(|w| words(w).count() == 1 && frequencies.contains_key(w.as_str()))
                .collect();
            for w in group.iter().map(|w| fold(w)) {
                if words(&w).count() != 1 {
                    continue;
                }
                let entry = synonyms.entry(w.clone()).or_default();
                for s in &singles {
                    if *s != w && !entry.contains(s) {
                        entry.push(s.clone());
                    }
                }
            }
        }
        synonyms.retain(|_, v| !v.is_empty());
        let category_terms = crate::canon::CATEGORIES
            .iter()
            .map(|slug| {
                let mut terms: Vec<String> = Vec::new();
                for w in category_words.get(*slug).into_iter().flatten() {
                    let folded = fold(w);
                    terms.extend(words(&folded).map(str::to_string));
                }
                terms
            })
            .collect();
        Ok(Shelf {
            category_terms,
            doc_of,
            ord_of: Arc::new(ord_of),
            facts: Arc::new(Facts::build(&catalog)),
            catalog,
            searcher,
            _reader: reader,
            fields,
            speller: Speller::new(frequencies),
            synonyms,
        })
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// True when some of these words are (or are one typo from) words products use.
    pub fn knows_any(&self, typed: &str) -> bool {
        let folded = fold(typed);
        let known = words(&folded)
            .any(|w| self.speller.correct(w).is_some() || self.synonyms.contains_key(w));
        known
    }

    /// The search terms for some words: each corrected against the catalog and
    /// expanded with its synonyms.
    fn terms(
        &self,
        typed: &[String],
        corrected: &mut Vec<(String, String)>,
        unknown: &mut Vec<String>,
    ) -> Vec<String> {
        let mut terms: Vec<String> = Vec::new();
        let push = |t: &str, terms: &mut Vec<String>| {
            if !terms.iter().any(|x| x == t) {
                terms.push(t.to_string());
            }
        };
        for phrase in typed {
            let folded = fold(phrase);
            for w in words(&folded) {
                let mut known = false;
                if let Some(c) = self.speller.correct(w) {
                    if c != w {
                        corrected.push((w.to_string(), c.to_string()));
                    }
                    push(c, &mut terms);
                    known = true;
                }
                if let Some(syns) = self.synonyms.get(w) {
                    for s in syns {
                        push(s, &mut terms);
                    }
                    known = true;
                }
                if !known {
                    // a word no product uses ("tolong", "urutin"): searching for it
                    // would only push real matches down
                    unknown.push(w.to_string());
                }
            }
        }
        terms
    }

    /// Runs a search, giving up constraints in `relax_order` until something matches.
    pub fn search(&self, req: &SearchRequest) -> SearchResult {
        let mut corrected = Vec::new();
        let mut unknown = Vec::new();
        let mut terms = self.terms(&req.words, &mut corrected, &mut unknown);
        if let Some(generic) = req
            .filter
            .category
            .and_then(|c| self.category_terms.get(c as usize))
        {
            terms.retain(|t| !generic.contains(t));
        }
        if terms.is_empty() && !unknown.is_empty() && req.filter.is_open() {
            // only words the catalog does not know, and nothing else: no product
            return SearchResult {
                unknown,
                corrected,
                ..SearchResult::default()
            };
        }
        let mut filter = req.filter.clone();
        let mut dropped: Vec<String> = Vec::new();
        loop {
            let (total, hits) = self.run(&terms, &filter, req);
            if total > 0 {
                return SearchResult {
                    total,
                    hits,
                    dropped,
                    terms,
                    corrected,
                    unknown,
                };
            }
            let active = filter.active_keys();
            let next = req.relax_order.iter().find(|k| {
                (k.as_str() == "query" && !terms.is_empty()) || active.contains(&k.as_str())
            });
            match next {
                Some(k) if k == "query" => {
                    terms.clear();
                    dropped.push(k.clone());
                }
                Some(k) => {
                    filter = filter.without(k);
                    dropped.push(k.clone());
                }
                None => {
                    return SearchResult {
                        total: 0,
                        hits: Vec::new(),
                        dropped,
                        terms,
                        corrected,
                        unknown,
                    }
                }
            }
        }
    }

    /// One search without relaxing.
    fn run(&self, terms: &[String], filter: &Filter, req: &SearchRequest) -> (usize, Vec<u32>) {
        let keep = (req.offset + req.limit).max(1);
        let mut top = TopK::new(keep, req.sort, req.currency_slot);
        // Without a category and with words, the words' postings are the shorter
        // list: tantivy drives by them and the collector checks each candidate.
        if filter.category.is_none() && !terms.is_empty() {
            return self.run_words_then_filter(
                terms,
                &Candidates::Checked(Arc::new(filter.clone())),
                req,
                keep,
            );
        }
        // Otherwise the products that pass the filter come from the facts alone:
        // the category's scan rows (or all), a nanosecond or two each.
        let mut passing: Vec<u32> = Vec::new();
        match filter.category {
            Some(c) => {
                if let Some(cols) = self.facts.by_category.get(c as usize) {
                    filter.scan(&self.facts, cols, &mut passing);
                }
            }
            None => {
                for cols in self.facts.all_columns() {
                    filter.scan(&self.facts, cols, &mut passing);
                }
            }
        }
        if terms.is_empty() || passing.is_empty() {
            for ord in passing {
                top.push(&self.facts, ord, 0.0);
            }
            return top.finish(req.offset);
        }
        let mut docs: Vec<DocId> = passing.iter().map(|&o| self.doc_of[o as usize]).collect();
        docs.sort_unstable();
        self.run_words_then_filter(terms, &Candidates::Listed(Arc::new(docs)), req, keep)
    }

    /// Names, brands and tags first; descriptions too only when they find too little.
    fn run_words_then_filter(
        &self,
        terms: &[String],
        candidates: &Candidates,
        req: &SearchRequest,
        keep: usize,
    ) -> (usize, Vec<u32>) {
        let (total, hits) = self.run_words(terms, candidates, req, keep, false);
        if total >= keep {
            return (total, hits);
        }
        self.run_words(terms, candidates, req, keep, true)
    }

    /// A text search over the candidates: intersected inside tantivy with a list
    /// of documents that passed the filter (the short list drives, the postings are
    /// only sought into), or checked one by one in the collector.
    fn run_words(
        &self,
        terms: &[String],
        candidates: &Candidates,
        req: &SearchRequest,
        keep: usize,
        with_body: bool,
    ) -> (usize, Vec<u32>) {
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in terms {
            should.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.text, t),
                    IndexRecordOption::WithFreqs,
                )),
            ));
            if with_body {
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.body, t),
                            IndexRecordOption::WithFreqs,
                        )),
                        0.3,
                    )),
                ));
            }
        }
        // one clause needs no union around it
        let words: Box<dyn Query> = if should.len() == 1 {
            should
                .pop()
                .map(|(_, q)| q)
                .unwrap_or_else(|| Box::new(BooleanQuery::new(Vec::new())))
        } else {
            Box::new(BooleanQuery::new(should))
        };
        let (query, filter): (Box<dyn Query>, _) = match candidates {
            Candidates::Listed(docs) => (
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, words),
                    (Occur::Must, Box::new(DocList(docs.clone()))),
                ])),
                None,
            ),
            Candidates::Checked(filter) => (words, Some(filter.clone())),
        };
        let collector = ShelfCollector {
            filter,
            ord_of: self.ord_of.clone(),
            facts: self.facts.clone(),
            keep,
            sort: req.sort,
            slot: req.currency_slot,
        };
        match self.searcher.search(query.as_ref(), &collector) {
            Ok(top) => top.finish(req.offset),
            Err(_) => (0, Vec::new()),
        }
    }
}

/// A sort key: bigger is better.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64, u32);

impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        // ties go to the earlier product, so results are stable
        self.0
            .total_cmp(&other.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

/// The best `keep` products seen so far, and how many matched.
struct TopK {
    heap: BinaryHeap<std::cmp::Reverse<Key>>,
    keep: usize,
    sort: Sort,
    slot: usize,
    total: usize,
}

impl TopK {
    fn new(keep: usize, sort: Sort, slot: usize) -> TopK {
        TopK {
            heap: BinaryHeap::with_capacity(keep + 1),
            keep,
            sort,
            slot,
            total: 0,
        }
    }

    #[inline]
    fn push(&mut self, facts: &Facts, ord: u32, score: Score) {
        self.total += 1;
        let p = &facts.products[ord as usize];
        let popularity = (1.0 + p.sold.max(0) as f64).log10();
        let key = match self.sort {
            Sort::Relevance => score as f64 + 0.05 * popularity,
            Sort::PriceAsc => -(p.prices[self.slot] as f64),
            Sort::PriceDesc => p.prices[self.slot] as f64,
            Sort::BestSelling => p.sold as f64,
            Sort::Rating => p.rating as f64 * 100.0 + popularity,
            Sort::Newest => p.added as f64,
        };
        let key = Key(key, ord);
        if self.heap.len() < self.keep {
            self.heap.push(std::cmp::Reverse(key));
        } else if let Some(min) = self.heap.peek() {
            if key > min.0 {
                self.heap.pop();
                self.heap.push(std::cmp::Reverse(key));
            }
        }
    }

    fn merge(&mut self, other: TopK) {
        self.total += other.total;
        for std::cmp::Reverse(k) in other.heap {
            if self.heap.len() < self.keep {
                self.heap.push(std::cmp::Reverse(k));
            } else if let Some(min) = self.heap.peek() {
                if k > min.0 {
                    self.heap.pop();
                    self.heap.push(std::cmp::Reverse(k));
                }
            }
        }
    }

    fn finish(self, offset: usize) -> (usize, Vec<u32>) {
        let mut keys: Vec<Key> = self.heap.into_iter().map(|r| r.0).collect();
        keys.sort_by(|a, b| b.cmp(a));
        (
            self.total,
            keys.into_iter().skip(offset).map(|k| k.1).collect(),
        )
    }
}

/// Collects the best products, reading the product position from the `ord` fast
/// field and checking the filter when the query has not.
struct ShelfCollector {
    /// Set when the query has not filtered the candidates already.
    filter: Option<Arc<Filter>>,
    ord_of: Arc<Vec<u32>>,
    facts: Arc<Facts>,
    keep: usize,
    sort: Sort,
    slot: usize,
}

struct ShelfSegment {
    filter: Option<Arc<Filter>>,
    facts: Arc<Facts>,
    ord_of: Arc<Vec<u32>>,
    top: TopK,
}

impl Collector for ShelfCollector {
    type Fruit = TopK;
    type Child = ShelfSegment;

    fn for_segment(&self, _: u32, _: &SegmentReader) -> tantivy::Result<ShelfSegment> {
        Ok(ShelfSegment {
            filter: self.filter.clone(),
            facts: self.facts.clone(),
            ord_of: self.ord_of.clone(),
            top: TopK::new(self.keep, self.sort, self.slot),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<TopK>) -> tantivy::Result<TopK> {
        let mut all = TopK::new(self.keep, self.sort, self.slot);
        for f in fruits {
            all.merge(f);
        }
        Ok(all)
    }
}

impl SegmentCollector for ShelfSegment {
    type Fruit = TopK;

    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(&ord) = self.ord_of.get(doc as usize) {
            if self
                .filter
                .as_ref()
                .is_none_or(|f| f.accepts(&self.facts, ord))
            {
                self.top.push(&self.facts, ord, score);
            }
        }
    }

    fn harvest(self) -> TopK {
        self.top
    }
}

/// Which products a text search may return.
enum Candidates {
    /// These documents (sorted), which passed the filter.
    Listed(Arc<Vec<DocId>>),
    /// Any document that passes this filter.
    Checked(Arc<Filter>),
}

/// A query matching a given sorted list of documents: the filtered candidates.
#[derive(Debug, Clone)]
struct DocList(Arc<Vec<DocId>>);

/// The filtered candidates as a tantivy doc set: a cursor over the sorted list.
struct SortedDocs {
    docs: Arc<Vec<DocId>>,
    at: usize,
}

impl SortedDocs {
    fn new(docs: Arc<Vec<DocId>>) -> SortedDocs {
        SortedDocs { docs, at: 0 }
    }
}

impl DocSet for SortedDocs {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() < target {
            // the candidates are few: a binary search over what is left
            self.at += self.docs[self.at..].partition_point(|&d| d < target);
        }
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.at) as u32
    }
}

impl Query for DocList {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for DocList {
    fn scorer(&self, _: &SegmentReader, _: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ConstScorer::new(
            SortedDocs::new(self.0.clone()),
            0.0,
        )))
    }

    fn explain(&self, _: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        Ok(Explanation::new(
            if self.0.binary_search(&doc).is_ok() {
                "passes the filter"
            } else {
                "filtered out"
            },
            0.0,
        ))
    }
}

//! The baseline `pasar bench` measures the shelf against, in the same run: the
//! straightforward tantivy design, where a filtered search is one BooleanQuery of
//! the text term, a category term, a colour term and a RangeQuery on a fast price
//! field, collected with `TopDocs` and `Count`. (Its colour is per product, not per
//! variant, so it does even less than the shelf.)

use crate::catalog::Catalog;
use crate::normalize::fold::fold;
use std::ops::Bound;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, FAST, INDEXED, STRING, TEXT};
use tantivy::{Index, IndexWriter, Searcher, TantivyDocument, Term};

pub struct NaiveIndex {
    searcher: Searcher,
    text: Field,
    category: Field,
    color: Field,
    price: Field,
}

impl NaiveIndex {
    pub fn build(catalog: &Catalog) -> tantivy::Result<NaiveIndex> {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let category = schema.add_text_field("category", STRING);
        let color = schema.add_text_field("color", STRING);
        let price = schema.add_u64_field("price", INDEXED | FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 200_000_000)?;
        for p in catalog.products() {
            let mut d = TantivyDocument::default();
            d.add_text(text, fold(&p.name.all().collect::<Vec<_>>().join(" ")));
            d.add_text(category, &p.category);
            for c in p.colors() {
                d.add_text(color, c);
            }
            d.add_u64(price, p.prices.idr.unwrap_or(0).max(0) as u64);
            writer.add_document(d)?;
        }
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        Ok(NaiveIndex {
            searcher,
            text,
            category,
            color,
            price,
        })
    }

    /// Matches and the best five.
    pub fn search(&self, word: &str, category: &str, color: &str, min: u64, max: u64) -> usize {
        let term = |f: Field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f, v),
                IndexRecordOption::Basic,
            ))
        };
        let query = BooleanQuery::new(vec![
            (Occur::Must, term(self.text, &fold(word))),
            (Occur::Must, term(self.category, category)),
            (Occur::Must, term(self.color, color)),
            (
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_u64(self.price, min)),
                    Bound::Included(Term::from_field_u64(self.price, max)),
                )),
            ),
        ]);
        let collector = (Count, TopDocs::with_limit(5).order_by_score());
        match self.searcher.search(&query, &collector) {
            Ok((count, top)) => count.max(top.len()),
            Err(_) => 0,
        }
    }
}
